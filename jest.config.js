// ESM + ts-jest: client-node 2.x is ESM-only, so the whole suite runs as ESM.
// Four projects: fast unit tests, cluster tests (one real control plane per run), the contract
// test (real PostgreSQL, Redis and the example Django app) and GitOps publishing (a real git daemon).
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
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/{smoke,contract-module,charts,operator}/**/*.test.ts'],
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
      // `npm run publish:gitops` against a real `git daemon` on loopback (needs only git).
      displayName: 'gitops',
      testMatch: ['<rootDir>/test/gitops/**/*.test.ts'],
    },
  ],
};
