// Prometheus text exposition (format 0.0.4), written by hand: three metric types and
// labels are all the operator needs, and a dependency would cost more RSS than this file.

type Labels = Record<string, string>;

interface Metric {
  render(): string;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelKey = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k]!)}"`)
    .join(',');
const braces = (key: string) => (key ? `{${key}}` : '');
const header = (name: string, help: string, type: string) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, private readonly help: string) {}
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
  constructor(readonly name: string, private readonly help: string, private readonly collect?: () => number) {}
  set(value: number, labels: Labels = {}): void {
    this.values.set(labelKey(labels), value);
  }
  render(): string {
    if (this.collect) this.set(this.collect());
    const lines = [...this.values].map(([k, v]) => `${this.name}${braces(k)} ${v}\n`);
    return header(this.name, this.help, 'gauge') + lines.join('');
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>();
  constructor(readonly name: string, private readonly help: string, private readonly bounds: readonly number[]) {}
  observe(value: number, labels: Labels = {}): void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 }));
    this.bounds.forEach((b, i) => {
      if (value <= b) s.buckets[i]!++;
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

/** Every metric the operator exports. */
export class OperatorMetrics {
  readonly promotions = new Counter('ponyexpress_promotions_total', 'Promotions finished, by result (Succeeded|Failed|RolledBack).');
  readonly phaseDuration = new Histogram(
    'ponyexpress_promotion_phase_duration_seconds',
    'Time spent in each promotion phase.',
    [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
  );
  readonly reconciles = new Counter('ponyexpress_reconciles_total', 'Reconciles run, by outcome (ok|error).');
  readonly reconcileErrors = new Counter('ponyexpress_reconcile_errors_total', 'Reconciles that failed and were re-queued with backoff.');
  readonly apiWrites = new Counter('ponyexpress_api_writes_total', 'Write requests sent to the apiserver, by verb and resource.');
  readonly apiRequests = new Counter('ponyexpress_api_requests_total', 'Non-watch requests sent to the apiserver, by verb.');
  readonly informerRestarts = new Counter('ponyexpress_informer_restarts_total', 'Informers restarted after an error or by the watchdog, by resource.');
  readonly isLeader = new Gauge('ponyexpress_leader', '1 while this replica holds the Lease.');
  readonly queueDepth: Gauge;
  readonly rss = new Gauge('ponyexpress_process_resident_memory_bytes', 'Resident set size of the operator process.', () => process.memoryUsage.rss());

  constructor(queueDepth: () => number = () => 0) {
    this.queueDepth = new Gauge('ponyexpress_queue_depth', 'Promotion keys waiting to be reconciled.', queueDepth);
  }

  render(): string {
    const all: Metric[] = [
      this.promotions, this.phaseDuration, this.reconciles, this.reconcileErrors, this.apiWrites,
      this.apiRequests, this.informerRestarts, this.isLeader, this.queueDepth, this.rss,
    ];
    return all.map((m) => m.render()).join('');
  }
}
