// Prometheus text exposition (format 0.0.4), written by hand: three metric types and
// labels are all the operator needs, and a dependency would cost more RSS than this file.
export type Labels = Record<string, string>;

export interface Metric {
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
