// Which host and port an SSH remote names, and how known_hosts and ssh-keyscan spell it: the words of every
// SSH refusal depend on these (the refusals themselves run against a real sshd in test/gitops/writeback-ssh).
import { keyscanCommand, knownHostsHint, knownHostsName, sshTarget } from '../../../operator/io/git-ssh.js';

describe('sshTarget', () => {
  it.each([
    ['ssh://git@git.example.com/acme/fleet.git', { user: 'git', host: 'git.example.com', port: 22 }],
    ['ssh://git@git.example.com:2222/acme/fleet.git', { user: 'git', host: 'git.example.com', port: 2222 }],
    ['git+ssh://git.example.com/fleet.git', { host: 'git.example.com', port: 22 }],
    ['ssh://git@[::1]:2222/fleet.git', { user: 'git', host: '::1', port: 2222 }],
    ['git@github.com:acme/fleet.git', { user: 'git', host: 'github.com', port: 22 }],
    ['gitlab.example.com:acme/fleet.git', { host: 'gitlab.example.com', port: 22 }],
  ])('%s', (url, target) => expect(sshTarget(url)).toEqual(target));

  it.each(['https://git.example.com/fleet.git', 'git://127.0.0.1:9418/fleet.git', '/srv/git/fleet.git'])(
    '%s is not SSH',
    (url) => expect(sshTarget(url)).toBeUndefined(),
  );
});

describe('known_hosts and ssh-keyscan spelling', () => {
  it('port 22 is the bare host; any other port is [host]:port and -p port', () => {
    expect(knownHostsName({ host: 'github.com', port: 22 })).toBe('github.com');
    expect(knownHostsName({ host: '127.0.0.1', port: 2222 })).toBe('[127.0.0.1]:2222');
    expect(keyscanCommand({ host: 'github.com', port: 22 })).toBe('ssh-keyscan github.com');
    expect(keyscanCommand({ host: '127.0.0.1', port: 2222 })).toBe('ssh-keyscan -p 2222 127.0.0.1');
    expect(knownHostsHint('git@github.com:acme/fleet.git')).toContain(
      'host key line of github.com, e.g. from `ssh-keyscan github.com`',
    );
  });
});
