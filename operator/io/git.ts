// The Git write-back client: reads one folder of the GitOps repository and commits a change to it as ONE
// commit, with the system `git` (the operator image installs Debian's). Every operation works in a fresh
// shallow clone in a temp folder that is removed afterwards, so nothing half-done survives a failure. A push
// the server rejects because the branch moved is fetched again and the change re-applied on top of the new
// head (the edit sees the new files, so a human's concurrent change is never overwritten); bounded, never
// forced. Credentials never appear in argv or in messages: HTTPS basic auth goes in through GIT_CONFIG_*
// environment variables, an SSH key through a 0600 file and GIT_SSH_COMMAND.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { explainSshRefusal, prepareSsh, SshSetupError } from './git-ssh.js';

/** HTTPS basic auth (`username`/`password` keys of the Secret) or an SSH key (`identity`, `known_hosts`). */
export type GitCredentials =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'ssh'; identity: string; knownHosts?: string }
  | { kind: 'none' };

export interface GitLocation {
  url: string;
  branch: string;
  /** Folder inside the repository (the environment's rendered manifests), '' for the root. */
  path: string;
}

export interface GitAuthor {
  name: string;
  email: string;
}

/** What failed: `auth` (the credentials), `rejected` (push refused after the retries), `unreachable`, `other`. */
export type GitFailure = 'auth' | 'rejected' | 'unreachable' | 'other';

export class GitWriteError extends Error {
  /** git's whole stderr (redacted), for callers that explain a failure better than its last lines. */
  readonly detail: string;
  constructor(
    readonly failure: GitFailure,
    message: string,
    detail = '',
  ) {
    super(redactUrl(message));
    this.name = 'GitWriteError';
    this.detail = redactUrl(detail);
  }
}

export interface FolderSnapshot {
  /** Commit the branch pointed to. '' for a branch that does not exist yet. */
  head: string;
  /** Files under the folder, path relative to it → UTF-8 content. */
  files: Record<string, string>;
}

/** What an edit of the folder decides: the changes (null deletes) and the message, or nothing to commit. */
export type FolderEdit = { changes: Record<string, string | null>; message: string } | undefined;

export interface CommitResult {
  /** The pushed commit, or the unchanged head when the edit had nothing to change. */
  sha: string;
  committed: boolean;
  /** Push attempts (1 when nobody pushed in between). */
  attempts: number;
}

export interface GitClientOptions {
  /** Push attempts before giving up on a branch that keeps moving. @default 3 */
  maxAttempts?: number;
  /** `git` executable. @default 'git' */
  gitPath?: string;
  /** Seconds before a git command is killed. @default 60 */
  timeoutSeconds?: number;
}

export class GitClient {
  private readonly maxAttempts: number;
  private readonly gitPath: string;
  private readonly timeoutMs: number;
  /** git processes run, for the numbers in the docs (commits per promotion, fetches per reconcile). */
  readonly counts = { fetches: 0, pushes: 0, commits: 0 };

  constructor(opts: GitClientOptions = {}) {
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.gitPath = opts.gitPath ?? 'git';
    this.timeoutMs = (opts.timeoutSeconds ?? 60) * 1000;
  }

  /** The folder at the branch's head. */
  async read(at: GitLocation, creds: GitCredentials): Promise<FolderSnapshot> {
    return this.withClone(at, creds, (session) => session.snapshot());
  }

  /**
   * Applies `edit` to the folder at the branch head and pushes one commit. On a rejected push it fetches the
   * new head and calls `edit` again with those files; after `maxAttempts` rejections it fails with
   * `rejected`. Nothing is pushed unless a whole change set is.
   */
  async commit(
    at: GitLocation,
    creds: GitCredentials,
    author: GitAuthor,
    edit: (snapshot: FolderSnapshot) => FolderEdit,
  ): Promise<CommitResult> {
    return this.withClone(at, creds, async (session) => {
      let lastError = '';
      for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
        if (attempt > 1) await session.refetch();
        const snapshot = await session.snapshot();
        const decided = edit(snapshot);
        if (!decided || Object.keys(decided.changes).length === 0)
          return { sha: snapshot.head, committed: false, attempts: attempt };
        const sha = await session.commitChanges(decided.changes, decided.message, author);
        this.counts.commits++;
        const pushed = await session.push();
        if (pushed === true) return { sha, committed: true, attempts: attempt };
        lastError = pushed;
      }
      throw new GitWriteError(
        'rejected',
        `git push to ${at.url} (${at.branch}) was rejected ${this.maxAttempts} times: the branch kept moving or refuses pushes; nothing was pushed (${lastError})`,
      );
    });
  }

  private async withClone<T>(at: GitLocation, creds: GitCredentials, run: (s: Session) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'ponyexpress-git-'));
    let publicKey = '';
    try {
      const { env, sshPublicKey } = await credentialEnv(creds, at.url, dir);
      publicKey = sshPublicKey;
      const session = new Session(this, at, join(dir, 'repo'), env);
      await session.init();
      return await run(session);
    } catch (err) {
      if (err instanceof SshSetupError) throw new GitWriteError('auth', err.message);
      if (creds.kind === 'ssh' && err instanceof GitWriteError && err.failure === 'auth') {
        const explained = await explainSshRefusal(err.detail, at.url, publicKey);
        if (explained) throw new GitWriteError('auth', `${at.url}: ${explained}`, err.detail);
      }
      throw err;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** @internal */
  run(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        this.gitPath,
        args,
        { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: this.timeoutMs },
        (err, stdout, stderr) => (err ? reject(new GitCommandError(args, String(stderr))) : resolve(String(stdout))),
      );
    });
  }
}

class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
  ) {
    super(`git ${args[0]} failed: ${lastLines(stderr)}`);
  }
}

class Session {
  private head = '';

  constructor(
    private readonly client: GitClient,
    private readonly at: GitLocation,
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private git(args: readonly string[]): Promise<string> {
    return this.client.run(this.dir, args, this.env);
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.git(['init', '--quiet']);
    await this.git(['remote', 'add', 'origin', this.at.url]);
    await this.refetch();
  }

  /** Fetches the branch (depth 1) and checks it out; a branch that does not exist yet starts empty. */
  async refetch(): Promise<void> {
    this.client.counts.fetches++;
    const remote = await this.classified(() => this.git(['ls-remote', 'origin', `refs/heads/${this.at.branch}`]));
    if (!remote.trim()) {
      this.head = '';
      await this.git(['symbolic-ref', 'HEAD', `refs/heads/${this.at.branch}`]);
      return;
    }
    await this.classified(() => this.git(['fetch', '--quiet', '--depth', '1', 'origin', this.at.branch]));
    await this.git(['checkout', '--quiet', '--force', '-B', this.at.branch, 'FETCH_HEAD']);
    this.head = (await this.git(['rev-parse', 'HEAD'])).trim();
  }

  async snapshot(): Promise<FolderSnapshot> {
    const root = join(this.dir, this.at.path);
    const files: Record<string, string> = {};
    const walk = async (current: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(current, { withFileTypes: true });
      } catch {
        return; // the folder does not exist (yet)
      }
      for (const entry of entries) {
        if (entry.name === '.git') continue;
        const full = join(current, entry.name);
        if (entry.isDirectory()) await walk(full);
        else files[relative(root, full)] = await readFile(full, 'utf8');
      }
    };
    await walk(root);
    return { head: this.head, files };
  }

  async commitChanges(changes: Record<string, string | null>, message: string, author: GitAuthor): Promise<string> {
    for (const [path, content] of Object.entries(changes)) {
      const full = join(this.dir, this.at.path, path);
      if (content === null) await rm(full, { force: true });
      else {
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, content);
      }
    }
    await this.git(['add', '--all', '--', this.at.path || '.']);
    const identity = ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`];
    const messageFile = join(dirname(this.dir), 'COMMIT_MESSAGE');
    await writeFile(messageFile, message);
    await this.git([...identity, 'commit', '--quiet', '--no-verify', '-F', messageFile]);
    return (await this.git(['rev-parse', 'HEAD'])).trim();
  }

  /** true when pushed; the server's words when the push was rejected (the caller refetches and retries). */
  async push(): Promise<true | string> {
    this.client.counts.pushes++;
    try {
      await this.git(['push', '--quiet', '--porcelain', 'origin', `HEAD:refs/heads/${this.at.branch}`]);
      return true;
    } catch (err) {
      if (!(err instanceof GitCommandError)) throw err;
      const failure = classify(err.stderr);
      if (failure === 'auth' || failure === 'unreachable') throw new GitWriteError(failure, err.message, err.stderr);
      return lastLines(err.stderr);
    }
  }

  private async classified<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof GitCommandError)) throw err;
      throw new GitWriteError(classify(err.stderr), `${this.at.url}: ${err.message}`, err.stderr);
    }
  }
}

/** Environment for git: never prompt, C locale (stable messages), and the credentials. */
async function credentialEnv(
  creds: GitCredentials,
  url: string,
  dir: string,
): Promise<{ env: NodeJS.ProcessEnv; sshPublicKey: string }> {
  let sshPublicKey = '';
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
  };
  const config: [string, string][] = [['credential.helper', '']];
  if (creds.kind === 'basic') {
    const token = Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
    config.push(['http.extraHeader', `Authorization: Basic ${token}`]);
  } else if (creds.kind === 'ssh') {
    const ssh = await prepareSsh(creds, url, dir);
    env.GIT_SSH_COMMAND = ssh.command;
    sshPublicKey = ssh.publicKey;
  }
  env.GIT_CONFIG_COUNT = String(config.length);
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return { env, sshPublicKey };
}

export function classify(stderr: string): GitFailure {
  if (
    /Authentication failed|could not read Username|terminal prompts disabled|Permission denied \(publickey|Host key verification failed|HTTP 401|returned error: 40[13]|The requested URL returned error: 401/i.test(
      stderr,
    )
  )
    return 'auth';
  if (
    /Could not resolve host|Connection refused|unable to connect|Couldn't connect|timed out|unable to access/i.test(
      stderr,
    )
  )
    return 'unreachable';
  return 'other';
}

/** The last few non-empty lines of git's stderr: the part that says what went wrong. */
export function lastLines(text: string, count = 3): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-count)
    .join(' | ');
}

/** Hides `user:token@` in URLs, so messages never print a credential. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s'"]*@/gi, '$1***@');
}
