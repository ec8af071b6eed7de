// How long the event loop was held, and by whom: the operator's own CPU, V8's collector, or the
// machine (another process on the CPU while the loop had work).
import { openSync, readSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { Gauge, Histogram, LabelledGauge, type Metric } from './prom.js';

/** The kinds of `ponyexpress_gc_pause_max_seconds` (perf_hooks GC entry kinds). */
export const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** The parts of `ponyexpress_event_loop_tick_gap_max_part_seconds`. */
export const TICK_GAP_PARTS = ['cpu', 'runqueue', 'other'] as const;
type TickGapPart = (typeof TICK_GAP_PARTS)[number];

const TICK_MS = 20;

/** A thread's schedstat (Linux, /proc/.../schedstat): ns on a CPU, and ns runnable but waiting for one. */
export function parseSchedstat(text: string): { cpuNs: number; waitNs: number } {
  const [cpuNs, waitNs] = text.split(' ').map(Number);
  return { cpuNs, waitNs };
}

/**
 * The calling thread's time waiting for a CPU while runnable, in ns (/proc/thread-self/schedstat), or
 * undefined where there is none. One descriptor, re-read at offset 0.
 */
function runqueueClock(): (() => number) | undefined {
  let fd: number;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return undefined;
  }
  const buf = Buffer.alloc(96);
  return () => parseSchedstat(buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0))).waitNs;
}

/** The event loop's metrics; create one per process, on the main thread. */
export class LoopMetrics {
  // The longest event-loop block since start (a reconcile must never hold the loop for long).
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });
  readonly loopDelayMax = new Gauge(
    'ponyexpress_event_loop_delay_max_seconds',
    'Longest event-loop delay seen since start.',
    () => this.loopDelay.max / 1e9,
  );
  readonly loopDelayP99 = new Gauge(
    'ponyexpress_event_loop_delay_p99_seconds',
    '99th percentile of event-loop delay since start.',
    () => this.loopDelay.percentile(99) / 1e9,
  );
  // The delay above is wall-clock: on a loaded machine it includes time the process was not scheduled at all.
  // The main thread's own CPU time between two ticks of a 20 ms timer is what the loop itself spent busy.
  private cpuMaxUs = 0;
  private cpuMaxKernelUs = 0;
  readonly blockCpuMax = new Gauge(
    'ponyexpress_event_loop_block_cpu_max_seconds',
    'Longest main-thread CPU time between two 20 ms timer ticks since start (the loop busy, not descheduled).',
    () => this.cpuMaxUs / 1e6,
  );
  // Page faults and syscalls count as the loop's CPU too: this tells them from our JavaScript.
  readonly blockCpuMaxKernel = new Gauge(
    'ponyexpress_event_loop_block_cpu_max_kernel_seconds',
    'Of the longest main-thread CPU burst above, the time spent in the kernel (system time).',
    () => this.cpuMaxKernelUs / 1e6,
  );
  readonly blockCpu = new Histogram(
    'ponyexpress_event_loop_block_cpu_seconds',
    'Main-thread CPU time between two 20 ms timer ticks (a burst while promoting apart from one at start-up).',
    [0.01, 0.02, 0.035, 0.05, 0.1, 0.25],
  );
  // The longest wall-clock gap between two ticks, split: the loop on a CPU, the loop runnable while another
  // process held the CPU (the machine's share of a delay), and the rest (idle until the tick, or blocked).
  private gapMaxMs = 0;
  private gapParts: Partial<Record<TickGapPart, number>> = {};
  readonly tickGapMax = new Gauge(
    'ponyexpress_event_loop_tick_gap_max_seconds',
    'Longest wall-clock time between two 20 ms timer ticks since start.',
    () => this.gapMaxMs / 1000,
  );
  readonly tickGapMaxParts = new LabelledGauge(
    'ponyexpress_event_loop_tick_gap_max_part_seconds',
    `Of the longest tick gap: the main thread on a CPU, runnable but waiting for one (/proc/thread-self/schedstat; Linux only), and the rest (${TICK_GAP_PARTS.join(', ')}).`,
    'part',
    () => Object.fromEntries(Object.entries(this.gapParts).map(([part, ms]) => [part, ms / 1000])),
  );
  // The longest garbage-collection pause by kind: tells a long CPU burst that is V8's own from one that is ours.
  private readonly gcMaxMs: Record<string, number> = {};
  readonly gcPauseMax = new LabelledGauge(
    'ponyexpress_gc_pause_max_seconds',
    'Longest garbage-collection pause since start, by kind (minor, major, incremental, weakcb).',
    'kind',
    () => Object.fromEntries(Object.entries(this.gcMaxMs).map(([kind, ms]) => [kind, ms / 1000])),
  );

  constructor() {
    this.loopDelay.enable();
    const runqueueNs = runqueueClock();
    let last = { cpu: process.threadCpuUsage(), at: performance.now(), waitNs: runqueueNs?.() ?? 0 };
    setInterval(() => {
      const now = { cpu: process.threadCpuUsage(), at: performance.now(), waitNs: runqueueNs?.() ?? 0 };
      const kernelUs = now.cpu.system - last.cpu.system;
      const us = now.cpu.user - last.cpu.user + kernelUs;
      if (us > this.cpuMaxUs) [this.cpuMaxUs, this.cpuMaxKernelUs] = [us, kernelUs];
      this.blockCpu.observe(us / 1e6);
      const gapMs = now.at - last.at;
      if (gapMs > this.gapMaxMs) {
        const [cpu, runqueue] = [us / 1000, (now.waitNs - last.waitNs) / 1e6]; // runqueue 0 without schedstat
        this.gapMaxMs = gapMs;
        this.gapParts = { cpu, ...(runqueueNs && { runqueue }), other: Math.max(0, gapMs - cpu - runqueue) };
      }
      last = now;
    }, TICK_MS).unref();
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
        const kind = GC_KINDS[detail?.kind ?? -1] ?? 'other';
        this.gcMaxMs[kind] = Math.max(this.gcMaxMs[kind] ?? 0, entry.duration);
      }
    }).observe({ entryTypes: ['gc'] });
  }

  /** In the order /metrics shows them. */
  all(): Metric[] {
    return [
      this.loopDelayMax,
      this.loopDelayP99,
      this.blockCpuMax,
      this.blockCpuMaxKernel,
      this.blockCpu,
      this.tickGapMax,
      this.tickGapMaxParts,
      this.gcPauseMax,
    ];
  }
}
