import { jest } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresBinDir, startPostgres } from '../../checkapp/services/postgres.js';
import { ManagedProcess, runToCompletion } from '../../checkapp/services/managed-process.js';
import { startRedis } from '../../checkapp/services/redis.js';
import { freePort, PORT_RESERVATIONS_DIR } from '../../checkapp/services/free-port.js';
import { repoRoot } from './python-env.js';

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

// The OS hands a just-closed port to the next bind(0); a caller that binds it seconds later (gunicorn, after
// the migrations) then found it taken, and its probes reached another check's gunicorn (a CI failure).
test('free ports: none is handed out twice, in this process or another one, while its holder lives', async () => {
  const count = 1500;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import('./checkapp/services/free-port.ts').then(async ({ freePort }) => {
         const ports = [];
         for (let i = 0; i < ${count}; i++) ports.push(await freePort());
         process.stdout.write(JSON.stringify(ports) + '\\n');
         process.stdin.resume();
         process.stdin.on('end', () => process.exit(0));
       })`,
    ],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const theirsDrawn = new Promise<number[]>((resolve, reject) => {
    child.stdout.on('data', () => out.endsWith('\n') && resolve(JSON.parse(out) as number[]));
    child.once('exit', (code) => reject(new Error(`the other process exited ${code} before its ports: ${out}`)));
  });
  const mine: number[] = [];
  for (let i = 0; i < count; i++) mine.push(await freePort());
  const theirs = await theirsDrawn;
  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));
  expect(mine.length - new Set(mine).size).toBe(0);
  expect(theirs.length - new Set(theirs).size).toBe(0);
  expect(theirs.filter((p) => mine.includes(p))).toEqual([]);
  // The other process exited: what it held is released (jest's sandboxed process never emits its exit,
  // so this process's own are left to a later sweep, once it is gone).
  const held = readdirSync(PORT_RESERVATIONS_DIR).filter((port) => theirs.includes(Number(port)));
  expect(held).toEqual([]);
});
