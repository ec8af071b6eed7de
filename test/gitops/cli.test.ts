// `npm run publish:gitops` end to end: the npm script, its output and exit codes.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gitServerForThisFile, remoteHead, REPO_ROOT, tempDir, Workspace } from './support.js';

const server = gitServerForThisFile();

function publish(...args: string[]) {
  const run = spawnSync('npm', ['run', '--silent', 'publish:gitops', '--', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  // npm may warn about the user's own npmrc on stderr; keep only what the script printed.
  const stderr = run.stderr
    .split('\n')
    .filter((line) => line && !line.startsWith('npm warn'))
    .join('\n');
  return { status: run.status, stdout: run.stdout.trim(), stderr };
}

test('publishes, then reports that there is nothing to publish', () => {
  const ws = new Workspace().synth();
  const url = server.createRepo('cli');
  const first = publish('--repo', url, '--path', 'apps', '--dist', ws.dist);
  expect(first).toMatchObject({ status: 0, stderr: '' });
  expect(first.stdout).toMatch(
    new RegExp(
      `^published operator \\(\\d+ files\\), production \\(\\d+ files\\), staging \\(\\d+ files\\) to ${url} \\(main, apps/\\) as [0-9a-f]{12}$`,
    ),
  );
  expect(first.stdout).toContain(remoteHead(url).slice(0, 12));

  const second = publish('--repo', url, '--path', 'apps', '--dist', ws.dist);
  expect(second).toEqual({
    status: 0,
    stdout: `nothing to publish: ${url} (main, apps/) already matches ${ws.dist}/ (operator, production, staging)`,
    stderr: '',
  });
});

test('a missing or empty dist/ says to synthesise first', () => {
  const dir = tempDir('gitops-nodist');
  const missing = publish('--repo', server.url('cli'), '--dist', join(dir, 'dist'));
  expect(missing).toEqual({
    status: 1,
    stdout: '',
    stderr: `publish:gitops: ${join(dir, 'dist')} does not exist: run npm run synth first`,
  });

  mkdirSync(join(dir, 'empty'));
  const empty = publish('--repo', server.url('cli'), '--dist', join(dir, 'empty'));
  expect(empty).toEqual({
    status: 1,
    stdout: '',
    stderr: `publish:gitops: ${join(dir, 'empty')} has no environment folders: run npm run synth first`,
  });
});

test('bad arguments exit 2 with the usage line', () => {
  const run = publish('--branch', 'main');
  expect(run.status).toBe(2);
  expect(run.stderr).toBe(
    'publish:gitops: --repo is required\nusage: npm run publish:gitops -- --repo <git url> [--branch main] [--path <dir>] [--message <msg>] [--dist dist]',
  );
});
