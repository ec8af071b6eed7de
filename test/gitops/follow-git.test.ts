// Staging moves through Git (ImageFollow in Git mode), the pure decision against a REAL synthesised
// dist/staging/: the commit equals what `npm run synth` writes for that image (same naming and hashing as
// production's write-back), carries the Job the operator runs first, names the ImageFollow, image, digest and
// tag; Git that already says the image is up to date; a human's image in Git is drift, never overwritten.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { planStagingCommit, stagingCommitEdit } from '../../operator/core/follow-git.js';
import { managedImages, type Files } from '../../operator/core/gitops-files.js';
import { GitClient } from '../../operator/io/git.js';
import { GitStagingMover } from '../../operator/kube/follow-git.js';
import { cloneRepo, git, gitServerForThisFile, pushCommit, readTree, remoteHead, Workspace } from './support.js';

const daemon = gitServerForThisFile();

const REPOSITORY = 'ghcr.io/ponyexpress/ponyshop';
const DIGEST = `sha256:${'cd34'.repeat(16)}`;
const IMAGE = `${REPOSITORY}@${DIGEST}`;
const target = {
  follow: { namespace: 'ponyshop-staging', name: 'ponyshop' },
  app: 'ponyshop',
  repository: REPOSITORY,
  tag: 'sha-0a1b2c3',
  image: IMAGE,
};

const folder = (ws: Workspace): Files =>
  Object.fromEntries([...readTree(join(ws.dist, 'staging'))].map(([p, b]) => [p, b.toString('utf8')]));
const apply = (files: Files, changes: Record<string, string | null>): Files => {
  const out: Record<string, string> = { ...files };
  for (const [p, c] of Object.entries(changes))
    if (c === null) delete out[p];
    else out[p] = c;
  return out;
};

const baseline = new Workspace().synth();
const before = folder(baseline);
const was = managedImages(before, ['web']).web;

test('one commit: Job (renamed), web, worker, beat, byte for byte what synth writes for the digest', () => {
  const expected = new Workspace();
  const file = join(expected.configDir, 'staging.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.setIn(['image'], doc.createNode({ repository: REPOSITORY, digest: DIGEST }));
  writeFileSync(file, doc.toString());
  expected.synth();

  const decision = planStagingCommit(before, target, was, 'clusters/shop/staging');
  if (decision.kind !== 'commit') throw new Error(`expected a commit, got ${JSON.stringify(decision)}`);
  expect(apply(before, decision.changes)).toEqual(folder(expected));
  const written = Object.keys(decision.changes).filter((p) => decision.changes[p] !== null);
  expect(written.sort()).toEqual(
    [
      `40-job-${decision.job.metadata.name}.yaml`,
      '50-deployment-ponyshop-beat.yaml',
      '50-deployment-ponyshop-web.yaml',
      '50-deployment-ponyshop-worker.yaml',
    ].sort(),
  );
  expect(Object.values(decision.changes).filter((c) => c === null)).toHaveLength(1);
  // The Job the operator runs first is the committed one, in staging's namespace, on the new image.
  expect(decision.job.metadata).toMatchObject({ namespace: 'ponyshop-staging' });
  expect(JSON.stringify(decision.job.spec)).toContain(IMAGE);
  expect(decision.message.split('\n')[0]).toBe(`Follow ponyshop to sha-0a1b2c3 ${DIGEST.slice(0, 19)}`);
  expect(decision.message).toContain('ImageFollow: ponyshop-staging/ponyshop');
  expect(decision.message).toContain(`Image: ${IMAGE}`);
  expect(decision.message).toContain(`Digest: ${DIGEST}`);
  expect(decision.message).toContain('Tag: sha-0a1b2c3');
  expect(decision.message).toContain(`Migration-Job: ${decision.job.metadata.name}`);
});

test('Git that already says the image is up to date (a retried move commits nothing)', () => {
  const decision = planStagingCommit(before, target, was, 'staging');
  if (decision.kind !== 'commit') throw new Error('expected a commit');
  expect(planStagingCommit(apply(before, decision.changes), target, was, 'staging')).toEqual({ kind: 'upToDate' });
});

test("a human's image in Git is drift: nothing to commit over it", () => {
  const web = '50-deployment-ponyshop-web.yaml';
  const edited = { ...before, [web]: before[web].split(was).join(`${REPOSITORY}:hotfix`) };
  expect(planStagingCommit(edited, target, was, 'staging')).toMatchObject({
    kind: 'drift',
    component: 'web',
    found: `${REPOSITORY}:hotfix`,
  });
});

test('a folder without a migration Job commits nothing and says what is missing', () => {
  const noJob = Object.fromEntries(Object.entries(before).filter(([p]) => !p.includes('-job-')));
  const decision = planStagingCommit(noJob, target, was, 'clusters/shop/staging');
  expect(decision.kind).toBe('noJob');
  expect(decision.kind === 'noJob' && decision.message).toContain('clusters/shop/staging has no migration Job');
});

describe('against a real git server (git daemon): the push races a human', () => {
  const AUTHOR = { name: 'ponyexpress', email: 'ponyexpress@localhost' };
  let n = 0;
  const seeded = () => {
    const url = daemon.createRepo(`staging-${++n}`);
    pushCommit(url, Object.fromEntries(Object.entries(before).map(([p, c]) => [`staging/${p}`, c])), 'Publish staging');
    return { url, at: { url, branch: 'main', path: 'staging' } };
  };
  const jobName = () => {
    const d = planStagingCommit(before, target, was, 'staging');
    if (d.kind !== 'commit') throw new Error('expected a commit');
    return d.job.metadata.name;
  };

  test('a human commit to another file meanwhile: re-decided on the new head, one commit on top, both kept', async () => {
    const { url, at } = seeded();
    const edit = stagingCommitEdit(target, was, 'staging', jobName());
    let raced = false;
    const result = await new GitClient().commit(at, { kind: 'none' }, AUTHOR, (head) => {
      if (!raced) {
        raced = true;
        pushCommit(url, { 'README.md': 'edited by a human\n' }, 'Human edits the README');
      }
      return edit(head);
    });
    expect(result).toMatchObject({ committed: true, attempts: 2 });
    const subjects = git(cloneRepo(url), ['log', '--format=%s']).trim().split('\n');
    expect(subjects).toEqual([
      `Follow ponyshop to sha-0a1b2c3 ${DIGEST.slice(0, 19)}`,
      'Human edits the README',
      'Publish staging',
    ]);
  });

  test("a human's managed image meanwhile: nothing is committed over it (the head stays the human's)", async () => {
    const { url, at } = seeded();
    const edit = stagingCommitEdit(target, was, 'staging', jobName());
    const web = '50-deployment-ponyshop-web.yaml';
    let raced = false;
    const result = await new GitClient().commit(at, { kind: 'none' }, AUTHOR, (head) => {
      if (!raced) {
        raced = true;
        pushCommit(url, { [`staging/${web}`]: before[web].split(was).join(`${REPOSITORY}:hotfix`) }, 'Hotfix web');
      }
      return edit(head);
    });
    expect(result.committed).toBe(false);
    const human = remoteHead(url);
    expect(result.sha).toBe(human);
    expect(git(cloneRepo(url), ['log', '-1', '--format=%s']).trim()).toBe('Hotfix web');
  });
});

describe('the Git mover refuses cleanly: nothing is created in the cluster, the message names what to fix', () => {
  // The cluster must not be touched when Git cannot be read: a client that fails the test if it is.
  const untouched = {
    list: () => Promise.reject(new Error('the cluster was read although Git could not be')),
    create: () => Promise.reject(new Error('a Job was created although Git could not be read')),
  };
  const moveTarget = (url: string) => ({
    ...target,
    selector: { matchLabels: { a: 'b' } },
    migrationJobSelector: { matchLabels: { a: 'b' } },
    digest: DIGEST,
    git: { url, path: 'staging', secretRef: { name: 'fleet-git' } },
  });

  test('a Secret without usable keys: GitWriteFailed naming the Secret and the keys expected', async () => {
    const mover = new GitStagingMover({ client: untouched, secrets: async () => ({ token: 'x' }) });
    const result = await mover.move(moveTarget(daemon.createRepo('no-creds')));
    expect(result).toMatchObject({ state: 'Failed', reason: 'GitWriteFailed', permanent: false });
    expect(result.state === 'Failed' && result.message).toContain(
      'Secret ponyshop-staging/fleet-git has keys [token]; expected username and password (HTTPS) or identity and known_hosts (SSH)',
    );
  });

  test('an unreachable repository: GitWriteFailed (unreachable), retried later, nothing moves', async () => {
    const mover = new GitStagingMover({
      client: untouched,
      secrets: async () => ({ username: 'u', password: 'p' }),
    });
    const result = await mover.move(moveTarget('http://127.0.0.1:9/nowhere.git'));
    expect(result).toMatchObject({ state: 'Failed', reason: 'GitWriteFailed', permanent: false });
    expect(result.state === 'Failed' && result.message).toMatch(
      /^Git write-back to http:\/\/127\.0\.0\.1:9\/nowhere\.git \(main, staging\) failed: unreachable/,
    );
    expect(await mover.current(moveTarget('http://127.0.0.1:9/nowhere.git'))).toEqual({});
  });
});
