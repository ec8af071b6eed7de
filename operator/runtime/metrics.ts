// Every metric the operator exports (Prometheus text; the types are in prom.ts).
import { getHeapStatistics } from 'node:v8';
import type { ControllerMetrics } from '../telemetry.js';
import { LoopMetrics } from './loop-metrics.js';
import { Counter, Gauge, Histogram, LabelledGauge, type Metric } from './prom.js';

/** The parts of `ponyexpress_process_memory_bytes`: process.memoryUsage() and V8's malloced memory. */
export const MEMORY_PARTS = ['heap_used', 'heap_total', 'external', 'array_buffers', 'v8_malloced'] as const;
type MemoryPart = (typeof MEMORY_PARTS)[number];

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
  readonly loop = new LoopMetrics();
  readonly isLeader: Gauge;
  readonly queueDepth: Gauge;
  readonly informers: Gauge;
  private readonly connections: LabelledGauge;

  private sources: MetricSources;

  constructor(sources: MetricSources = {}) {
    this.sources = { ...sources };
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
      ...this.loop.all(),
    ];
    return all.map((m) => m.render()).join('');
  }
}
