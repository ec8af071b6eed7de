// Command-line parsing for `npm run publish:gitops`. Pure: argv in, options or a UsageError out.
import { parseArgs } from 'node:util';

export interface PublishOptions {
  /** URL (or path) of the GitOps repository that Argo CD or Flux watches. Required. */
  readonly repo: string;
  /** Branch to publish to; created when the repository does not have it yet. @default main */
  readonly branch: string;
  /** Folder inside the GitOps repository that receives `<env>/` folders. @default '' (the repository's root) */
  readonly path: string;
  /** Commit message's first line. @default derived from the source commit and the changed environments */
  readonly message?: string;
  /** The synthesised output to publish, one folder per environment. @default dist */
  readonly dist: string;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(
      `${message}\nusage: npm run publish:gitops -- --repo <git url> [--branch main] [--path <dir>] [--message <msg>] [--dist dist]`,
    );
    this.name = 'UsageError';
  }
}

export function parsePublishArgs(argv: readonly string[]): PublishOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        repo: { type: 'string' },
        branch: { type: 'string', default: 'main' },
        path: { type: 'string', default: '' },
        message: { type: 'string' },
        dist: { type: 'string', default: 'dist' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!values.repo) throw new UsageError('--repo is required');
  if (!values.branch || !isValidBranch(values.branch))
    throw new UsageError(`--branch: "${values.branch}" is not a valid branch name`);
  if (values.message !== undefined && !values.message.trim()) throw new UsageError('--message must not be empty');
  return {
    repo: values.repo,
    branch: values.branch,
    path: normalizeRepoPath(values.path),
    dist: values.dist,
    ...(values.message !== undefined ? { message: values.message } : {}),
  };
}

/** `--path` is a folder inside the GitOps repository: relative, no `..`, no `.git`, no trailing slash. */
export function normalizeRepoPath(raw: string): string {
  const parts = raw.split('/').filter((part) => part !== '' && part !== '.');
  if (raw.startsWith('/')) throw new UsageError(`--path: "${raw}" must be relative to the repository's root`);
  if (parts.some((part) => part === '..' || part === '.git')) {
    throw new UsageError(`--path: "${raw}" must stay inside the repository (no "..", no ".git")`);
  }
  return parts.join('/');
}

// A conservative subset of git-check-ref-format: enough to refuse typos and option-like names.
function isValidBranch(name: string): boolean {
  return (
    /^[A-Za-z0-9._/-]+$/.test(name) &&
    !name.startsWith('-') &&
    !name.startsWith('/') &&
    !name.endsWith('/') &&
    !name.endsWith('.lock') &&
    !name.includes('..') &&
    !name.includes('//')
  );
}
