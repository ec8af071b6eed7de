// The operator's share of the CPUs: its main thread's time on a CPU and waiting for one, each thread's CPU,
// and where it runs: shared, a CPU of its own (--operator-cpu), or first in line (--operator-rt)
// (Linux: /proc, taskset, chrt).
import { execFileSync, spawnSync } from 'node:child_process';
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
function freeCpuForOperator(cpu: number): string {
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

export interface Placement {
  /** The command that starts the operator (OperatorProcess `launcher`); none: node itself. */
  launcher?: string[];
  /** Applied once the operator is up (each start and restart), with its PID. */
  started?: (pid: number) => void;
  /** What the report says of it. */
  describe: string;
}

/**
 * Where the operator runs. Shared by default: everything on every CPU, the kernel's fair share. `cpu`: alone on
 * that CPU, the control plane on the others, as on a node of its own; here that leaves the control plane one
 * core. `realtime`: every CPU, the operator first in line under SCHED_RR: a runnable thread of it takes a CPU at
 * once, and the control plane has both cores the rest of the time. That is a node where the operator's CPU is
 * there when it asks (a CPU request on a node with room), on a machine too small to give it a core and the
 * control plane two. Its main thread is above its other threads: at one priority, a helper thread held the
 * CPU the loop waited for through a whole 100 ms round-robin slice (run RT3, docs/operator-bench.md).
 */
export function placeOperator(opts: { cpu?: number; realtime: boolean }): Placement {
  if (opts.cpu !== undefined && opts.realtime)
    throw new Error('--operator-cpu and --operator-rt are two placements: give one of them');
  if (opts.cpu !== undefined)
    return { launcher: ['taskset', '-c', String(opts.cpu)], describe: freeCpuForOperator(opts.cpu) };
  if (!opts.realtime) return { describe: 'shared by all' };
  const launcher = ['chrt', '--rr', '2'];
  const probe = spawnSync(launcher[0], [...launcher.slice(1), 'true'], { encoding: 'utf8' });
  if (probe.status !== 0)
    throw new Error(
      `--operator-rt: \`${launcher.join(' ')} true\` failed (${(probe.stderr || probe.error?.message || '').trim()}); ` +
        'it needs CAP_SYS_NICE and a real-time budget (/proc/sys/kernel/sched_rt_runtime_us, and cpu.rt_runtime_us of a cgroup v1 cpu group)',
    );
  const started = (pid: number) => {
    for (const tid of readdirSync(`/proc/${pid}/task`).filter((t) => t !== String(pid))) {
      try {
        execFileSync('chrt', ['--rr', '-p', '1', tid], { stdio: 'ignore' });
      } catch {
        // exited meanwhile
      }
    }
  };
  return {
    launcher,
    started,
    describe:
      "every CPU shared; the operator's main thread first in line (SCHED_RR 2), its other threads next (SCHED_RR 1)",
  };
}
