// What the hypervisor took from this machine while a bench ran: /proc/stat's steal time per vCPU, sampled
// every 100 ms. A vCPU descheduled by the host stalls whatever runs on it, so no process's wall-clock
// event-loop delay on that machine can be promised below what one window lost (docs/operator-bench.md).
import { readFileSync } from 'node:fs';

/** Jiffies per second of /proc/stat (USER_HZ, 100 on every Linux this runs on). */
const HZ = 100;

type Counters = Map<string, { steal: number; total: number }>;

function read(): Counters | undefined {
  try {
    const out: Counters = new Map();
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^(cpu\d+)\s+(.*)$/.exec(line);
      if (!m) continue;
      const v = m[2].split(/\s+/).map(Number);
      out.set(m[1], { steal: v[7] ?? 0, total: v.slice(0, 8).reduce((a, b) => a + b, 0) });
    }
    return out.size ? out : undefined;
  } catch {
    return undefined; // not Linux: nothing to say
  }
}

export class StealSampler {
  private last = read();
  private readonly timer: NodeJS.Timeout;
  private windows = 0;
  private halfOrMore = 0;
  private worstMs = 0;
  private stolen = 0;
  private total = 0;

  constructor(intervalMs = 100) {
    this.timer = setInterval(() => this.sample(), intervalMs).unref();
  }

  private sample(): void {
    const now = read();
    if (!now || !this.last) return;
    for (const [cpu, c] of now) {
      const before = this.last.get(cpu);
      if (!before) continue;
      const steal = c.steal - before.steal;
      const total = c.total - before.total;
      if (total <= 0) continue;
      this.windows++;
      this.stolen += steal;
      this.total += total;
      if (steal * 2 >= total && steal > 0) this.halfOrMore++;
      this.worstMs = Math.max(this.worstMs, (steal * 1000) / HZ);
    }
    this.last = now;
  }

  /** One line for the bench's table, and stops sampling. */
  summary(): string {
    clearInterval(this.timer);
    if (!this.windows) return 'unknown (no /proc/stat)';
    const share = ((this.stolen / this.total) * 100).toFixed(1);
    return `${share}% of all CPU time; ${this.halfOrMore} of ${this.windows} vCPU windows of 100 ms lost half or more, the worst ${this.worstMs} ms`;
  }
}
