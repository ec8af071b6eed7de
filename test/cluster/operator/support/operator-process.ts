// The operator as a real child process (`node --import tsx operator/runtime/main.ts`), one
// process so SIGKILL really kills it. Its JSON log lines are kept for assertions and written
// to a file for post-mortems.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { OPERATOR_ENTRY, OPERATOR_NODE_FLAGS } from '../../../../contract/index.js';
import { waitUntil } from '../../harness/index.js';

const REPO = resolve(import.meta.dirname, '../../../..');
export const OPERATOR_LOG_DIR = join(REPO, 'test/cluster/.logs');

export interface OperatorProcessOptions {
  /** A kubeconfig with the operator ServiceAccount's token (never the admin one). */
  kubeconfig: string;
  namespace: string;
  watchNamespaces: string[];
  identity: string;
  /** Extra PONYEXPRESS_* settings. */
  env?: Record<string, string>;
  /**
   * `ts`: the sources through tsx (tests: nothing to build). `js`: build/operator/runtime/main.js
   * from `npx tsc -p tsconfig.build.json`, as the container runs it (the benchmark's RSS).
   * @default 'ts'
   */
  entry?: 'ts' | 'js';
  /** V8 flags on the command line. @default OPERATOR_NODE_FLAGS, as the chart runs it */
  nodeFlags?: readonly string[];
  /**
   * A command that runs it from its first instruction, the node command line appended: `taskset -c 1` or
   * `chrt --rr 2` (bench/cpu.ts, the bench's CPU placements). @default none, node itself
   */
  launcher?: readonly string[];
}

export interface LogRecord {
  time: string;
  level: string;
  msg: string;
  [k: string]: unknown;
}

export class OperatorProcess {
  readonly logs: LogRecord[] = [];
  private child?: ChildProcess;
  private exit?: Promise<number | null>;
  metricsPort = 0;

  constructor(private readonly o: OperatorProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    mkdirSync(OPERATOR_LOG_DIR, { recursive: true });
    const file = createWriteStream(join(OPERATOR_LOG_DIR, `operator-${this.o.identity}.log`), { flags: 'a' });
    const args = [
      ...(this.o.nodeFlags ?? OPERATOR_NODE_FLAGS),
      ...(this.o.entry === 'js' ? [OPERATOR_ENTRY] : ['--import', 'tsx', 'operator/runtime/main.ts']),
    ];
    const [command, ...argv] = [...(this.o.launcher ?? []), process.execPath, ...args];
    const child = spawn(command, argv, {
      cwd: REPO,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        KUBECONFIG: this.o.kubeconfig,
        POD_NAMESPACE: this.o.namespace,
        POD_NAME: this.o.identity,
        PONYEXPRESS_WATCH_NAMESPACES: this.o.watchNamespaces.join(','),
        PONYEXPRESS_METRICS_PORT: '0',
        PONYEXPRESS_METRICS_HOST: '127.0.0.1',
        PONYEXPRESS_LEASE_DURATION_SECONDS: '4',
        PONYEXPRESS_LEASE_RETRY_SECONDS: '1',
        PONYEXPRESS_WATCH_TIMEOUT_SECONDS: '20',
        PONYEXPRESS_INFORMER_WATCHDOG_SECONDS: '45',
        PONYEXPRESS_LOG_LEVEL: 'debug',
        ...this.o.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exit = new Promise((r) => child.once('exit', (code) => r(code)));
    child.stderr.pipe(file, { end: false });
    createInterface(child.stdout).on('line', (line) => {
      file.write(line + '\n');
      try {
        const rec = JSON.parse(line) as LogRecord;
        this.logs.push(rec);
        if (rec.msg === 'operator starting') this.metricsPort = rec.metricsPort as number;
      } catch {
        /* not ours */
      }
    });
    await waitUntil(async () => this.metricsPort > 0, {
      what: `operator ${this.o.identity} to start`,
      timeoutMs: 30_000,
      failIf: () => (this.running ? null : `exited early (log: ${OPERATOR_LOG_DIR}/operator-${this.o.identity}.log)`),
    });
  }

  /** SIGKILL: no cleanup, no lease release, exactly like an OOM kill or node loss. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exit;
  }

  /** SIGTERM and wait for the graceful shutdown. */
  async stop(): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    this.child!.kill('SIGTERM');
    return this.exit!;
  }

  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`);
    return res.text();
  }

  /** Sum of a counter across label sets matching `filter` (a substring of the label block). */
  async counter(name: string, filter = ''): Promise<number> {
    const text = await this.metrics();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name) || line.startsWith(`${name}_`) || !line.includes(filter)) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  /** A histogram's cumulative bucket counts (by upper bound, +Inf last), summed across label sets matching `filter`. */
  async histogram(name: string, filter = ''): Promise<{ le: number; count: number }[]> {
    const sums = new Map<number, number>();
    for (const line of (await this.metrics()).split('\n')) {
      if (!line.startsWith(`${name}_bucket{`) || !line.includes(filter)) continue;
      const le = Number(/le="([^"]+)"/.exec(line)![1].replace('+Inf', 'Infinity'));
      sums.set(le, (sums.get(le) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
    }
    return [...sums].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
  }

  /** The /readyz body: `ok`, or the reason it is not ready. */
  async readyz(): Promise<string> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.metricsPort}/readyz`);
      return (await res.text()).trim();
    } catch (err) {
      return `unreachable: ${String(err)}`;
    }
  }

  async ready(): Promise<boolean> {
    return (await this.readyz()) === 'ok';
  }

  isLeader(): boolean {
    const last = [...this.logs].reverse().find((r) => r.msg === 'became leader' || r.msg === 'lost leadership');
    return last?.msg === 'became leader';
  }
}
