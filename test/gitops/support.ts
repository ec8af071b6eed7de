// Helpers for the GitOps tests: a private copy of environments/ synthesised into a private dist/, and plain
// git commands against the test server (clone, read a tree, push a competing commit).
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { jest } from '@jest/globals';
import { synthesizeAll } from '../../charts/synth.js';
import { GitDaemon } from './git-server.js';
import { REPO_ROOT, removeTempDirs, tempDir } from './git-commands.js';

// Plain git commands and temp folders live in git-commands.ts (no jest there: benches use them too).
export { cloneRepo, git, pushCommit, remoteHead, removeTempDirs, REPO_ROOT, tempDir } from './git-commands.js';

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
