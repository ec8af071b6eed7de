// The pure parts of `npm run publish:gitops`: arguments, what changed, the commit message.
import { normalizeRepoPath, parsePublishArgs, UsageError } from '../../scripts/gitops/args.js';
import { redactUrl } from '../../scripts/gitops/git.js';
import { changedEnvironments, commitMessage } from '../../scripts/gitops/plan.js';

describe('parsePublishArgs', () => {
  test('defaults: branch main, the repository root, dist/', () => {
    expect(parsePublishArgs(['--repo', 'git@example.com:fleet.git'])).toEqual({
      repo: 'git@example.com:fleet.git',
      branch: 'main',
      path: '',
      dist: 'dist',
    });
  });

  test('every option', () => {
    expect(
      parsePublishArgs([
        '--repo',
        'https://example.com/fleet.git',
        '--branch',
        'release/eu',
        '--path',
        './clusters//eu/',
        '--message',
        'Ship it',
        '--dist',
        'out',
      ]),
    ).toEqual({
      repo: 'https://example.com/fleet.git',
      branch: 'release/eu',
      path: 'clusters/eu',
      message: 'Ship it',
      dist: 'out',
    });
  });

  test.each([
    [[], /^--repo is required\nusage: npm run publish:gitops -- --repo <git url>/],
    [['--repo'], /argument missing/],
    [['--repo', 'x', '--force'], /Unknown option '--force'/],
    [['--repo', 'x', 'extra'], /positional argument/],
    [['--repo', 'x', '--branch=-main'], /^--branch: "-main" is not a valid branch name/],
    [['--repo', 'x', '--branch', 'a..b'], /^--branch: "a\.\.b" is not a valid branch name/],
    [['--repo', 'x', '--path', '../elsewhere'], /^--path: "\.\.\/elsewhere" must stay inside the repository/],
    [['--repo', 'x', '--path', '/abs'], /^--path: "\/abs" must be relative to the repository's root/],
    [['--repo', 'x', '--message', '  '], /^--message must not be empty/],
  ])('%j is refused', (argv, message) => {
    expect(() => parsePublishArgs(argv)).toThrow(UsageError);
    expect(() => parsePublishArgs(argv)).toThrow(message);
  });

  test('a .git path segment is refused', () => {
    expect(() => normalizeRepoPath('a/.git/hooks')).toThrow(/must stay inside the repository/);
  });
});

test('redactUrl hides credentials and nothing else', () => {
  expect(redactUrl('https://bot:ghp_secret@github.com/org/fleet.git')).toBe('https://***@github.com/org/fleet.git');
  expect(redactUrl('git@github.com:org/fleet.git')).toBe('git@github.com:org/fleet.git');
  expect(redactUrl('git://127.0.0.1:9418/fleet.git')).toBe('git://127.0.0.1:9418/fleet.git');
  expect(redactUrl("fatal: unable to access 'https://x:tok@h/a.git/': 403")).toBe(
    "fatal: unable to access 'https://***@h/a.git/': 403",
  );
});

describe('changedEnvironments', () => {
  const envs = ['operator', 'production', 'staging'];
  test('counts changed files per environment folder under the path, in environment order', () => {
    const changed = changedEnvironments(
      [
        'clusters/eu/staging/a.yaml',
        'clusters/eu/staging/argocd/b.yaml',
        'clusters/eu/operator/c.yaml',
        'clusters/eu/stagingx/d.yaml',
        'staging/e.yaml',
      ],
      envs,
      'clusters/eu',
    );
    expect([...changed]).toEqual([
      ['operator', 1],
      ['staging', 2],
    ]);
  });
  test('nothing staged, nothing changed', () => {
    expect(changedEnvironments([], envs, '').size).toBe(0);
  });
});

describe('commitMessage', () => {
  const changed = new Map([
    ['production', 1],
    ['staging', 6],
  ]);
  test('names the source commit and every changed environment', () => {
    expect(commitMessage({ sourceCommit: '0123456789abcdef0123456789abcdef01234567', changed })).toBe(
      'Publish production, staging from ponyexpress 0123456789ab\n\n' +
        'Source-Commit: 0123456789abcdef0123456789abcdef01234567\nChanged: production (1 file)\nChanged: staging (6 files)\n',
    );
  });
  test("without a source repository, and with the user's own subject", () => {
    expect(commitMessage({ changed, message: ' Roll out 1.6.0 ' })).toBe(
      'Roll out 1.6.0\n\nSource-Commit: unknown\nChanged: production (1 file)\nChanged: staging (6 files)\n',
    );
    expect(commitMessage({ changed })).toMatch(
      /^Publish production, staging from ponyexpress \(source commit unknown\)\n/,
    );
  });
});
