// Control-plane benchmark: prints numbers, asserts nothing.
//   npx tsx bench/cluster.ts [--starts 3] [--tests]
// Prints: the binary check/build time (build.sh; seconds when cached), the warm start time of
// the control plane (etcd + kube-apiserver + kube-controller-manager + kube-scheduler + kwok,
// until the kwok node is Ready) over --starts runs, the stop time, one apiserver restart, and
// with --tests the wall time of the whole `jest --selectProjects cluster --runInBand` run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinaries } from '../test/cluster/harness/binaries.js';
import { startControlPlane, stopControlPlane } from '../test/cluster/harness/control-plane.js';
import { restartApiserver } from '../test/cluster/harness/apiserver-restart.js';
import { readState, STATE_ENV, writeState, type LocalClusterState } from '../test/cluster/harness/state.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  if (process.env.KUBECONFIG) {
    console.log('KUBECONFIG is set: this benchmark measures the local control plane; unset it to run.');
    return;
  }
  let t = Date.now();
  const binaries = ensureBinaries();
  console.log(`build.sh (binaries ready):      ${seconds(Date.now() - t)}`);

  const starts: number[] = [];
  for (let i = 0; i < arg('starts', 3); i++) {
    let state = await startControlPlane({ binaries });
    starts.push(state.startMs);
    if (i === 0) {
      console.log(
        `versions: kubernetes ${state.versions.kubernetes}, etcd ${state.versions.etcd}, kwok ${state.versions.kwok}`,
      );
      const stateDir = mkdtempSync(join(tmpdir(), 'ponyexpress-bench-'));
      process.env[STATE_ENV] = join(stateDir, 'cluster.json');
      writeState(state);
      const restart = await restartApiserver();
      console.log(
        `kube-apiserver restart:         ${seconds(restart.unavailableMs)} unavailable ` +
          `(stop ${seconds(restart.stopMs)}, start to /readyz ${seconds(restart.startMs)})`,
      );
      state = readState() as LocalClusterState; // the restart recorded the new apiserver PID
      rmSync(stateDir, { recursive: true, force: true });
      delete process.env[STATE_ENV];
    }
    t = Date.now();
    await stopControlPlane(state);
    console.log(
      `start #${i + 1}: ${seconds(state.startMs)}   stop: ${seconds(Date.now() - t)}   phases (ms): ${JSON.stringify(state.startPhasesMs)}`,
    );
  }
  const sorted = [...starts].sort((a, b) => a - b);
  console.log(
    `warm start:                     min ${seconds(sorted[0])}, median ${seconds(sorted[Math.floor(sorted.length / 2)])}, max ${seconds(sorted[sorted.length - 1])}`,
  );

  if (process.argv.includes('--tests')) {
    t = Date.now();
    const run = spawnSync(
      process.execPath,
      ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--selectProjects', 'cluster', '--runInBand'],
      { stdio: 'inherit' },
    );
    console.log(`cluster test run (jest, incl. start/stop): ${seconds(Date.now() - t)} (exit ${run.status})`);
  }
}

await main();
