import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { ManagedProcess, runToCompletion, waitFor } from './managed-process.js';

export interface RedisServer {
  host: string;
  port: number;
  password: string;
  /** `redis://:<password>@host:port/<db>`, the shape a broker Secret holds. */
  url(db?: number): string;
  destroy(): Promise<void>;
  log(): string;
}

const baseEnv = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C' };

/** redis-server on 127.0.0.1 (or `host`, e.g. a Docker bridge's gateway) on a free port, password protected, nothing persisted. */
export async function startRedis(host = '127.0.0.1'): Promise<RedisServer> {
  const base = mkdtempSync(join(tmpdir(), 'ponyexpress-redis-'));
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const server = new ManagedProcess({
    name: 'redis-server',
    argv: [
      'redis-server',
      '--port',
      String(port),
      '--bind',
      host,
      '--dir',
      base,
      '--save',
      '',
      '--appendonly',
      'no',
      '--requirepass',
      password,
      '--daemonize',
      'no',
    ],
    env: { ...baseEnv, HOME: base },
    cwd: base,
  });
  await waitFor(
    'redis to answer PING',
    async () => {
      if (!server.running) throw new Error(`redis-server exited:\n${server.output()}`);
      const r = await runToCompletion(
        {
          argv: ['redis-cli', '-h', host, '-p', String(port), '--no-auth-warning', '-a', password, 'PING'],
          env: baseEnv,
          cwd: base,
        },
        5_000,
      );
      return r.output.trim() === 'PONG';
    },
    20_000,
    100,
  );
  return {
    host,
    port,
    password,
    url: (db = 0) => `redis://:${password}@${host}:${port}/${db}`,
    destroy: async () => {
      await server.stop(5_000);
      rmSync(base, { recursive: true, force: true });
    },
    log: () => server.output(),
  };
}
