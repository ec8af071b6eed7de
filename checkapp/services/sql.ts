import { join } from 'node:path';
import { runToCompletion } from './managed-process.js';
import { postgresBinDir, type PostgresServer } from './postgres.js';

/** Run one query as the app role; rows as arrays of strings (psql unaligned, tab-separated). */
export async function query(pg: PostgresServer, sql: string): Promise<string[][]> {
  const r = await runToCompletion(
    {
      argv: [join(postgresBinDir(), 'psql'), '-X', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
      env: { PATH: '/usr/bin:/bin', ...pg.env(), PGSSLMODE: 'require' },
      cwd: '/',
    },
    15_000,
  );
  if (r.code !== 0) throw new Error(`psql failed (${r.code}): ${sql}\n${r.output}`);
  return r.output
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}
