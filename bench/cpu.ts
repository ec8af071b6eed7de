// The operator's share of the CPUs: its main thread's time on a CPU and waiting for one, each thread's CPU,
// and, for --operator-cpu, a CPU of its own, as on a node apart from the control plane (Linux: /proc, taskset).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseSchedstat } from '../operator/runtime/loop-metrics.js';

/** A process's main thread: seconds on a CPU and seconds runnable but waiting for one, since it started. */
export function mainThreadSchedstat(pid: number): { cpu: number; wait: number } {
  const { cpuNs, waitNs } = parseSchedstat(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8'));
  return { cpu: cpuNs / 1e9, wait: waitNs / 1e9 };
}

/** A process's threads by name (MainThread, V8Worker, libuv-worker, ...): seconds on a CPU, summed per name. */
export function threadCpuByName(pid: number): Record<string, number> {
  const byName: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const { cpuNs } = parseSchedstat(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8'));
      byName[name] = (byName[name] ?? 0) + cpuNs / 1e9;
    } catch {
      // exited meanwhile
    }
  }
  return byName;
}

/** Every descendant of `root`, from the parent field of /proc/<pid>/stat. */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  for (let frontier = [root]; frontier.length;) {
    frontier = [...parent].filter(([, pp]) => frontier.includes(pp)).map(([pid]) => pid);
    found.push(...frontier);
  }
  return found;
}

/**
 * Frees CPU `cpu` for the operator: this bench and everything it started (the control plane, kwok) move to the
 * other CPUs, and what it starts later inherits that. Call it before starting the operator, which then runs on
 * `cpu` from its first instruction (OperatorProcess `cpus`). Pinned after its start instead, its first second
 * (in a restart, the start of its storm) ran on the apiserver's CPUs (docs/operator-bench.md).
 * Returns what it did, for the report.
 */
export function freeCpuForOperator(cpu: number): string {
  const all = cpus().length;
  const others = [...Array(all).keys()].filter((c) => c !== cpu);
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= all || others.length === 0)
    throw new Error(`--operator-cpu ${cpu}: needs a CPU number from 0 to ${all - 1} on a machine with 2 CPUs or more`);
  let pinned = 0;
  for (const pid of [process.pid, ...descendants(process.pid)]) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', others.join(','), String(pid)], { stdio: 'ignore' });
      pinned++;
    } catch {
      // exited meanwhile
    }
  }
  return `the operator alone on CPU ${cpu}; this bench and the ${pinned - 1} processes it started on CPU ${others.join(',')}`;
}
