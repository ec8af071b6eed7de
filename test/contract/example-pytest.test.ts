import { jest } from '@jest/globals';
import { runExamplePytest } from './run-example-pytest.js';

jest.setTimeout(300_000);

// The example app's own pytest suite (endpoints, settings, the task) against real PostgreSQL.
test('example/ pytest suite passes with nothing skipped', async () => {
  const { code, output } = await runExamplePytest();
  const summary = output.trim().split('\n').pop() ?? '';
  if (code !== 0) throw new Error(`pytest exited ${code}:\n${output}`);
  expect(summary).toMatch(/^\d+ passed/);
  expect(summary).not.toMatch(/skipped|xfail|error|failed/);
});
