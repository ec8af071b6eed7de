// Keeps every snapshot in the top-level __snapshots__/ (the layout CONTRIBUTING.md describes),
// named after the test file's path under test/, e.g. test/charts/web.test.ts -> __snapshots__/charts/web.test.ts.snap.
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const testRoot = path.join(root, 'test');
const snapRoot = path.join(root, '__snapshots__');

module.exports = {
  resolveSnapshotPath: (testPath, ext) => path.join(snapRoot, path.relative(testRoot, testPath) + ext),
  resolveTestPath: (snapshotPath, ext) =>
    path.join(testRoot, path.relative(snapRoot, snapshotPath).slice(0, -ext.length)),
  testPathForConsistencyCheck: path.join(testRoot, 'charts', 'example.test.ts'),
};
