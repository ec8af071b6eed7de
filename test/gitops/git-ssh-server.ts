// A real git server over SSH for the tests: OpenSSH's `sshd -D` with a private config in a temp folder, on a
// free loopback port, with a fresh host key and one authorized client key (fresh ed25519) whose forced command
// is `git-shell`, serving bare repositories from the same temp folder. It logs in as the user running the
// tests (root included, key only). Needs Debian's openssh-server: a machine without it fails loudly here.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../checkapp/services/free-port.js';
import { accepts } from './git-server.js';

const SSHD = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => existsSync(p));

export class GitSshServer {
  readonly base = mkdtempSync(join(tmpdir(), 'ponyexpress-gitssh-'));
  readonly user = userInfo().username;
  /** The client's private key (OpenSSH format), as a Secret's `identity` would hold it. */
  clientKey = '';
  /** `known_hosts` lines that trust this server's host key, as a Secret's `known_hosts` would hold them. */
  knownHosts = '';
  /** The server's host key fingerprint (`SHA256:…`). */
  hostFingerprint = '';
  port = 0;
  private process?: ChildProcess;

  async start(): Promise<void> {
    if (!SSHD)
      throw new Error(
        'sshd not found (/usr/sbin/sshd): the SSH write-back tests need a real OpenSSH server. Install it: sudo apt-get install openssh-server (npm test runs scripts/setup-system.sh, which does so as root).',
      );
    const keygen = (file: string, comment: string) =>
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', join(this.base, file)]);
    keygen('host_key', 'test-host');
    keygen('client_key', 'test-client');
    this.clientKey = readFileSync(join(this.base, 'client_key'), 'utf8');
    this.hostFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(this.base, 'host_key.pub')], {
      encoding: 'utf8',
    }).split(' ')[1];
    // git-shell runs only git's own upload/receive-pack: the key can reach git, nothing else.
    const forced = 'restrict,command="git-shell -c \\"$SSH_ORIGINAL_COMMAND\\""';
    writeFileSync(
      join(this.base, 'authorized_keys'),
      `${forced} ${readFileSync(join(this.base, 'client_key.pub'), 'utf8')}`,
      {
        mode: 0o600,
      },
    );
    // As root, sshd insists on its privilege separation folder; Debian creates it only when the service starts.
    if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    this.port = await freePort();
    const config = join(this.base, 'sshd_config');
    writeFileSync(
      config,
      [
        `ListenAddress 127.0.0.1:${this.port}`,
        `HostKey ${join(this.base, 'host_key')}`,
        `AuthorizedKeysFile ${join(this.base, 'authorized_keys')}`,
        `PidFile ${join(this.base, 'sshd.pid')}`,
        `AllowUsers ${this.user}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'UsePAM no',
        'StrictModes no', // the temp folder is not the user's home
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
    this.process = spawn(SSHD, ['-D', '-e', '-f', config], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    this.process.stderr!.on('data', (chunk) => (stderr += chunk));
    this.log = () => stderr;
    const deadline = Date.now() + 15_000;
    while (!(await accepts(this.port))) {
      if (this.process.exitCode !== null || Date.now() > deadline) throw new Error(`sshd did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const hostPub = readFileSync(join(this.base, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    this.knownHosts = `[127.0.0.1]:${this.port} ${hostPub}\n`;
  }

  /** What sshd wrote to stderr so far (its log). */
  log: () => string = () => '';

  /** Creates an empty bare repository whose default branch is main; returns its ssh:// URL. */
  createRepo(name: string): string {
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', this.repoPath(name)]);
    return this.url(name);
  }

  /** The bare repository on disk (tests seed and read it directly, without SSH). */
  repoPath(name: string): string {
    return join(this.base, `${name}.git`);
  }

  url(name: string): string {
    return `ssh://${this.user}@127.0.0.1:${this.port}${this.repoPath(name)}`;
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    rmSync(this.base, { recursive: true, force: true });
  }
}
