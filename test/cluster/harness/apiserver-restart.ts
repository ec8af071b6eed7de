// Stopping and restarting kube-apiserver from inside a test (e.g. "the operator survives an
// apiserver restart during a promotion"). Works from any jest worker: the PIDs and command
// line live in the state file, and the new process is guarded by the same owner PID.
import { launch, stopGroup } from './processes.js';
import { readState, writeState, type LocalClusterState } from './state.js';
import { waitForApiserverReady } from './control-plane.js';
import { join } from 'node:path';

export const EXTERNAL_CLUSTER_REASON =
  'the cluster comes from KUBECONFIG (external), so the harness cannot stop or restart its kube-apiserver';

/** True when the harness runs the control plane itself (not KUBECONFIG mode). */
export function canControlApiserver(): boolean {
  return readState().mode === 'local';
}

function localState(): LocalClusterState {
  const state = readState();
  if (state.mode !== 'local') throw new Error(`cannot control kube-apiserver: ${EXTERNAL_CLUSTER_REASON}`);
  return state;
}

export interface StopApiserverOptions {
  /**
   * How long kube-apiserver may take over its graceful shutdown after SIGTERM before it is
   * SIGKILLed. While controllers hold watches open it takes over 10 s to exit on its own;
   * 0 kills at once, like a crash. @default 2000
   */
  graceMs?: number;
}

/** Stops kube-apiserver. etcd, the controllers and kwok keep running (and retry). */
export async function stopApiserver(options: StopApiserverOptions = {}): Promise<void> {
  const state = localState();
  await stopGroup(state.components['kube-apiserver'].pid, options.graceMs ?? 2000);
}

/** Starts kube-apiserver again with the same flags and port, and waits for /readyz. */
export async function startApiserver(timeoutMs = 60_000): Promise<void> {
  const state = localState();
  const component = state.components['kube-apiserver'];
  const launched = launch({
    name: 'kube-apiserver',
    bin: component.bin,
    args: component.args,
    logFile: component.logFile,
    ownerPid: state.ownerPid,
  });
  component.pid = launched.pid;
  writeState(state);
  let exited: number | null | undefined;
  void launched.exited.then((code) => {
    exited = code;
  });
  const pki = join(state.workDir, 'pki');
  await waitForApiserverReady(
    state.apiserverUrl,
    join(pki, 'ca.crt'),
    { cert: join(pki, 'admin.crt'), key: join(pki, 'admin.key') },
    timeoutMs,
    () => (exited === undefined ? null : `kube-apiserver exited with code ${exited} (log: ${component.logFile})`),
  );
}

/**
 * Restarts kube-apiserver: stop, optionally stay down for `downMs` (@default 0), start, wait for /readyz.
 * Resolves with how long the API was unavailable.
 */
export async function restartApiserver(
  options: StopApiserverOptions & { downMs?: number } = {},
): Promise<{ unavailableMs: number; stopMs: number; startMs: number }> {
  const began = Date.now();
  await stopApiserver(options);
  const stopMs = Date.now() - began;
  if (options.downMs) await new Promise((r) => setTimeout(r, options.downMs));
  const starting = Date.now();
  await startApiserver();
  return { unavailableMs: Date.now() - began, stopMs, startMs: Date.now() - starting };
}
