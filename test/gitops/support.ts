// Helpers for the GitOps tests: a private copy of environments/ synthesised into a private dist/, and plain
// git commands against the test server (clone, read a tree, push a competing commit).
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { jest } from '@jest/globals';
import { synthesizeAll } from '../../charts/synth.js';
import { GitDaemon } from './git-server.js';

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

/** A git daemon for the calling test file: started before its tests, stopped (with its temp dirs) after. */
export function gitServerForThisFile(): GitDaemon {
  jest.setTimeout(60_000);
  const server = new GitDaemon();
  beforeAll(() => server.start());
  afterAll(async () => {
    await server.stop();
    removeTempDirs();
  });
  return server;
}

/** environments/ copied to a temp folder and synthesised into `<temp>/dist` exactly as `npm run synth` does. */
export class Workspace {
  readonly dir = tempDir('gitops-ws');
  readonly configDir = join(this.dir, 'environments');
  readonly dist = join(this.dir, 'dist');

  constructor() {
    cpSync(join(REPO_ROOT, 'environments'), this.configDir, { recursive: true });
  }

  synth(): this {
    synthesizeAll({ configDir: this.configDir, outDir: this.dist });
    return this;
  }

  setImageTag(env: string, tag: string): void {
    const file = join(this.configDir, `${env}.yaml`);
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.setIn(['image', 'tag'], tag);
    writeFileSync(file, doc.toString());
  }
}

/** Every file under `dir` (recursively, .git excluded) by its path relative to `dir`, with its bytes. */
export function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(relative(dir, full), readFileSync(full));
    }
  };
  walk(dir);
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
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
