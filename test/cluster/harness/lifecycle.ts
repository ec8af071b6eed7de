// Start-up and shutdown of the cluster for a test run (jest globalSetup/globalTeardown and benches).
// Uses KUBECONFIG instead when it is set (e.g. a kind cluster), starting nothing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureBinaries } from './binaries.js';
import { startControlPlane, stopControlPlane } from './control-plane.js';
import { killGroupsNow } from './processes.js';
import { readState, STATE_ENV, statePath, writeState, type ClusterState } from './state.js';

/** Starts the control plane (or adopts KUBECONFIG) and publishes the state file path in the environment. */
export async function setupCluster(): Promise<void> {
  const stateFile = join(mkdtempSync(join(tmpdir(), 'ponyexpress-state-')), 'cluster.json');
  // Workers are forked after globalSetup and inherit this environment.
  process.env[STATE_ENV] = stateFile;

  if (process.env.KUBECONFIG) {
    const state: ClusterState = { mode: 'external', kubeconfig: process.env.KUBECONFIG };
    writeState(state, stateFile);
    console.warn(
      `\n[cluster] KUBECONFIG is set: testing against that cluster (${process.env.KUBECONFIG}); ` +
        'no local control plane is started, and tests that restart kube-apiserver are skipped.',
    );
    return;
  }

  const binaries = ensureBinaries();
  const state = await startControlPlane({ binaries });
  writeState(state, stateFile);
  // Last resort if jest exits without teardown; the guards also stop components when this process dies.
  process.once('exit', () => {
    try {
      const current = JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState;
      if (current.mode === 'local') killGroupsNow(Object.values(current.components).map((c) => c.pid));
    } catch {
      // state already removed by teardown
    }
  });
  console.log(
    `\n[cluster] control plane ready in ${(state.startMs / 1000).toFixed(1)} s: kubernetes ${state.versions.kubernetes}, ` +
      `etcd ${state.versions.etcd}, kwok ${state.versions.kwok}; apiserver ${state.apiserverUrl}; logs in ${state.logDir}\n` +
      `[cluster] start-up phases (ms since start): ${JSON.stringify(state.startPhasesMs)}`,
  );
}

/** Stops every component (also after failed tests) and removes the state file; logs stay. */
export async function teardownCluster(): Promise<void> {
  const path = statePath();
  const state = readState(path);
  if (state.mode === 'local') {
    await stopControlPlane(state);
    console.log(`[cluster] control plane stopped; component logs kept in ${state.logDir}`);
  }
  rmSync(dirname(path), { recursive: true, force: true });
}
