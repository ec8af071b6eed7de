// ESM + ts-jest: client-node 2.x is ESM-only, so the whole suite runs as ESM.
// Three projects: fast unit tests, cluster tests (one real control plane per run)
// and the contract test (real PostgreSQL, Redis and the example Django app).
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
      testMatch: ['<rootDir>/test/{smoke,charts,operator}/**/*.test.ts'],
    },
  ],
};
