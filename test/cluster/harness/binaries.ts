// Locates (building on first use) the control-plane binaries via test/cluster/build.sh.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ComponentName } from './state.js';

export type Binaries = Record<ComponentName, string>;

const BUILD_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'build.sh');

export const NO_GO_MESSAGE =
  'The cluster tests need a Kubernetes API. Either install Go >= 1.24 (https://go.dev/doc/install; ' +
  'distribution packages are often older), so test/cluster/build.sh can build etcd, kube-apiserver, ' +
  'kube-controller-manager, kube-scheduler and kwok (cached after the first build), or point ' +
  'KUBECONFIG at an existing cluster, e.g. `kind create cluster && KUBECONFIG=~/.kube/config npm run test:cluster`.';

export function goAvailable(): boolean {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs build.sh (well under a second when cached; a cold build takes many minutes, and its
 * progress shows on stderr as it goes) and returns the absolute path of each binary.
 */
export function ensureBinaries(): Binaries {
  if (!goAvailable()) throw new Error(NO_GO_MESSAGE);
  const result = spawnSync('bash', [BUILD_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const paths: Partial<Binaries> = {};
  for (const line of result.stdout.split('\n')) {
    const match = /^path (\S+) (.+)$/.exec(line);
    if (match) paths[match[1] as ComponentName] = match[2];
  }
  if (result.status !== 0)
    throw new Error(`test/cluster/build.sh failed (exit ${result.status}); see its output above`);
  for (const name of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const) {
    if (!paths[name]) throw new Error(`test/cluster/build.sh did not report a path for ${name}`);
  }
  return paths as Binaries;
}
