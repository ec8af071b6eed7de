// Prometheus text exposition (format 0.0.4), written by hand: three metric types and
// labels are all the operator needs, and a dependency would cost more RSS than this file.
import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { ControllerMetrics } from '../telemetry.js';

type Labels = Record<string, string>;

/** The kinds of `ponyexpress_gc_pause_max_seconds` (perf_hooks GC entry kinds). */
export const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** The parts of `ponyexpress_process_memory_bytes`: process.memoryUsage() and V8's malloced memory. */
export const MEMORY_PARTS = ['heap_used', 'heap_total', 'external', 'array_buffers', 'v8_malloced'] as const;
type MemoryPart = (typeof MEMORY_PARTS)[number];

interface Metric {
  render(): string;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelKey = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k])}"`)
    .join(',');
const braces = (key: string) => (key ? `{${key}}` : '');
const header = (name: string, help: string, type: string) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string {
    const lines = [...this.values].map(([k, v]) => `${this.name}${braces(k)} ${v}\n`);
    return header(this.name, this.help, 'counter') + lines.join('');
  }
}

export class Gauge implements Metric {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly collect?: () => number,
  ) {}
  set(value: number, labels: Labels = {}): void {
    this.values.set(labelKey(labels), value);
  }
  render(): string {
    if (this.collect) this.set(this.collect());
    const lines = [...this.values].map(([k, v]) => `${this.name}${braces(k)} ${v}\n`);
    return header(this.name, this.help, 'gauge') + lines.join('');
  }
}

/** A gauge whose label values and numbers are read at scrape time. */
export class LabelledGauge implements Metric {
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly label: string,
    private readonly collect: () => Record<string, number>,
  ) {}
  render(): string {
    const lines = Object.entries(this.collect()).map(
      ([v, n]) => `${this.name}{${this.label}="${escapeLabel(v)}"} ${n}\n`,
    );
    return header(this.name, this.help, 'gauge') + lines.join('');
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly bounds: readonly number[],
  ) {}
  observe(value: number, labels: Labels = {}): void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 }));
    this.bounds.forEach((b, i) => {
      if (value <= b) s.buckets[i]++;
    });
    s.sum += value;
    s.count++;
  }
  render(): string {
    let out = header(this.name, this.help, 'histogram');
    for (const [key, s] of this.series) {
      const sep = key ? ',' : '';
      this.bounds.forEach((b, i) => (out += `${this.name}_bucket{${key}${sep}le="${b}"} ${s.buckets[i]}\n`));
      out += `${this.name}_bucket{${key}${sep}le="+Inf"} ${s.count}\n`;
      out += `${this.name}_sum${braces(key)} ${s.sum}\n${this.name}_count${braces(key)} ${s.count}\n`;
    }
    return out;
  }
}

export interface MetricSources {
  queueDepth?: () => number;
  /** 1 while this replica may act as leader (checked at scrape time, so it is never stale). */
  isLeader?: () => boolean;
  /** Open apiserver connections by lane. */
  connections?: () => Record<string, number>;
  /** Informers running. */
  informers?: () => number;
}

/** Bucket bounds (seconds) of the latency histograms: a few ms (a reconcile's own work) to a 30 s request deadline. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** Every metric the operator exports. */
export class OperatorMetrics implements ControllerMetrics {
  readonly promotions = new Counter(
    'ponyexpress_promotions_total',
    'Promotions finished, by result (Succeeded|Failed|RolledBack).',
  );
  readonly phaseDuration = new Histogram(
    'ponyexpress_promotion_phase_duration_seconds',
    'Time spent in each promotion phase.',
    [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
  );
  readonly reconciles = new Counter('ponyexpress_reconciles_total', 'Reconciles run, by outcome (ok|error).');
  readonly reconcileErrors = new Counter(
    'ponyexpress_reconcile_errors_total',
    'Reconciles that failed and were re-queued with backoff.',
  );
  readonly apiWrites = new Counter(
    'ponyexpress_api_writes_total',
    'Write requests sent to the apiserver, by verb and resource.',
  );
  readonly apiRequests = new Counter(
    'ponyexpress_api_requests_total',
    'Requests sent to the apiserver (watch opens included), by verb and resource.',
  );
  // Where a reaction's time goes (as client-go's rest_client_* and workqueue_* metrics): waiting in the
  // work queue, in this process before a request goes out, and for the apiserver's answer.
  readonly apiDuration = new Histogram(
    'ponyexpress_api_request_duration_seconds',
    'Requests to the apiserver from start to answer, the wait below included, by verb (watches excluded).',
    LATENCY_BUCKETS,
  );
  readonly apiWait = new Histogram(
    'ponyexpress_api_client_wait_seconds',
    'Time requests and watch opens waited in the operator (rate limit, stream slot) before going out, by lane.',
    LATENCY_BUCKETS,
  );
  readonly queueWait = new Histogram(
    'ponyexpress_queue_wait_seconds',
    'Time a Promotion key waited in the work queue before a reconcile took it, while this replica leads.',
    LATENCY_BUCKETS,
  );
  readonly reconcileDuration = new Histogram(
    'ponyexpress_reconcile_duration_seconds',
    'Time one reconcile took, its API calls included.',
    LATENCY_BUCKETS,
  );
  readonly watchLag = new Histogram(
    'ponyexpress_watch_event_lag_seconds',
    "Time from a change's last write (its newest managedFields time, whole seconds) to its watch event here, by resource.",
    [1, 2, 3, 5, 10, 30, 60],
  );
  readonly informerRestarts = new Counter(
    'ponyexpress_informer_restarts_total',
    'Informers restarted after an error or by the watchdog, by resource.',
  );
  readonly writesSkippedNotLeader = new Counter(
    'ponyexpress_writes_skipped_not_leader_total',
    'Writes not sent because leadership had lapsed (not failures; the next leader redoes the step).',
  );
  readonly eventsDropped = new Counter(
    'ponyexpress_events_dropped_total',
    'Kubernetes Events dropped because too many were waiting for the Events API (status still has the state).',
  );
  readonly rss = new Gauge(
    'ponyexpress_process_resident_memory_bytes',
    'Resident set size of the operator process.',
    () => process.memoryUsage.rss(),
  );
  // Where the RSS goes: V8's heap (used, reserved), and memory outside it (Buffers: TLS, HTTP/2, bodies;
  // V8's own malloc, e.g. the compilers' zones).
  readonly memory = new LabelledGauge(
    'ponyexpress_process_memory_bytes',
    `Memory by part (${MEMORY_PARTS.join(', ')}).`,
    'part',
    () => {
      const m = process.memoryUsage();
      const parts: Record<MemoryPart, number> = {
        heap_used: m.heapUsed,
        heap_total: m.heapTotal,
        external: m.external,
        array_buffers: m.arrayBuffers,
        v8_malloced: getHeapStatistics().malloced_memory,
      };
      return parts;
    },
  );
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
  private loopCpuMaxUs = 0;
  private loopCpuMaxKernelUs = 0;
  readonly loopBlockCpuMax = new Gauge(
    'ponyexpress_event_loop_block_cpu_max_seconds',
    'Longest main-thread CPU time between two 20 ms timer ticks since start (the loop busy, not descheduled).',
    () => this.loopCpuMaxUs / 1e6,
  );
  // Page faults and syscalls count as the loop's CPU too: this tells them from our JavaScript.
  readonly loopBlockCpuMaxKernel = new Gauge(
    'ponyexpress_event_loop_block_cpu_max_kernel_seconds',
    'Of the longest main-thread CPU burst above, the time spent in the kernel (system time).',
    () => this.loopCpuMaxKernelUs / 1e6,
  );
  readonly loopBlockCpu = new Histogram(
    'ponyexpress_event_loop_block_cpu_seconds',
    'Main-thread CPU time between two 20 ms timer ticks (a burst while promoting apart from one at start-up).',
    [0.01, 0.02, 0.035, 0.05, 0.1, 0.25],
  );
  // The longest garbage-collection pause by kind: tells a long CPU burst that is V8's own from one that is ours.
  private readonly gcMaxMs: Record<string, number> = {};
  readonly gcPauseMax = new LabelledGauge(
    'ponyexpress_gc_pause_max_seconds',
    'Longest garbage-collection pause since start, by kind (minor, major, incremental, weakcb).',
    'kind',
    () => Object.fromEntries(Object.entries(this.gcMaxMs).map(([kind, ms]) => [kind, ms / 1000])),
  );
  readonly isLeader: Gauge;
  readonly queueDepth: Gauge;
  readonly informers: Gauge;
  private readonly connections: LabelledGauge;

  private sources: MetricSources;

  constructor(sources: MetricSources = {}) {
    this.sources = { ...sources };
    this.loopDelay.enable();
    let last = process.threadCpuUsage();
    setInterval(() => {
      const now = process.threadCpuUsage();
      const kernelUs = now.system - last.system;
      const us = now.user - last.user + kernelUs;
      if (us > this.loopCpuMaxUs) [this.loopCpuMaxUs, this.loopCpuMaxKernelUs] = [us, kernelUs];
      this.loopBlockCpu.observe(us / 1e6);
      last = now;
    }, 20).unref();
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
        const kind = GC_KINDS[detail?.kind ?? -1] ?? 'other';
        this.gcMaxMs[kind] = Math.max(this.gcMaxMs[kind] ?? 0, entry.duration);
      }
    }).observe({ entryTypes: ['gc'] });
    const s = () => this.sources;
    this.isLeader = new Gauge('ponyexpress_leader', '1 while this replica holds the Lease (and may write).', () =>
      s().isLeader?.() ? 1 : 0,
    );
    this.queueDepth = new Gauge(
      'ponyexpress_queue_depth',
      'Promotion keys waiting to be reconciled.',
      () => s().queueDepth?.() ?? 0,
    );
    this.informers = new Gauge(
      'ponyexpress_informers',
      'Informers (list+watch caches) running.',
      () => s().informers?.() ?? 0,
    );
    this.connections = new LabelledGauge(
      'ponyexpress_apiserver_connections',
      'Open HTTP/2 connections to the apiserver, by lane.',
      'lane',
      () => s().connections?.() ?? {},
    );
  }

  /** Connects gauges to their sources once those exist (the metrics come first: the client counts requests). */
  bind(sources: MetricSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  render(): string {
    const all: Metric[] = [
      this.promotions,
      this.phaseDuration,
      this.reconciles,
      this.reconcileErrors,
      this.apiWrites,
      this.apiRequests,
      this.apiDuration,
      this.apiWait,
      this.queueWait,
      this.reconcileDuration,
      this.watchLag,
      this.informerRestarts,
      this.writesSkippedNotLeader,
      this.eventsDropped,
      this.isLeader,
      this.queueDepth,
      this.informers,
      this.connections,
      this.rss,
      this.memory,
      this.loopDelayMax,
      this.loopDelayP99,
      this.loopBlockCpuMax,
      this.loopBlockCpuMaxKernel,
      this.loopBlockCpu,
      this.gcPauseMax,
    ];
    return all.map((m) => m.render()).join('');
  }
}
