// SSH for the Git write-back client: the key and known_hosts as 0600 files in the clone's temp folder (never
// argv, never a message), host keys checked strictly (StrictHostKeyChecking=yes, never accept-new), and
// ssh's terse refusals ("Host key verification failed", "Permission denied (publickey)") turned into
// messages that name the host and say what would be right: the key line the server offers (by ssh-keyscan,
// with its fingerprint, for a human to check) or the public key to authorise.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SshTarget {
  user?: string;
  host: string;
  port: number;
}

/** Host and port of an `ssh://[user@]host[:port]/path` or scp-like `[user@]host:path` URL; else undefined. */
export function sshTarget(url: string): SshTarget | undefined {
  if (/^(ssh|git\+ssh|ssh\+git):\/\//i.test(url)) {
    const u = new URL(url.replace(/^[a-z+]+:/i, 'ssh:'));
    return {
      ...(u.username ? { user: u.username } : {}),
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: Number(u.port || 22),
    };
  }
  const scp = /^(?:([^@/]+)@)?([^:/]+):(?!\/\/)/.exec(url);
  return scp ? { ...(scp[1] ? { user: scp[1] } : {}), host: scp[2], port: 22 } : undefined;
}

/** How known_hosts names the target: `host`, or `[host]:port` off port 22. */
export function knownHostsName(t: SshTarget): string {
  return t.port === 22 ? t.host : `[${t.host}]:${t.port}`;
}

/** The command that prints the server's host key lines. */
export function keyscanCommand(t: SshTarget): string {
  return t.port === 22 ? `ssh-keyscan ${t.host}` : `ssh-keyscan -p ${t.port} ${t.host}`;
}

/** What to do when known_hosts is empty (for the Secret's message and the client's own refusal). */
export function knownHostsHint(url: string): string {
  const t = sshTarget(url);
  const where = t
    ? `${knownHostsName(t)}, e.g. from \`${keyscanCommand(t)}\``
    : 'the Git server, e.g. from ssh-keyscan';
  return `SSH host keys are checked strictly (never accept-new); add known_hosts with the host key line of ${where}, after comparing its fingerprint with the one the Git host publishes`;
}

export class SshSetupError extends Error {}

/**
 * Writes `identity` and `known_hosts` (0600) into `dir`, checks the key with `ssh-keygen -y` and returns
 * GIT_SSH_COMMAND and the key's public line. Throws SshSetupError for a missing known_hosts or an unusable key.
 */
export async function prepareSsh(
  creds: { identity: string; knownHosts?: string },
  url: string,
  dir: string,
): Promise<{ command: string; publicKey: string }> {
  if (!creds.knownHosts?.trim()) throw new SshSetupError(`no known_hosts for ${url}: ${knownHostsHint(url)}`);
  const key = join(dir, 'identity');
  await writeFile(key, creds.identity.endsWith('\n') ? creds.identity : `${creds.identity}\n`, { mode: 0o600 });
  const knownHosts = join(dir, 'known_hosts');
  await writeFile(knownHosts, creds.knownHosts, { mode: 0o600 });
  let publicKey: string;
  try {
    publicKey = (await run('ssh-keygen', ['-y', '-P', '', '-f', key])).trim();
  } catch (err) {
    throw new SshSetupError(
      `the SSH identity is not a usable SSH private key (ssh-keygen: ${(err as Error).message}); expected an unencrypted private key in OpenSSH or PEM form, e.g. made by \`ssh-keygen -t ed25519 -N ''\``,
    );
  }
  const quote = (path: string) => `'${path.replace(/'/g, `'\\''`)}'`;
  const command = [
    'ssh -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes',
    `-o UserKnownHostsFile=${quote(knownHosts)} -i ${quote(key)}`,
  ].join(' ');
  return { command, publicKey };
}

/** A clearer message for ssh's refusals in git's stderr, or undefined when it is something else. */
export async function explainSshRefusal(stderr: string, url: string, publicKey: string): Promise<string | undefined> {
  const t = sshTarget(url);
  if (!t) return undefined;
  const name = knownHostsName(t);
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|host key is known/i.test(stderr)) {
    const changed = /REMOTE HOST IDENTIFICATION HAS CHANGED/.test(stderr)
      ? ' holds a different key for it'
      : ' has no line for it';
    let offered: string;
    try {
      const lines = (await run('ssh-keyscan', ['-T', '5', '-p', String(t.port), t.host])).trim();
      if (!lines) throw new Error('no key received');
      const prints = (await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', '-'], lines))
        .trim()
        .split('\n')
        .map((l) => `${l.split(' ')[1]} (${l.split(' ').pop()?.replace(/[()]/g, '')})`);
      offered = `The server offers ${prints.join(', ')}. If that is its key (compare with the fingerprint its admin or Git host publishes), put this into known_hosts: ${lines.split('\n').join(' / ')}`;
    } catch (err) {
      offered = `Could not read the key it offers (${(err as Error).message}); get it with \`${keyscanCommand(t)}\` and check its fingerprint`;
    }
    return `ssh refused the host key of ${name}: the Secret's known_hosts${changed} (StrictHostKeyChecking=yes, never accept-new). ${offered}`;
  }
  if (/Permission denied \(publickey/i.test(stderr)) {
    const fingerprint = (await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', '-'], publicKey).catch(() => '')).split(
      ' ',
    )[1];
    return `${name} refused the SSH key in identity${fingerprint ? ` (${fingerprint})` : ''}${t.user ? ` for user ${t.user}` : ''}: authorise its public key ${publicKey} on the server (on a Git host: a deploy key with write access)`;
  }
  return undefined;
}

function run(file: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { timeout: 15_000, env: { PATH: process.env.PATH, LC_ALL: 'C' } },
      (err, stdout, stderr) =>
        err ? reject(new Error(String(stderr).trim().split('\n').pop() || err.message)) : resolve(String(stdout)),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
