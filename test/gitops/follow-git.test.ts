// Staging moves through Git (ImageFollow in Git mode), the pure decision against a REAL synthesised
// dist/staging/: the commit equals what `npm run synth` writes for that image (same naming and hashing as
// production's write-back), carries the Job the operator runs first, names the ImageFollow, image, digest and
// tag; Git that already says the image is up to date; a human's image in Git is drift, never overwritten.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { planStagingCommit } from '../../operator/core/follow-git.js';
import { managedImages, type Files } from '../../operator/core/gitops-files.js';
import { readTree, removeTempDirs, Workspace } from './support.js';

afterAll(removeTempDirs);

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
