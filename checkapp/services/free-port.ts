import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './pid.js';

/**
 * Ports handed out, one file per port holding the pid that holds it. The OS gives a just-closed port to
 * the next bind(0), so without this two callers could get the same port before either binds it (a CI run
 * had a check's probes answered by another check's gunicorn). A file is the one record every process on
 * the machine can see; it goes when its process exits.
 */
export const PORT_RESERVATIONS_DIR = join(tmpdir(), 'ponyexpress-ports');

const held = new Set<number>();

/**
 * Drops reservations whose process died without its exit handler (SIGKILL, jest's sandbox), once older
 * than a minute, so that a file being written now is never read half-way; and any older than a day, as
 * its pid may belong to another process by now.
 */
function sweep(): void {
  const now = Date.now();
  for (const name of readdirSync(PORT_RESERVATIONS_DIR)) {
    const file = join(PORT_RESERVATIONS_DIR, name);
    try {
      const age = now - statSync(file).mtimeMs;
      if (age < 60_000) continue;
      const pid = Number(readFileSync(file, 'utf8'));
      if (age > 86_400_000 || !Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) unlinkSync(file);
    } catch {
      // gone already, or another sweep's
    }
  }
}

let prepared = false;
function prepare(): void {
  if (prepared) return;
  mkdirSync(PORT_RESERVATIONS_DIR, { recursive: true });
  sweep();
  process.once('exit', () => {
    for (const port of held) {
      try {
        unlinkSync(join(PORT_RESERVATIONS_DIR, String(port)));
      } catch {
        // already swept
      }
    }
  });
  prepared = true;
}

function reserve(port: number): boolean {
  try {
    writeFileSync(join(PORT_RESERVATIONS_DIR, String(port)), String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  held.add(port);
  return true;
}

function osPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/**
 * A TCP port on 127.0.0.1 for a child process to listen on: free when the OS picked it, and never handed
 * out again by this function, in any process on this machine, while this process lives.
 */
export async function freePort(): Promise<number> {
  prepare();
  for (let attempt = 0; attempt < 1000; attempt++) {
    const port = await osPort();
    if (reserve(port)) return port;
  }
  throw new Error(`no free port: 1000 the OS offered are all reserved in ${PORT_RESERVATIONS_DIR}`);
}
