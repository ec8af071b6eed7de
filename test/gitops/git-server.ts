// A real git server on loopback for the tests: `git daemon` serving bare repositories from a temp folder,
// with pushes enabled. Started per test file, stopped in afterAll.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../checkapp/services/free-port.js';

export class GitDaemon {
  readonly base = mkdtempSync(join(tmpdir(), 'ponyexpress-gitd-'));
  private process?: ChildProcess;
  private port = 0;

  async start(): Promise<void> {
    this.port = await freePort();
    // Its own process group, so stop() also ends the per-connection children git daemon forks.
    this.process = spawn(
      'git',
      [
        'daemon',
        '--reuseaddr',
        `--base-path=${this.base}`,
        '--export-all',
        '--enable=receive-pack',
        '--listen=127.0.0.1',
        `--port=${this.port}`,
        this.base,
      ],
      { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    this.process.stderr!.on('data', (chunk) => (stderr += chunk));
    const deadline = Date.now() + 15_000;
    while (!(await accepts(this.port))) {
      if (this.process.exitCode !== null || Date.now() > deadline)
        throw new Error(`git daemon did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Creates an empty bare repository `<name>.git` whose default branch is main; returns its git:// URL. */
  createRepo(name: string): string {
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', join(this.base, `${name}.git`)]);
    return this.url(name);
  }

  url(name: string): string {
    return `git://127.0.0.1:${this.port}/${name}.git`;
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

export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
