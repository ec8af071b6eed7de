import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresBinDir, startPostgres } from '../../checkapp/services/postgres.js';
import { ManagedProcess, runToCompletion } from '../../checkapp/services/managed-process.js';
import { startRedis } from '../../checkapp/services/redis.js';

jest.setTimeout(120_000);

const postmasterPids = () =>
  execFileSync('ps', ['-eo', 'pid=,args='])
    .toString()
    .split('\n')
    .filter((l) => /postgres -D .*ponyexpress-pg-/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[0]));

test('postgres: password login over TLS, stop makes it unreachable, start resumes it, destroy leaves nothing', async () => {
  const before = new Set(postmasterPids());
  const pg = await startPostgres();
  const psql = (env: Record<string, string>) =>
    runToCompletion(
      {
        argv: [
          join(postgresBinDir(), 'psql'),
          '-X',
          '-At',
          '-c',
          'SELECT current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
        ],
        env: { PATH: '/usr/bin:/bin', ...env },
        cwd: '/',
      },
      15_000,
    );
  try {
    const ok = await psql({ ...pg.env(), PGSSLMODE: 'require' });
    expect(ok.output.trim()).toBe(`${pg.user}|t`);
    const wrong = await psql({ ...pg.env(), PGPASSWORD: 'wrong' });
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toMatch(/password authentication failed/);

    await pg.stop();
    expect((await psql({ ...pg.env(), PGCONNECT_TIMEOUT: '2' })).code).not.toBe(0);
    await pg.start();
    expect((await psql(pg.env())).code).toBe(0);
  } finally {
    await pg.destroy();
  }
  expect(postmasterPids().filter((pid) => !before.has(pid))).toEqual([]);
});

test('redis: requires its password, destroy stops it', async () => {
  const redis = await startRedis();
  const cli = (args: string[]) =>
    runToCompletion(
      {
        argv: ['redis-cli', '-h', redis.host, '-p', String(redis.port), '--no-auth-warning', ...args],
        env: { PATH: '/usr/bin:/bin' },
        cwd: '/',
      },
      5_000,
    );
  try {
    expect((await cli(['-a', redis.password, 'PING'])).output.trim()).toBe('PONG');
    expect((await cli(['PING'])).output).toMatch(/NOAUTH/);
    expect(redis.url(3)).toBe(`redis://:${redis.password}@127.0.0.1:${redis.port}/3`);
  } finally {
    await redis.destroy();
  }
  expect((await cli(['-a', redis.password, 'PING'])).output).toMatch(/refused/i);
});

// Seen once in CI: a forked child kept the leader's stdout open and wrote after the
// leader's 'exit', when the log file had already been ended ("write after end").
test('managed process: output a forked child writes after the leader exits reaches the log, and nothing throws', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'px-managed-'));
  const logFile = join(dir, 'out.log');
  const errors: unknown[] = [];
  const onError = (err: unknown) => errors.push(err);
  process.on('uncaughtException', onError);
  try {
    const p = new ManagedProcess({
      argv: ['/bin/sh', '-c', 'echo early; (sleep 0.3; echo late) & exit 0'],
      env: { PATH: '/usr/bin:/bin' },
      cwd: '/',
      logFile,
    });
    expect((await p.exited).code).toBe(0);
    await p.closed;
    expect(errors).toEqual([]);
    expect(p.output()).toBe('early\nlate\n');
    expect(readFileSync(logFile, 'utf8')).toBe('early\nlate\n');
  } finally {
    process.off('uncaughtException', onError);
    rmSync(dir, { recursive: true, force: true });
  }
});
