/**
 * The contract check (checkapp/, `npx ponyexpress check-app`) on example/: its commands, env and probes
 * from the synthesised staging manifests, against real PostgreSQL and Redis, plus the extras only example/
 * can prove (its migration, tick table and slow task). CONTRACT_APP_DIR + CONTRACT_VENV (+ CONTRACT_CONFIG_DIR)
 * run it, without extras, on another app. See docs/app.md and docs/bring-your-own-app.md.
 */
import { jest } from '@jest/globals';
import { join } from 'node:path';
import { checkApp } from '../../checkapp/contract.js';
import { formatReport } from '../../checkapp/steps.js';
import { exampleExtraEnv, exampleExtras } from './app-profile.js';
import { exampleDir, pythonVenv, repoRoot } from './python-env.js';

// Long enough for the largest probe budget in the manifests (web startup: 60 x 5 s) to run out.
jest.setTimeout(600_000);

test('example/ meets the whole contract (every step passes, with its extras)', async () => {
  const other = process.env.CONTRACT_APP_DIR;
  if (other && !process.env.CONTRACT_VENV)
    throw new Error("CONTRACT_APP_DIR is set but CONTRACT_VENV is not: name a virtualenv with the app's requirements");
  const results = await checkApp({
    appDir: other ?? exampleDir,
    venv: process.env.CONTRACT_VENV ?? pythonVenv(),
    configDir: process.env.CONTRACT_CONFIG_DIR ?? join(repoRoot, 'environments'),
    env: process.env.CONTRACT_ENV ?? 'staging',
    manifestDir: process.env.CONTRACT_MANIFEST_DIR,
    ...(other ? {} : { extras: exampleExtras, extraEnv: exampleExtraEnv }),
  });
  const report = formatReport(results);
  process.stdout.write(`${report}\n`);
  expect({ failed: results.filter((r) => r.outcome !== 'pass').map((r) => `${r.id}: ${r.reason}`), report }).toEqual({
    failed: [],
    report,
  });
  expect(results.map((r) => r.id)).toEqual([
    'env',
    'init-gate',
    'migrate',
    'init-pass',
    'web-startup',
    'web-readiness',
    'web-liveness',
    'web-host',
    'web-db-down',
    'worker-probes',
    'beat-ticks',
    'beat-hung',
    'beat-sigterm',
    'worker-sigterm',
    'web-sigterm',
  ]);
});
