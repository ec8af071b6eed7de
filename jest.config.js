// ESM + ts-jest: client-node 2.x is ESM-only, so the whole suite runs as ESM.
// Six projects: fast unit tests, cluster tests (one real control plane per run), the contract
// test (real PostgreSQL, Redis and the example Django app), the built images under Docker, a real
// promotion on kind, and GitOps publishing (a real git daemon).
import { KIND_PROJECT } from './test/sequencer.js';

const tsTransform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: { ignoreCodes: [151002] } }],
};
const common = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: tsTransform,
  snapshotResolver: '<rootDir>/test/snapshot-resolver.cjs',
};

/** @type {import('jest').Config} */
export default {
  // The kind project's files last: its cluster comes up in the background while the others run.
  testSequencer: '<rootDir>/test/sequencer.js',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/test/{smoke,contract-module,charts,operator}/**/*.test.ts',
        '<rootDir>/test/kind/*.unit.test.ts',
      ],
    },
    {
      ...common,
      // Real PostgreSQL, Redis and the example app (needs Debian's postgresql and
      // redis-server, and Python; scripts/python-env.sh builds the venv).
      displayName: 'contract',
      testMatch: ['<rootDir>/test/contract/**/*.test.ts'],
    },
    {
      ...common,
      // One real control plane per run (etcd, kube-apiserver, kube-controller-manager,
      // kube-scheduler, kwok; built from source by test/cluster/build.sh), or the cluster
      // in KUBECONFIG. The files share that cluster and take turns on it (setup-file.ts holds
      // a lock per file), so --runInBand merely spares idle workers. See docs/cluster.md.
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
      globalSetup: '<rootDir>/test/cluster/global-setup.ts',
      globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/cluster/setup-file.ts'],
    },
    {
      ...common,
      // The built images under `docker run`, as the manifests specify each container (needs a Docker
      // engine; globalSetup starts one with scripts/docker/start-dockerd.sh and builds both images with
      // scripts/images/build.sh, cached by inputs). Fails, never skips, when Docker cannot start.
      displayName: 'container',
      testMatch: ['<rootDir>/test/container/**/*.test.ts'],
      globalSetup: '<rootDir>/test/container/global-setup.ts',
    },
    {
      ...common,
      // A real promotion on a kind cluster built offline (scripts/kind: node image, Debian PostgreSQL and
      // Redis stand-ins, a local registry so pods report digests, the operator in-cluster). globalSetup
      // starts the bring-up in the background with the cached build scripts (test/kind/background.ts); the
      // files run last and wait for it; globalTeardown deletes the cluster unless PONYEXPRESS_KEEP_KIND=1.
      // Fails, never skips, when Docker cannot start. See docs/containers.md.
      displayName: KIND_PROJECT,
      testMatch: ['<rootDir>/test/kind/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.unit\\.test\\.ts$'],
      globalSetup: '<rootDir>/test/kind/global-setup.ts',
      globalTeardown: '<rootDir>/test/kind/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/kind/setup-file.ts'],
    },
    {
      ...common,
      // `npm run publish:gitops` against a real `git daemon` on loopback (needs only git).
      displayName: 'gitops',
      testMatch: ['<rootDir>/test/gitops/**/*.test.ts'],
    },
  ],
};
