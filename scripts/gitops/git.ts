// The one place that runs the system `git`. Never prompts (a CI job would hang on a credential prompt) and
// keeps stderr, so callers can tell "unreachable" from "rejected" and show git's own words.
import { execFile } from 'node:child_process';
// One home for both: the operator image ships operator/ only, and scripts may import lower layers.
import { lastLines, redactUrl } from '../../operator/io/git.js';

export { lastLines, redactUrl };

export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(redactUrl(`git ${args.join(' ')} failed (exit ${exitCode}): ${lastLines(stderr)}`));
    this.name = 'GitError';
  }
}

/** Runs `git <args>` in `cwd` and returns its stdout; throws GitError on a non-zero exit. */
export function git(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'echo', LC_ALL: 'C' },
      },
      (err, stdout, stderr) => {
        if (err) reject(new GitError(args, String(stderr), typeof err.code === 'number' ? err.code : null));
        else resolve(String(stdout));
      },
    );
  });
}
