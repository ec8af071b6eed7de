// Pure decisions of a publish: which environments a staged change touches, and the commit message.
import { posix } from 'node:path';

/**
 * Environments touched by the staged changes, in the order of `envs`.
 * @param changedPaths paths relative to the repository root, as `git diff --cached --name-only` prints them
 * @param repoPath the `--path` folder ('' for the root)
 */
export function changedEnvironments(
  changedPaths: readonly string[],
  envs: readonly string[],
  repoPath: string,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const env of envs) {
    const prefix = `${posix.join(repoPath, env)}/`;
    const count = changedPaths.filter((file) => file.startsWith(prefix)).length;
    if (count > 0) counts.set(env, count);
  }
  return counts;
}

export interface CommitMessageInput {
  /** `git rev-parse HEAD` of the source repository, when it is one. */
  readonly sourceCommit?: string;
  /** Changed environments with the number of changed files each. */
  readonly changed: ReadonlyMap<string, number>;
  /** The user's own first line (`--message`). */
  readonly message?: string;
}

export function commitMessage({ sourceCommit, changed, message }: CommitMessageInput): string {
  const envs = [...changed.keys()];
  const source = sourceCommit ? `ponyexpress ${sourceCommit.slice(0, 12)}` : 'ponyexpress (source commit unknown)';
  const subject = message?.trim() || `Publish ${envs.join(', ')} from ${source}`;
  const body = [
    `Source-Commit: ${sourceCommit ?? 'unknown'}`,
    ...[...changed].map(([env, files]) => `Changed: ${env} (${files} file${files === 1 ? '' : 's'})`),
  ];
  return `${subject}\n\n${body.join('\n')}\n`;
}
