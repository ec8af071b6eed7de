import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCheckAppArgs, runCheckApp } from '../../checkapp/cli.js';
import { CheckFailure, formatReport, runSteps, type Step } from '../../checkapp/steps.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ponyexpress-checkapp-cli-'));
  mkdirSync(join(dir, 'app', 'environments'), { recursive: true });
  mkdirSync(join(dir, 'app', '.venv', 'bin'), { recursive: true });
  mkdirSync(join(dir, 'app', '.venv', 'bin', 'python')); // exists is all the parser asks
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('usage errors name what is missing and what is expected, exit 2', async () => {
  const err: string[] = [];
  expect(
    await runCheckApp(
      ['--env', 'staging'],
      () => undefined,
      (s) => err.push(s),
    ),
  ).toBe(2);
  expect(err.join('\n')).toMatch(/^error: --app-dir is required: the directory holding your app/);
  expect(() => parseCheckAppArgs(['--app-dir', 'app'], dir)).toThrow(/--env is required/);
  expect(() => parseCheckAppArgs(['--app-dir', 'nope', '--env', 's'], dir)).toThrow(/--app-dir .*nope does not exist/);
  expect(() => parseCheckAppArgs(['--app-dir', 'app', '--env', 's', '--max-startup', 'x'], dir)).toThrow(
    /--max-startup: found "x", expected seconds > 0/,
  );
  expect(() => parseCheckAppArgs(['--app-dir', 'app', '--env', 's', '--typo'], dir)).toThrow(/--typo/);
});

test('defaults: <app-dir>/environments and <app-dir>/.venv', () => {
  expect(parseCheckAppArgs(['--app-dir', 'app', '--env', 'staging'], dir)).toMatchObject({
    options: { appDir: join(dir, 'app'), configDir: join(dir, 'app', 'environments'), venv: join(dir, 'app', '.venv') },
  });
});

test('a failed step fails the steps that need it, not the independent ones, and the report says which', async () => {
  const steps: Step<null>[] = [
    { id: 'a', title: 'a', run: () => Promise.reject(new CheckFailure('a broke: GET /x -> 404', 'traceback')) },
    { id: 'b', title: 'b', needs: ['a'], run: () => Promise.resolve('never') },
    { id: 'c', title: 'c', run: () => Promise.resolve('fine') },
  ];
  const results = await runSteps(steps, null);
  expect(results.map((r) => [r.id, r.outcome, r.reason])).toEqual([
    ['a', 'FAIL', 'a broke: GET /x -> 404'],
    ['b', 'not run', 'needs "a", which did not pass'],
    ['c', 'pass', 'fine'],
  ]);
  const report = formatReport(results);
  expect(report).toMatch(/^STEP\s+RESULT\s+TIME\s+REASON\na\s+FAIL\s/);
  expect(report).toContain('FAIL: 1 failed, 1 not run, 1 passed');
  expect(report).toContain('--- a: app output (tail) ---\ntraceback');
});
