// Publishing dist/ to a GitOps repository served by a real `git daemon` on loopback.
import { join } from 'node:path';
import {
  cloneRepo,
  git,
  gitServerForThisFile,
  pushCommit,
  readTree,
  remoteHead,
  tempDir,
  Workspace,
} from './support.js';
import { publishGitops, PublishError } from '../../scripts/gitops/publish.js';

const server = gitServerForThisFile();

// The source checkout whose HEAD the commit message names: a repo of its own, so a commit landing in this
// project's checkout while the tests run cannot change the expected message.
const SOURCE = tempDir('gitops-source');
git(SOURCE, ['init', '--quiet']);
git(SOURCE, ['commit', '--quiet', '--allow-empty', '-m', 'source']);
const sourceCommit = git(SOURCE, ['rev-parse', 'HEAD']).trim();

/** The files of `<path>/<env>/` for every environment folder, from a tree read by readTree. */
function envFiles(tree: Map<string, Buffer>, prefix: string): Map<string, Buffer> {
  return new Map(
    [...tree].filter(([file]) => file.startsWith(prefix)).map(([file, bytes]) => [file.slice(prefix.length), bytes]),
  );
}

function expectTreeMatchesDist(clone: string, dist: string, repoPath = ''): void {
  const distTree = readTree(dist);
  const repoTree = readTree(repoPath ? join(clone, repoPath) : clone);
  for (const env of new Set([...distTree.keys()].map((file) => file.split('/')[0]))) {
    const published = envFiles(repoTree, `${env}/`);
    const expected = envFiles(distTree, `${env}/`);
    expect([...published.keys()]).toEqual([...expected.keys()]);
    for (const [file, bytes] of expected) expect(published.get(file)!.equals(bytes)).toBe(true);
  }
}

describe('a GitOps repository with other content', () => {
  const ws = new Workspace().synth();
  let url: string;

  beforeAll(() => {
    url = server.createRepo('fleet');
    pushCommit(
      url,
      {
        'README.md': '# fleet\n',
        'infra/cert-manager.yaml': 'kind: Namespace\n',
        'staging/99-configmap-removed.yaml': 'stale\n',
      },
      'seed',
    );
  });

  test('the first publish replaces every environment folder and leaves other folders alone', async () => {
    const result = await publishGitops({ repo: url, branch: 'main', path: '', dist: ws.dist, sourceDir: SOURCE });
    expect(result.environments).toEqual(['operator', 'production', 'staging']);
    expect([...result.changed.keys()]).toEqual(['operator', 'production', 'staging']);
    expect(result.commit).toBe(remoteHead(url));

    const clone = cloneRepo(url);
    expectTreeMatchesDist(clone, ws.dist);
    const tree = readTree(clone);
    expect(tree.has('staging/99-configmap-removed.yaml')).toBe(false);
    expect(tree.get('README.md')!.toString()).toBe('# fleet\n');
    expect(tree.get('infra/cert-manager.yaml')!.toString()).toBe('kind: Namespace\n');
    const message = git(clone, ['log', '-1', '--format=%B']);
    expect(message).toContain(`from ponyexpress ${sourceCommit.slice(0, 12)}`);
    expect(message).toContain(`Source-Commit: ${sourceCommit}`);
    expect(message).toMatch(/^Changed: staging \(\d+ files\)$/m);
  });

  test('publishing the same dist/ again makes no commit', async () => {
    const before = remoteHead(url);
    const result = await publishGitops({ repo: url, branch: 'main', path: '', dist: ws.dist, sourceDir: SOURCE });
    expect(result.commit).toBeUndefined();
    expect(result.changed.size).toBe(0);
    expect(result.attempts).toBe(0);
    expect(remoteHead(url)).toBe(before);
  });

  test("a new staging image gives exactly one commit touching only staging's files", async () => {
    const before = remoteHead(url);
    ws.setImageTag('staging', '1.6.0');
    ws.synth();
    const result = await publishGitops({ repo: url, branch: 'main', path: '', dist: ws.dist, sourceDir: SOURCE });
    expect([...result.changed.keys()]).toEqual(['staging']);

    const clone = cloneRepo(url);
    expect(git(clone, ['rev-parse', 'HEAD~1']).trim()).toBe(before);
    const touched = git(clone, ['diff', '--no-renames', '--name-only', 'HEAD~1', 'HEAD']).trim().split('\n');
    expect(touched.length).toBeGreaterThan(0);
    expect(touched.every((file) => file.startsWith('staging/'))).toBe(true);
    expect(result.changed.get('staging')).toBe(touched.length);
    // The new tag's migration Job replaces the old one: the removed object's file is gone.
    expect(git(clone, ['diff', '--no-renames', '--name-status', 'HEAD~1', 'HEAD'])).toMatch(
      /^D\tstaging\/40-job-ponyshop-migrate-/m,
    );
    expect(git(clone, ['log', '-1', '--format=%s']).trim()).toBe(
      `Publish staging from ponyexpress ${sourceCommit.slice(0, 12)}`,
    );
    expectTreeMatchesDist(clone, ws.dist);
  });

  test('a push that lands meanwhile is fetched, dist/ is re-applied on top and pushed once more', async () => {
    ws.setImageTag('staging', '1.7.0');
    ws.synth();
    const result = await publishGitops({
      repo: url,
      branch: 'main',
      path: '',
      dist: ws.dist,
      sourceDir: SOURCE,
      hooks: {
        beforePush: (attempt) => {
          if (attempt === 1) pushCommit(url, { 'infra/ingress-nginx.yaml': 'kind: Namespace\n' }, 'someone else');
        },
      },
    });
    expect(result.attempts).toBe(2);

    const clone = cloneRepo(url);
    expect(git(clone, ['log', '-2', '--format=%s']).trim().split('\n')).toEqual([
      `Publish staging from ponyexpress ${sourceCommit.slice(0, 12)}`,
      'someone else',
    ]);
    expect(readTree(clone).has('infra/ingress-nginx.yaml')).toBe(true);
    expectTreeMatchesDist(clone, ws.dist);
  });

  test('a push rejected on the retry as well fails clearly and publishes nothing', async () => {
    ws.setImageTag('staging', '1.8.0');
    ws.synth();
    let competing = 0;
    const attempt = publishGitops({
      repo: url,
      branch: 'main',
      path: '',
      dist: ws.dist,
      sourceDir: SOURCE,
      hooks: { beforePush: () => pushCommit(url, { [`infra/busy-${++competing}.yaml`]: 'x\n' }, `busy ${competing}`) },
    });
    await expect(attempt).rejects.toThrow(PublishError);
    await expect(attempt).rejects.toThrow(
      /was rejected 2 times: someone else keeps pushing to main\. Nothing was published/,
    );
    expect(git(cloneRepo(url), ['log', '-1', '--format=%s']).trim()).toBe('busy 2');
  });
});

test('an empty repository gets the branch and the folders under --path', async () => {
  const ws = new Workspace().synth();
  const url = server.createRepo('empty');
  const result = await publishGitops({
    repo: url,
    branch: 'gitops',
    path: 'clusters/ponyshop',
    dist: ws.dist,
    sourceDir: SOURCE,
  });
  expect(result.commit).toBe(remoteHead(url, 'gitops'));
  const clone = cloneRepo(url, 'gitops');
  expect([...new Set([...readTree(clone).keys()].map((f) => f.split('/').slice(0, 3).join('/')))]).toEqual([
    'clusters/ponyshop/operator',
    'clusters/ponyshop/production',
    'clusters/ponyshop/staging',
  ]);
  expectTreeMatchesDist(clone, ws.dist, 'clusters/ponyshop');
});

test('an unreachable repository is named in the error', async () => {
  const ws = new Workspace().synth();
  const missing = server.url('does-not-exist');
  await expect(publishGitops({ repo: missing, branch: 'main', path: '', dist: ws.dist })).rejects.toThrow(
    new RegExp(`^cannot reach the GitOps repository ${missing.replace(/[.]/g, '\\.')}: `),
  );
  await expect(
    publishGitops({ repo: 'https://user:s3cret@127.0.0.1:9/fleet.git', branch: 'main', path: '', dist: ws.dist }),
  ).rejects.toThrow(/^cannot reach the GitOps repository https:\/\/\*\*\*@127\.0\.0\.1:9\/fleet\.git: (?!.*s3cret)/);
});
