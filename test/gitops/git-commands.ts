// Plain git commands against the test servers (clone, read the head, push a competing commit as a human) and
// the temp folders they use. No jest here: the cluster tests' support and bench/ scripts import it too.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const made: string[] = [];
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ponyexpress-${prefix}-`));
  made.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

const IDENTITY = ['-c', 'user.name=Test Pusher', '-c', 'user.email=pusher@example.com'];

export function git(cwd: string, args: string[]): string {
  return execFileSync('git', [...IDENTITY, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A full clone of `url` at `branch`. */
export function cloneRepo(url: string, branch = 'main'): string {
  const dir = tempDir('gitops-clone');
  git(dir, ['clone', '--quiet', '--branch', branch, url, '.']);
  return dir;
}

/** The commit `branch` points to on the server, or '' when it does not exist. */
export function remoteHead(url: string, branch = 'main'): string {
  return git(REPO_ROOT, ['ls-remote', url, `refs/heads/${branch}`])
    .split('\t')[0]
    .trim();
}

/** Commits `files` (path → content) to `branch` as another user would, and pushes. */
export function pushCommit(url: string, files: Record<string, string>, message: string, branch = 'main'): void {
  const dir = tempDir('gitops-pusher');
  git(dir, ['init', '--quiet']);
  git(dir, ['remote', 'add', 'origin', url]);
  if (remoteHead(url, branch)) {
    git(dir, ['fetch', '--quiet', 'origin', branch]);
    git(dir, ['checkout', '--quiet', '-B', branch, 'FETCH_HEAD']);
  } else {
    git(dir, ['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
  }
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  git(dir, ['add', '--all']);
  git(dir, ['commit', '--quiet', '-m', message]);
  git(dir, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
}
