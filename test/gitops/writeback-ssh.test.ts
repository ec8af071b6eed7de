// Git write-back over SSH against a real OpenSSH server (test/gitops/git-ssh-server.ts: sshd + git-shell):
// the Secret's `identity` and `known_hosts` go through the operator's own path (gitCredentials, then
// GitClient), host keys are checked strictly and a refusal says what would be right, and the key reaches ssh
// only as a 0600 file in a temp folder that is gone afterwards (never argv, never a message).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { GitClient, GitWriteError, type FolderEdit, type GitLocation } from '../../operator/io/git.js';
import { gitCredentials } from '../../operator/kube/gitops.js';
import { GitSshServer } from './git-ssh-server.js';
import { cloneRepo, git, pushCommit, remoteHead, removeTempDirs } from './support.js';

jest.setTimeout(60_000);
const sshd = new GitSshServer();
beforeAll(() => sshd.start());
afterAll(async () => {
  await sshd.stop();
  removeTempDirs();
});

const SECRET = { namespace: 'ponyshop-production', name: 'fleet-git' };
const AUTHOR = { name: 'Pony Express Bot', email: 'bot@ponyshop.example' };
const FOLDER = 'clusters/ponyshop/production';
const WEB = `${FOLDER}/50-deployment-ponyshop-web.yaml`;

let repoCount = 0;
/** A bare repository seeded on disk (not over SSH), and where the operator writes. */
function seededRepo(): { path: string; at: GitLocation } {
  const name = `fleet-${++repoCount}`;
  const url = sshd.createRepo(name);
  const path = sshd.repoPath(name);
  pushCommit(path, { [WEB]: 'image: ghcr.io/acme/ponyshop:1.4.0\n', 'README.md': 'fleet\n' }, 'Publish production');
  return { path, at: { url, branch: 'main', path: FOLDER } };
}

const bump = (): FolderEdit => ({
  changes: { '50-deployment-ponyshop-web.yaml': 'image: ghcr.io/acme/ponyshop:1.5.0\n' },
  message: 'Promote ponyshop to 1.5.0',
});

/** A fresh ed25519 key pair (private key text, `ssh-ed25519 AAAA…` public line). */
function freshKey(): { privateKey: string; publicLine: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ponyexpress-key-'));
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'other', '-f', join(dir, 'k')]);
    return {
      privateKey: readFileSync(join(dir, 'k'), 'utf8'),
      publicLine: readFileSync(join(dir, 'k.pub'), 'utf8').split(' ').slice(0, 2).join(' '),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The middle of a PEM body: any leak of the key would contain it. */
const keyBody = (key: string) => key.split('\n')[2];

async function failure(run: Promise<unknown>): Promise<GitWriteError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GitWriteError);
  return err as GitWriteError;
}

test('a promotion commit over ssh:// with the Secret identity and known_hosts: read, commit, push', async () => {
  const { path, at } = seededRepo();
  const creds = gitCredentials(SECRET, at.url, { identity: sshd.clientKey, known_hosts: sshd.knownHosts });
  const client = new GitClient();
  const read = await client.read(at, creds);
  expect(read.files['50-deployment-ponyshop-web.yaml']).toBe('image: ghcr.io/acme/ponyshop:1.4.0\n');
  const result = await client.commit(at, creds, AUTHOR, bump);
  expect(result).toMatchObject({ committed: true, attempts: 1 });
  expect(remoteHead(path)).toBe(result.sha);
  const clone = cloneRepo(path);
  expect(git(clone, ['log', '-1', '--format=%an <%ae>|%s']).trim()).toBe(
    'Pony Express Bot <bot@ponyshop.example>|Promote ponyshop to 1.5.0',
  );
  expect(readFileSync(join(clone, WEB), 'utf8')).toBe('image: ghcr.io/acme/ponyshop:1.5.0\n');
  // sshd saw a publickey login by that key, through git-shell.
  expect(sshd.log()).toMatch(/Accepted publickey for \S+ from 127\.0\.0\.1/);
});

test('the key reaches ssh only as a 0600 file in a temp folder, removed afterwards; never in argv', async () => {
  const { at } = seededRepo();
  // A recording `ssh` first on PATH: its argv, the -i file's mode, and the environment git gave it.
  const spy = mkdtempSync(join(tmpdir(), 'ponyexpress-sshspy-'));
  const record = join(spy, 'record');
  writeFileSync(
    join(spy, 'ssh'),
    [
      '#!/bin/sh',
      `{ echo "ARGV $*"; prev=; for a in "$@"; do [ "$prev" = -i ] && echo "KEY $a $(stat -c %a "$a")"; prev=$a; done; env | sed 's/^/ENV /'; } >> ${record}`,
      'exec /usr/bin/ssh "$@"',
      '',
    ].join('\n'),
  );
  chmodSync(join(spy, 'ssh'), 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${spy}:${path}`;
  try {
    const creds = gitCredentials(SECRET, at.url, { identity: sshd.clientKey, known_hosts: sshd.knownHosts });
    expect((await new GitClient().commit(at, creds, AUTHOR, bump)).committed).toBe(true);
  } finally {
    process.env.PATH = path;
  }
  const lines = readFileSync(record, 'utf8');
  rmSync(spy, { recursive: true, force: true });
  expect(lines).toContain('ARGV ');
  expect(lines).not.toContain(keyBody(sshd.clientKey));
  expect(lines).not.toContain('PRIVATE KEY');
  const keys = [...lines.matchAll(/^KEY (\S+) (\d+)$/gm)];
  expect(keys.length).toBeGreaterThanOrEqual(2); // ls-remote/fetch and push
  for (const [, file, mode] of keys) {
    expect(mode).toBe('600');
    expect(file.startsWith(tmpdir())).toBe(true);
    expect(existsSync(file)).toBe(false);
  }
  expect(lines).toMatch(/StrictHostKeyChecking=yes/);
  expect(lines).not.toMatch(/accept-new|StrictHostKeyChecking=no/);
  expect(sshd.log()).not.toContain(keyBody(sshd.clientKey));
});

test('a Secret with identity but no known_hosts is refused before any connection, naming the host and the fix', () => {
  const { at } = seededRepo();
  let err: unknown;
  try {
    gitCredentials(SECRET, at.url, { identity: sshd.clientKey });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(GitWriteError);
  const { failure: kind, message } = err as GitWriteError;
  expect(kind).toBe('auth');
  expect(message).toContain('Secret ponyshop-production/fleet-git');
  expect(message).toContain(`[127.0.0.1]:${sshd.port}`);
  expect(message).toContain(`ssh-keyscan -p ${sshd.port} 127.0.0.1`);
  expect(message).not.toContain(keyBody(sshd.clientKey));
});

test('known_hosts without this host, or with another key for it: refused (no accept-new); the message names the host, the key it offers and the line to add', async () => {
  const otherHost = `other.example ${freshKey().publicLine}\n`;
  const impostor = `[127.0.0.1]:${sshd.port} ${freshKey().publicLine}\n`;
  const hostLine = sshd.knownHosts.trim();
  for (const knownHosts of [otherHost, impostor]) {
    const { path, at } = seededRepo();
    const before = remoteHead(path);
    const creds = gitCredentials(SECRET, at.url, { identity: sshd.clientKey, known_hosts: knownHosts });
    const err = await failure(new GitClient().commit(at, creds, AUTHOR, bump));
    expect(err.failure).toBe('auth');
    expect(err.message).toContain(`host key of [127.0.0.1]:${sshd.port}`);
    expect(err.message).toContain(sshd.hostFingerprint);
    expect(err.message).toContain(hostLine);
    expect(err.message).not.toContain(keyBody(sshd.clientKey));
    expect(remoteHead(path)).toBe(before);
  }
});

test('an identity that is not a private key: a clear "auth" error before connecting; the text is not echoed', async () => {
  const { at } = seededRepo();
  const garbage =
    '-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==notakey\n-----END OPENSSH PRIVATE KEY-----\n';
  const creds = gitCredentials(SECRET, at.url, { identity: garbage, known_hosts: sshd.knownHosts });
  const err = await failure(new GitClient().read(at, creds));
  expect(err.failure).toBe('auth');
  expect(err.message).toMatch(/identity is not a usable SSH private key/);
  expect(err.message).toMatch(/ssh-keygen -t ed25519/);
  expect(err.message).not.toContain('bm90IGEga2V5');
});

test('a passphrase-protected identity: refused before connecting, saying an unencrypted key is expected', async () => {
  const { at } = seededRepo();
  const dir = mkdtempSync(join(tmpdir(), 'ponyexpress-key-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a passphrase', '-f', join(dir, 'k')]);
  const locked = readFileSync(join(dir, 'k'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
  const creds = gitCredentials(SECRET, at.url, { identity: locked, known_hosts: sshd.knownHosts });
  const err = await failure(new GitClient().read(at, creds));
  expect(err.failure).toBe('auth');
  expect(err.message).toMatch(/not a usable SSH private key \(ssh-keygen: .*passphrase.*\); expected an unencrypted/);
});

test('a valid key the server does not know: "auth", naming the key fingerprint to authorize', async () => {
  const { path, at } = seededRepo();
  const stranger = freshKey();
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', '-'], {
    input: stranger.publicLine,
    encoding: 'utf8',
  }).split(' ')[1];
  const creds = gitCredentials(SECRET, at.url, { identity: stranger.privateKey, known_hosts: sshd.knownHosts });
  const before = remoteHead(path);
  const err = await failure(new GitClient().commit(at, creds, AUTHOR, bump));
  expect(err.failure).toBe('auth');
  expect(err.message).toContain(`[127.0.0.1]:${sshd.port} refused the SSH key`);
  expect(err.message).toContain(fingerprint);
  expect(err.message).toContain(stranger.publicLine);
  expect(err.message).not.toContain(keyBody(stranger.privateKey));
  expect(remoteHead(path)).toBe(before);
});

test('a Secret without identity (or username/password) names the keys it has and expects', () => {
  expect(() => gitCredentials(SECRET, 'ssh://git@127.0.0.1/x.git', { known_hosts: sshd.knownHosts })).toThrow(
    'Secret ponyshop-production/fleet-git has keys [known_hosts]; expected username and password (HTTPS) or identity and known_hosts (SSH)',
  );
  expect(() => gitCredentials(SECRET, 'ssh://git@127.0.0.1/x.git', { token: 'x' })).toThrow(
    'Secret ponyshop-production/fleet-git has keys [token]; expected username and password (HTTPS) or identity and known_hosts (SSH)',
  );
});
