// Publishes dist/ to a GitOps repository: shallow clone into a temp dir, replace `<path>/<env>/` for every
// environment folder of dist/, commit what changed, push. A push rejected because someone pushed meanwhile
// is retried once on top of their commit; nothing changed means no commit.
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { PublishOptions } from './args.js';
import { git, GitError, lastLines, redactUrl } from './git.js';
import { changedEnvironments, commitMessage } from './plan.js';

export class PublishError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PublishError';
  }
}

export interface PublishHooks {
  /** Runs right before each push attempt (1, then 2 after a rejection). Tests use it to race a push. */
  readonly beforePush?: (attempt: number) => Promise<void> | void;
}

export interface PublishRequest extends PublishOptions {
  /** Where `git rev-parse HEAD` names the source commit. @default process.cwd() */
  readonly sourceDir?: string;
  /** @default none */
  readonly hooks?: PublishHooks;
}

export interface PublishResult {
  /** The environment folders found in dist/. */
  readonly environments: string[];
  /** Changed environments with their number of changed files; empty when the repository already matched. */
  readonly changed: ReadonlyMap<string, number>;
  /** The pushed commit; undefined when nothing changed. */
  readonly commit?: string;
  /** Push attempts made (0 when nothing changed, 2 after one rejection). */
  readonly attempts: number;
}

const MAX_PUSH_ATTEMPTS = 2;

export async function publishGitops(req: PublishRequest): Promise<PublishResult> {
  const dist = path.resolve(req.dist);
  const environments = listEnvironments(dist);
  const sourceCommit = await git(req.sourceDir ?? process.cwd(), ['rev-parse', 'HEAD']).then(
    (out) => out.trim(),
    () => undefined,
  );
  const url = redactUrl(req.repo);
  const work = mkdtempSync(path.join(tmpdir(), 'ponyexpress-gitops-'));
  try {
    await checkoutBranch(work, req.repo, req.branch, url);
    for (let attempt = 1; ; attempt++) {
      const changed = await stageEnvironments(work, dist, environments, req.path);
      if (changed.size === 0) return { environments, changed, attempts: attempt - 1 };
      await commit(work, commitMessage({ sourceCommit, changed, message: req.message }));
      await req.hooks?.beforePush?.(attempt);
      try {
        await git(work, ['push', '--quiet', 'origin', `HEAD:refs/heads/${req.branch}`]);
        const commitSha = (await git(work, ['rev-parse', 'HEAD'])).trim();
        return { environments, changed, commit: commitSha, attempts: attempt };
      } catch (err) {
        if (!(err instanceof GitError)) throw err;
        if (!isRejection(err.stderr)) throw new PublishError(`push to ${url} (${req.branch}) failed: ${said(err)}`);
        if (attempt >= MAX_PUSH_ATTEMPTS) {
          throw new PublishError(
            `push to ${url} (${req.branch}) was rejected ${attempt} times: someone else keeps pushing to ${req.branch}. ` +
              `Nothing was published; run the command again. git said: ${said(err)}`,
          );
        }
        // Someone pushed meanwhile: start again from their commit and re-apply dist/ on top of it.
        await git(work, ['reset', '--quiet', '--hard', await fetchBranch(work, req.branch)]);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Every non-hidden folder of dist/ is an environment (staging, production, operator, …). */
export function listEnvironments(dist: string): string[] {
  if (!existsSync(dist) || !statSync(dist).isDirectory()) {
    throw new PublishError(`${dist} does not exist: run npm run synth first`);
  }
  const envs = readdirSync(dist, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  if (envs.length === 0) throw new PublishError(`${dist} has no environment folders: run npm run synth first`);
  return envs;
}

/** An empty repo in `work` on `branch`: the remote branch's tip (depth 1) when it exists, else unborn. */
async function checkoutBranch(work: string, repo: string, branch: string, url: string): Promise<void> {
  await git(work, ['init', '--quiet']);
  await git(work, ['remote', 'add', 'origin', repo]);
  let heads: string;
  try {
    heads = await git(work, ['ls-remote', '--heads', 'origin', `refs/heads/${branch}`]);
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    throw new PublishError(`cannot reach the GitOps repository ${url}: ${said(err)}`);
  }
  if (heads.trim()) {
    await git(work, ['checkout', '--quiet', '-B', branch, await fetchBranch(work, branch)]);
  } else {
    await git(work, ['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
  }
}

/** Fetches the remote branch's tip (depth 1) and returns the ref that now holds it. */
async function fetchBranch(work: string, branch: string): Promise<string> {
  const ref = `refs/remotes/origin/${branch}`;
  await git(work, ['fetch', '--quiet', '--depth', '1', 'origin', `+refs/heads/${branch}:${ref}`]);
  return ref;
}

/** Replaces `<repoPath>/<env>/` by dist/<env>/ for every environment and stages it; returns what changed. */
async function stageEnvironments(work: string, dist: string, envs: readonly string[], repoPath: string) {
  const targets = envs.map((env) => path.posix.join(repoPath, env));
  for (const [i, env] of envs.entries()) {
    const target = path.join(work, targets[i]);
    rmSync(target, { recursive: true, force: true });
    cpSync(path.join(dist, env), target, { recursive: true });
  }
  await git(work, ['add', '--all', '--', ...targets]);
  const staged = (await git(work, ['diff', '--cached', '--no-renames', '--name-only', '-z']))
    .split('\0')
    .filter(Boolean);
  return changedEnvironments(staged, envs, repoPath);
}

/** Commits as the user's git identity, or as ponyexpress when none is configured (e.g. a bare CI runner). */
async function commit(work: string, message: string): Promise<void> {
  const hasIdentity = await Promise.all([git(work, ['config', 'user.name']), git(work, ['config', 'user.email'])]).then(
    () => true,
    () => false,
  );
  const identity = hasIdentity ? [] : ['-c', 'user.name=ponyexpress', '-c', 'user.email=ponyexpress@localhost'];
  await git(work, [...identity, 'commit', '--quiet', '--no-verify', '-m', message]);
}

/** What git said, without credentials. */
function said(err: GitError): string {
  return redactUrl(lastLines(err.stderr));
}

// git prints "[rejected] … (fetch first)" or "(non-fast-forward)" when the branch moved under us.
function isRejection(stderr: string): boolean {
  return /\[rejected\]|non-fast-forward|fetch first|failed to update ref|cannot lock ref/.test(stderr);
}
