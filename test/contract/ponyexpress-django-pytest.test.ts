import { jest } from '@jest/globals';
import { join } from 'node:path';
import { runToCompletion } from '../../checkapp/services/managed-process.js';
import { pythonVenv, repoRoot } from './python-env.js';

jest.setTimeout(600_000);

// The app-side package's own suite, in the venv the contract test uses (example/'s pins: Django 5.2, Celery 5.7).
// It starts its own PostgreSQL and Redis. The other versions: ponyexpress-django/scripts/matrix.sh.
test('ponyexpress-django pytest suite passes with nothing skipped', async () => {
  const venv = pythonVenv();
  const packageDir = join(repoRoot, 'ponyexpress-django');
  const { code, output } = await runToCompletion(
    {
      argv: [join(venv, 'bin/python'), '-m', 'pytest', '-q'],
      env: {
        PATH: `${join(venv, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
        HOME: packageDir,
        LANG: 'C.UTF-8',
        PYTHONDONTWRITEBYTECODE: '1',
      },
      cwd: packageDir,
    },
    540_000,
  );
  const summary = output.trim().split('\n').pop() ?? '';
  if (code !== 0) throw new Error(`pytest exited ${code}:\n${output}`);
  expect(summary).toMatch(/^\d+ passed/);
  expect(summary).not.toMatch(/skipped|xfail|error|failed/);
});
