// The Git write-back client and decision against real git servers: `git http-backend` behind basic auth, and
// `git daemon`. The repository holds a synthesised dist/production under clusters/ponyshop/production.
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { GitClient, GitWriteError, type GitCredentials, type GitLocation } from '../../operator/io/git.js';
import { decideWriteBack, type WriteBackInput } from '../../operator/core/writeback.js';
import { managedImages } from '../../operator/core/gitops-files.js';
import { GitHttpServer } from './git-http-server.js';
import { GitDaemon } from './git-server.js';
import { git, cloneRepo, pushCommit, readTree, remoteHead, removeTempDirs, Workspace } from './support.js';

jest.setTimeout(60_000);
const http = new GitHttpServer('ponyexpress-bot', 's3cret-token');
const daemon = new GitDaemon();
beforeAll(() => Promise.all([http.start(), daemon.start()]));
afterAll(async () => {
  await Promise.all([http.stop(), daemon.stop()]);
  removeTempDirs();
});

const REPOSITORY = 'ghcr.io/ponyexpress/ponyshop';
const DIGEST = `sha256:${'cd34'.repeat(16)}`;
const IMAGE = `${REPOSITORY}@${DIGEST}`;
const FOLDER = 'clusters/ponyshop/production';
const AUTHOR = { name: 'Pony Express Bot', email: 'bot@ponyshop.example' };
const CREDS: GitCredentials = { kind: 'basic', username: 'ponyexpress-bot', password: 's3cret-token' };
const ws = new Workspace().synth();

function seedFiles(): Record<string, string> {
  const files: Record<string, string> = { 'README.md': 'fleet repo\n' };
  for (const [path, bytes] of readTree(join(ws.dist, 'production'))) files[`${FOLDER}/${path}`] = bytes.toString();
  return files;
}

let repoCount = 0;
function seededRepo(): { url: string; at: GitLocation } {
  const url = http.createRepo(`fleet-${++repoCount}`);
  pushAsHuman(url, seedFiles(), 'Publish production');
  return { url, at: { url, branch: 'main', path: FOLDER } };
}

/** The test server wants basic auth from every client, humans included. */
function authed(url: string): string {
  return url.replace('http://', 'http://ponyexpress-bot:s3cret-token@');
}
function pushAsHuman(url: string, files: Record<string, string>, message: string): void {
  pushCommit(url.startsWith('http') ? authed(url) : url, files, message);
}

const input = (over: Partial<WriteBackInput> = {}): WriteBackInput => ({
  by: { kind: 'Promotion', name: 'ponyshop-production/ponyshop' },
  app: 'ponyshop',
  repository: REPOSITORY,
  components: ['web', 'worker', 'beat'],
  image: IMAGE,
  tag: '1.5.0',
  purpose: 'Promotion',
  expected: `${REPOSITORY}:1.4.0`,
  migratedBy: 'ponyshop-migrate-0123456789',
  ...over,
});

function editFor(over: Partial<WriteBackInput> = {}) {
  return (snapshot: { files: Record<string, string> }) => {
    const decision = decideWriteBack(snapshot.files, input(over));
    return decision.kind === 'commit' ? { changes: decision.changes, message: decision.message } : undefined;
  };
}

function log(url: string): string[] {
  const dir = cloneRepo(authed(url));
  return git(dir, ['log', '--format=%an <%ae>|%s']).trim().split('\n');
}

test('a promotion is one commit over HTTPS with basic auth: Job, web, worker, beat together; message names image, digest, Promotion', async () => {
  const { url, at } = seededRepo();
  const client = new GitClient();
  const result = await client.commit(at, CREDS, AUTHOR, editFor());
  expect(result).toMatchObject({ committed: true, attempts: 1 });
  expect(remoteHead(authed(url))).toBe(result.sha);

  const dir = cloneRepo(authed(url));
  expect(git(dir, ['log', '--format=%an <%ae>', '-1']).trim()).toBe('Pony Express Bot <bot@ponyshop.example>');
  const message = git(dir, ['log', '--format=%B', '-1']);
  expect(message).toContain('Promote ponyshop to 1.5.0 sha256:cd34cd34cd34');
  expect(message).toContain(`Image: ${IMAGE}`);
  expect(message).toContain(`Digest: ${DIGEST}`);
  expect(message).toContain('Promotion: ponyshop-production/ponyshop');
  const changed = git(dir, ['show', '--no-renames', '--name-status', '--format=', 'HEAD'])
    .trim()
    .split('\n')
    .map((line) => line.replace(`${FOLDER}/`, '').replace(/-migrate-[0-9a-f]{10}/, '-migrate-<hash>'));
  expect(changed.sort()).toEqual([
    'A\t40-job-ponyshop-migrate-<hash>.yaml',
    'D\t40-job-ponyshop-migrate-<hash>.yaml',
    'M\t50-deployment-ponyshop-beat.yaml',
    'M\t50-deployment-ponyshop-web.yaml',
    'M\t50-deployment-ponyshop-worker.yaml',
    'M\tpromotion/promotion-ponyshop.yaml',
  ]);
  const files: Record<string, string> = {};
  for (const [path, bytes] of readTree(join(dir, FOLDER))) files[path] = bytes.toString();
  expect(managedImages(files, ['web', 'worker', 'beat'])).toEqual({
    web: IMAGE,
    worker: IMAGE,
    beat: IMAGE,
    migrate: IMAGE,
  });
  expect(client.counts).toEqual({ fetches: 1, pushes: 1, commits: 1 });

  // Again: Git already says so, no second commit.
  const again = await client.commit(at, CREDS, AUTHOR, editFor());
  expect(again).toEqual({ sha: result.sha, committed: false, attempts: 1 });
});

test('a human commit to another file meanwhile: fetched, re-applied on top, pushed; both commits kept', async () => {
  const { url, at } = seededRepo();
  let raced = false;
  const result = await new GitClient().commit(at, CREDS, AUTHOR, (snapshot) => {
    if (!raced) {
      raced = true;
      pushAsHuman(url, { 'README.md': 'fleet repo, edited by a human\n' }, 'Human edits the README');
    }
    return editFor()(snapshot);
  });
  expect(result).toMatchObject({ committed: true, attempts: 2 });
  expect(log(url).map((l) => l.split('|')[1])).toEqual([
    'Promote ponyshop to 1.5.0 sha256:cd34cd34cd34',
    'Human edits the README',
    'Publish production',
  ]);
});

test('a human commit changing a managed image meanwhile is drift: the operator commits nothing over it', async () => {
  const { url, at } = seededRepo();
  const human = `${REPOSITORY}:1.4.1-hotfix`;
  let raced = false;
  const decisions: string[] = [];
  const result = await new GitClient().commit(at, CREDS, AUTHOR, (snapshot) => {
    if (!raced) {
      raced = true;
      const web = seedFiles()[`${FOLDER}/50-deployment-ponyshop-web.yaml`];
      pushAsHuman(
        url,
        { [`${FOLDER}/50-deployment-ponyshop-web.yaml`]: web.split(`${REPOSITORY}:1.4.0`).join(human) },
        'Hotfix web by hand',
      );
    }
    const decision = decideWriteBack(snapshot.files, input());
    decisions.push(decision.kind === 'drift' ? decision.message : decision.kind);
    return decision.kind === 'commit' ? { changes: decision.changes, message: decision.message } : undefined;
  });
  expect(result.committed).toBe(false);
  expect(decisions[0]).toBe('commit');
  expect(decisions[1]).toMatch(
    /^Git says web runs ghcr.io\/ponyexpress\/ponyshop:1.4.1-hotfix, not .*:1.4.0 .*automation holds/,
  );
  expect(log(url)[0]).toContain('Hotfix web by hand');
});

test('a branch that keeps moving: bounded retries, then "rejected"; no operator commit reaches the server', async () => {
  const { url, at } = seededRepo();
  let n = 0;
  const client = new GitClient({ maxAttempts: 3 });
  const failure = await client
    .commit(at, CREDS, AUTHOR, (snapshot) => {
      pushAsHuman(url, { [`notes/${++n}.txt`]: `${n}\n` }, `Human commit ${n}`);
      return editFor()(snapshot);
    })
    .catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(GitWriteError);
  expect((failure as GitWriteError).failure).toBe('rejected');
  expect((failure as GitWriteError).message).toMatch(/rejected 3 times.*nothing was pushed/);
  expect(client.counts.pushes).toBe(3);
  expect(log(url).some((l) => l.includes('Promote'))).toBe(false);
});

test('wrong credentials: an "auth" failure, and the password is in no message', async () => {
  const { at } = seededRepo();
  const failure = await new GitClient()
    .commit(at, { kind: 'basic', username: 'ponyexpress-bot', password: 'wrong' }, AUTHOR, editFor())
    .catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(GitWriteError);
  expect((failure as GitWriteError).failure).toBe('auth');
  expect((failure as GitWriteError).message).not.toContain('wrong');
  const none = await new GitClient().read(at, { kind: 'none' }).catch((e: unknown) => e);
  expect((none as GitWriteError).failure).toBe('auth');
});

test('a server that refuses the push (protected branch, 403): "auth", nothing pushed', async () => {
  const { url, at } = seededRepo();
  const before = remoteHead(authed(url));
  http.rejectPushes = true;
  try {
    const failure = await new GitClient().commit(at, CREDS, AUTHOR, editFor()).catch((e: unknown) => e);
    expect((failure as GitWriteError).failure).toBe('auth');
  } finally {
    http.rejectPushes = false;
  }
  expect(remoteHead(authed(url))).toBe(before);
});

test('an unreachable server: "unreachable"', async () => {
  const failure = await new GitClient()
    .read({ url: 'http://127.0.0.1:9/nothing.git', branch: 'main', path: FOLDER }, CREDS)
    .catch((e: unknown) => e);
  expect((failure as GitWriteError).failure).toBe('unreachable');
});

test('git daemon (git://, no credentials) works the same', async () => {
  const url = daemon.createRepo('fleet-daemon');
  pushCommit(url, seedFiles(), 'Publish production');
  const at = { url, branch: 'main', path: FOLDER };
  const result = await new GitClient().commit(at, { kind: 'none' }, AUTHOR, editFor());
  expect(result.committed).toBe(true);
  expect(remoteHead(url)).toBe(result.sha);
});
