// Starting and stopping control-plane components as process groups.
//
// Each component runs under a tiny bash guard in its own process group (detached), so
// one signal to the group stops the component and everything it spawned. The guard also
// watches the "owner" process (the jest process that started the cluster): if the owner
// dies without running teardown (crash, SIGKILL, Ctrl-C twice), the guard stops the
// component within a second, so no stray apiserver or etcd outlives the test run.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface LaunchOptions {
  name: string;
  bin: string;
  args: string[];
  logFile: string;
  /** PID whose death stops the component. @default process.pid */
  ownerPid?: number;
  /** Extra environment variables. @default none */
  env?: Record<string, string>;
}

export interface Launched {
  /** PID of the guard, which is also the process-group id. */
  pid: number;
  /** Resolves with the exit code when the guard exits (only in the launching process). */
  exited: Promise<number | null>;
}

const GUARD = `
owner="$1"; shift
"$@" & child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
while kill -0 "$owner" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.5; done
if kill -0 "$child" 2>/dev/null; then
  kill -TERM "$child"; sleep 5; kill -KILL "$child" 2>/dev/null
fi
wait "$child"
`;

export function launch(options: LaunchOptions): Launched {
  const log = openSync(options.logFile, 'a');
  const child = spawn(
    'bash',
    ['-c', GUARD, `guard-${options.name}`, String(options.ownerPid ?? process.pid), options.bin, ...options.args],
    {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, ...options.env },
    },
  );
  closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${options.name} (${options.bin})`);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Do not keep jest alive because of a component; teardown or the guard stops it.
  child.unref();
  return { pid: child.pid, exited };
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM the group, wait up to graceMs for it to vanish, then SIGKILL it. */
export async function stopGroup(pgid: number, graceMs = 10_000): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (groupAlive(pgid)) {
    signalGroup(pgid, 'SIGKILL');
    while (groupAlive(pgid)) await new Promise((r) => setTimeout(r, 20));
  }
}

/** Synchronous last resort for process 'exit' handlers: SIGKILL every group. */
export function killGroupsNow(pgids: number[]): void {
  for (const pgid of pgids) signalGroup(pgid, 'SIGKILL');
}

/** Last `lines` lines of a log file, for error messages. */
export function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
