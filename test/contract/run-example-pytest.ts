import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runToCompletion } from '../../checkapp/services/managed-process.js';
import { startPostgres } from '../../checkapp/services/postgres.js';
import { exampleDir, pythonVenv } from './python-env.js';

/**
 * Runs example/'s pytest suite against a throw-away PostgreSQL.
 * From jest (example-pytest.test.ts) or by hand: `npx tsx test/contract/run-example-pytest.ts [pytest args]`.
 */
export async function runExamplePytest(args: string[] = []): Promise<{ code: number | null; output: string }> {
  const venv = pythonVenv();
  const pg = await startPostgres({ canCreateDatabases: true });
  try {
    return await runToCompletion(
      {
        argv: [join(venv, 'bin/python'), '-m', 'pytest', '-p', 'no:cacheprovider', '-q', ...args],
        env: {
          PATH: `${join(venv, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
          HOME: exampleDir,
          LANG: 'C.UTF-8',
          ...pg.env(),
          PGSSLMODE: 'require',
          DJANGO_SECRET_KEY: 'pytest-only-secret-key',
          DJANGO_ALLOWED_HOSTS: 'shop.example.test',
          PYTHONDONTWRITEBYTECODE: '1',
        },
        cwd: exampleDir,
      },
      240_000,
    );
  } finally {
    await pg.destroy();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runExamplePytest(process.argv.slice(2));
  process.stdout.write(result.output);
  process.exit(result.code ?? 1);
}
