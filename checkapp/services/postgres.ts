import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { ManagedProcess, runToCompletion, waitFor } from './managed-process.js';

export interface PostgresOptions {
  /** Role and database created for the app (password authenticated over TCP). @default 'app' */
  database?: string;
  user?: string;
  /** Serve TLS with a throw-away self-signed certificate, so `sslmode=require` works. @default true */
  ssl?: boolean;
  /** Give the app role CREATEDB (pytest-django creates its own test database). @default false */
  canCreateDatabases?: boolean;
  /**
   * Listen here instead of loopback, and let password logins come from clientCidr too: containers
   * on a Docker bridge reach the host at the bridge's gateway address. @default 127.0.0.1, loopback only
   */
  listen?: { host: string; clientCidr: string };
}

export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** libpq environment for the app role. */
  env(): Record<string, string>;
  /** `postgresql://user:password@host:port/database` */
  uri(): string;
  /** Stop the postmaster (fast shutdown); data is kept so start() resumes it. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stop and delete every file. */
  destroy(): Promise<void>;
  /** Server log so far, for failure messages. */
  log(): string;
}

/** The newest Debian PostgreSQL binaries (`/usr/lib/postgresql/<major>/bin`), or $PG_BIN. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => /^\d+$/.test(d))
        .map(Number)
        .sort((a, b) => b - a)
    : [];
  const dir = majors.map((m) => join(root, String(m), 'bin')).find((d) => existsSync(join(d, 'postgres')));
  if (!dir) throw new Error('PostgreSQL server binaries not found: apt-get install -y postgresql (or set PG_BIN)');
  return dir;
}

/** postgres refuses to run as root; as root we run it as the Debian `postgres` user. */
function serverIdentity(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

const baseEnv = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };

/** initdb + postgres on 127.0.0.1 (or options.listen) on a free port, in a fresh temp directory. */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const who = serverIdentity();
  const base = mkdtempSync(join(tmpdir(), 'ponyexpress-pg-'));
  const own = (path: string) => {
    if (who.uid !== undefined) chownSync(path, who.uid, who.gid!);
  };
  own(base);
  const data = join(base, 'data');
  const superPassword = randomBytes(12).toString('hex');
  const pwfile = join(base, 'superuser-password');
  writeFileSync(pwfile, superPassword, { mode: 0o600 });
  own(pwfile);

  const run = async (argv: string[], timeoutMs = 60_000) => {
    const r = await runToCompletion({ argv, env: { ...baseEnv, HOME: base }, cwd: base, ...who }, timeoutMs);
    if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}):\n${r.output}`);
    return r.output;
  };
  await run([
    join(bin, 'initdb'),
    '-D',
    data,
    '-U',
    'postgres',
    '--pwfile',
    pwfile,
    '-E',
    'UTF8',
    '--no-locale',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--no-sync',
  ]);
  // samehost: the test itself, whose connections to a non-loopback address come from one of ours.
  if (options.listen)
    appendFileSync(
      join(data, 'pg_hba.conf'),
      `host all all ${options.listen.clientCidr} scram-sha-256\nhost all all samehost scram-sha-256\n`,
    );

  const sslArgs: string[] = [];
  if (options.ssl ?? true) {
    const crt = join(base, 'server.crt');
    const key = join(base, 'server.key');
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-x509',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-newkey',
        'rsa:2048',
        '-keyout',
        key,
        '-out',
        crt,
      ],
      { stdio: 'ignore' },
    );
    chmodSync(key, 0o600);
    own(key);
    own(crt);
    sslArgs.push('-c', 'ssl=on', '-c', `ssl_cert_file=${crt}`, '-c', `ssl_key_file=${key}`);
  }

  const port = await freePort();
  const host = options.listen?.host ?? '127.0.0.1';
  const user = options.user ?? 'app';
  const database = options.database ?? 'app';
  const password = randomBytes(12).toString('hex');
  let server: ManagedProcess | undefined;

  const start = async () => {
    // Durability off and tiny buffers: a throw-away test server on 2 shared cores.
    server = new ManagedProcess({
      name: 'postgres',
      argv: [
        join(bin, 'postgres'),
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        base,
        '-c',
        `listen_addresses=${host}`,
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'shared_buffers=16MB',
        '-c',
        'max_connections=60',
        ...sslArgs,
      ],
      env: { ...baseEnv, HOME: base },
      cwd: base,
      logFile: join(base, 'postgres.log'),
      ...who,
    });
    const s = server;
    await waitFor(
      'postgres to accept connections',
      async () => {
        if (!s.running) throw new Error(`postgres exited:\n${s.output()}`);
        const r = await runToCompletion(
          { argv: [join(bin, 'pg_isready'), '-q', '-h', host, '-p', String(port)], env: baseEnv, cwd: base },
          5_000,
        );
        return r.code === 0;
      },
      30_000,
      100,
    );
  };
  const stop = async () => {
    if (!server?.running) return;
    server.signal('SIGINT'); // fast shutdown: disconnect clients, then exit
    if ((await server.waitForExit(15_000)) === undefined) server.killGroup('SIGKILL');
    await server.exited;
  };

  await start();
  const psql = (sql: string) =>
    run([
      join(bin, 'psql'),
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-h',
      base,
      '-p',
      String(port),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-c',
      sql,
    ]);
  await psql(`CREATE ROLE "${user}" LOGIN ${options.canCreateDatabases ? 'CREATEDB' : ''} PASSWORD '${password}'`);
  await psql(`CREATE DATABASE "${database}" OWNER "${user}"`);

  return {
    host,
    port,
    user,
    password,
    database,
    env: () => ({ PGHOST: host, PGPORT: String(port), PGUSER: user, PGPASSWORD: password, PGDATABASE: database }),
    uri: () => `postgresql://${user}:${password}@${host}:${port}/${database}`,
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(base, { recursive: true, force: true });
    },
    log: () => server?.output() ?? '',
  };
}
