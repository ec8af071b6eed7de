// The logging and metrics interfaces every layer may use. They live below kube/ and runtime/
// so the I/O adapters never import the process that hosts them; runtime/ implements them.

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger whose lines all carry these fields (e.g. the Promotion key). */
  with(fields: Fields): Logger;
}

export type Labels = Record<string, string>;

export interface CounterLike {
  inc(labels?: Labels, by?: number): void;
}

export interface HistogramLike {
  observe(value: number, labels?: Labels): void;
}

/** What the controller reports (runtime/metrics.ts implements it). */
export interface ControllerMetrics {
  promotions: CounterLike;
  phaseDuration: HistogramLike;
  reconciles: CounterLike;
  reconcileErrors: CounterLike;
  /** Writes not sent because this replica's leadership had lapsed: not failures. */
  writesSkippedNotLeader: CounterLike;
}

/** A logger that drops everything (tests, tools). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, with: () => silentLogger };
