// Parity of the operator's Git write-back with synth: rewriting the images of a committed dist/production/
// must give, byte for byte and file for file, what `npm run synth` writes when environments/production.yaml
// names that image. If synth's naming, hashing or YAML writer changes, this fails until the operator follows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { writeFileSync } from 'node:fs';
import { managedImages, rewriteImages, type Files } from '../../operator/core/gitops-files.js';
import { readTree, removeTempDirs, Workspace } from './support.js';

afterAll(removeTempDirs);

const REPOSITORY = 'ghcr.io/ponyexpress/ponyshop';
const DIGEST = `sha256:${'ab12'.repeat(16)}`;

function folder(ws: Workspace, env: string): Files {
  const files: Record<string, string> = {};
  for (const [path, bytes] of readTree(join(ws.dist, env))) files[path] = bytes.toString('utf8');
  return files;
}

function setImage(ws: Workspace, image: { tag?: string; digest?: string }): void {
  const file = join(ws.configDir, 'production.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.setIn(['image'], doc.createNode({ repository: REPOSITORY, ...image }));
  writeFileSync(file, doc.toString());
}

function applyChanges(files: Files, changes: Record<string, string | null>): Files {
  const out: Record<string, string> = { ...files };
  for (const [path, content] of Object.entries(changes)) {
    if (content === null) delete out[path];
    else out[path] = content;
  }
  return out;
}

const baseline = new Workspace().synth();

test.each([
  ['a digest', { digest: DIGEST }, `${REPOSITORY}@${DIGEST}`],
  ['a tag', { tag: '1.5.0' }, `${REPOSITORY}:1.5.0`],
])('promoting %s rewrites dist/production exactly as synth does', (_, image, reference) => {
  const expected = new Workspace();
  setImage(expected, image);
  expected.synth();

  const before = folder(baseline, 'production');
  const { changes, jobName } = rewriteImages(before, {
    app: 'ponyshop',
    repository: REPOSITORY,
    image: reference,
    components: ['web', 'worker', 'beat'],
  });
  const after = applyChanges(before, changes);

  expect(Object.keys(after).sort()).toEqual(Object.keys(folder(expected, 'production')).sort());
  expect(after).toEqual(folder(expected, 'production'));
  // One Job file out, one in; the three workloads and the Promotion's Job template change; nothing else.
  expect(Object.values(changes).filter((c) => c === null)).toHaveLength(1);
  expect(Object.keys(changes).filter((p) => changes[p] !== null)).toEqual(
    expect.arrayContaining([
      `40-job-${jobName}.yaml`,
      '50-deployment-ponyshop-web.yaml',
      '50-deployment-ponyshop-worker.yaml',
      '50-deployment-ponyshop-beat.yaml',
      'promotion/promotion-ponyshop.yaml',
    ]),
  );
  expect(Object.keys(changes)).toHaveLength(6);
  expect(managedImages(after, ['web', 'worker', 'beat'])).toEqual({
    web: reference,
    worker: reference,
    beat: reference,
    migrate: reference,
  });
});

test('the same image again changes nothing', () => {
  const files = folder(baseline, 'production');
  const current = managedImages(files, ['web', 'worker', 'beat']).web;
  const { changes } = rewriteImages(files, {
    app: 'ponyshop',
    repository: REPOSITORY,
    image: current,
    components: ['web', 'worker', 'beat'],
  });
  expect(changes).toEqual({});
});
