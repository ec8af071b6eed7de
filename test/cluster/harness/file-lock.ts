// One cluster test file at a time, even when jest runs several workers (`npm test` on a
// machine with many cores): the files share one control plane and some restart kube-apiserver
// or watch a whole namespace. mkdir is atomic, so a directory serves as the lock.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { statePath } from './state.js';

const POLL_MS = 200;

function lockDir(): string {
  return join(dirname(statePath()), 'test-file.lock');
}

function holderAlive(dir: string): boolean {
  try {
    process.kill(Number(readFileSync(join(dir, 'pid'), 'utf8')), 0);
    return true;
  } catch (error) {
    // No pid file yet (the holder is between mkdir and write): treat as alive.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Waits until no other test file holds the cluster, then holds it (released by releaseClusterLock). */
export async function acquireClusterLock(): Promise<void> {
  const dir = lockDir();
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A worker that crashed while holding the lock must not block the rest of the run.
      if (!holderAlive(dir)) rmSync(dir, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}

export function releaseClusterLock(): void {
  rmSync(lockDir(), { recursive: true, force: true });
}
