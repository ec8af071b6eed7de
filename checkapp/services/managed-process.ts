import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

export interface ManagedProcessOptions {
  /** Program and arguments, exactly as exec'd (no shell). */
  argv: string[];
  /** The complete environment; nothing is inherited from the test process. */
  env: Record<string, string>;
  cwd: string;
  /** Mirror stdout and stderr into this file as well as the in-memory buffer. @default no file */
  logFile?: string;
  /** Run as this user (e.g. postgres, which refuses to run as root). @default the current user */
  uid?: number;
  gid?: number;
  /** Label used in error messages. @default argv[0] */
  name?: string;
}

const live = new Set<ManagedProcess>();

// Safety net: whatever happens to a test, no server or app process outlives
// the jest worker. Each process leads its own group, so children die too.
const killAll = () => {
  for (const p of live) p.killGroup('SIGKILL');
};
process.on('exit', killAll);
// A signal would end the test process without an 'exit' event: clean up, then die of it as before.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.kill(process.pid, signal);
  });
}

/**
 * A child process in its own process group with its output captured.
 * Signals from signal() go to the leader only, like the kubelet's SIGTERM to PID 1.
 */
export class ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * Resolves once stdout and stderr are closed: after the exit, and after any forked child that
   * kept them open has gone too (stop() and killGroup() see to that).
   */
  readonly closed: Promise<void>;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  private out = '';
  private readonly log?: WriteStream;

  constructor(options: ManagedProcessOptions) {
    const [file, ...args] = options.argv;
    if (!file) throw new Error('ManagedProcess: empty argv');
    this.name = options.name ?? file;
    this.log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
    this.child = spawn(file, args, {
      env: options.env,
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this);
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      this.out = (this.out + text).slice(-200_000);
      this.log?.write(text);
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    // The log ends on 'close', not 'exit': a forked child may hold the pipes and write after the leader exits.
    this.closed = new Promise((resolve) => {
      this.child.on('close', () => {
        if (this.log) this.log.end(resolve);
        else resolve();
      });
    });
    this.exited = new Promise((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        this.exitCode = code;
        this.exitSignal = signal;
        live.delete(this);
        resolve({ code, signal });
      };
      this.child.on('exit', done);
      this.child.on('error', (err) => {
        collect(Buffer.from(`spawn error: ${err.message}\n`));
        done(127, null);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === null && this.exitSignal === null && live.has(this);
  }

  output(): string {
    return this.out;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Signal the whole process group (cleanup of forked children). */
  killGroup(signal: NodeJS.Signals): void {
    if (this.pid === undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // already gone
    }
  }

  /** Resolves with the exit, or with `undefined` when it is still running after timeoutMs. */
  async waitForExit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM the leader, SIGKILL the group after graceMs; always reaps forked children. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.running) {
      this.signal('SIGTERM');
      if ((await this.waitForExit(graceMs)) === undefined) this.killGroup('SIGKILL');
      await this.exited;
    }
    this.killGroup('SIGKILL');
  }
}

/** Run to completion; resolves with exit code and output (never rejects on a non-zero exit). */
export async function runToCompletion(
  options: ManagedProcessOptions,
  timeoutMs: number,
): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  const p = new ManagedProcess(options);
  const result = await p.waitForExit(timeoutMs);
  if (result === undefined) await p.stop(1_000);
  // Output still in the pipes at the exit; bounded, since a daemon it forked may keep them open.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.closed, new Promise((r) => (timer = setTimeout(r, 1_000)))]);
  clearTimeout(timer);
  return { code: p.exitCode, output: p.output(), timedOut: result === undefined };
}

/** Poll until check() resolves truthy, or throw after timeoutMs with the last error. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${String(lastError)}` : lastError ? `: ${JSON.stringify(lastError)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
