// V8 keeps the heap it grew while busy: at 500 pipelines, a minute after the last promotion, it held
// 52-58 MiB of heap for 33-37 MiB in use, garbage included (RSS 135-139 MiB; docs/operator-bench.md).
// Its own memory reducer did not run in that minute. Once the operator has written nothing for a while
// after a busy spell, one memory-reducing collection gives the pages back (RSS 139 -> 106 MiB at rest).
// Writes, not reconciles, are the sign: at 500 pipelines no-op reconciles go on long after the last
// promotion. Watch events must have slowed too: staging's pods roll for minutes with no write, and a
// full collection in that storm was a 58 ms burst (run K). 'async' runs it from a task of its own, not
// inside a reconcile; it is one full collection (36 ms for a heap of 13 MiB live and 30 of garbage).
// It needs `--expose-gc`, which OPERATOR_PROCESS_ENV sets; without it, nothing runs.
import { realClock, type Clock, type TimerHandle } from '../kube/clock.js';

/** Node's `gc()` under `--expose-gc` (the options form, Node >= 22). */
export type CollectGarbage = (options: { type: 'major'; execution: 'async'; flavor: 'last-resort' }) => void;

export interface MemoryReducerOptions {
  /** No new work for this long after work before collecting. @default 30000 */
  idleMs?: number;
  /** A count that grows with work done (writes to the apiserver, the Lease's excluded). */
  work: () => number;
  /** A count that grows with watch events; none yet means no such sign. */
  activity?: () => number;
  /** Watch events a second that still count as quiet (a cluster's background). @default 1 */
  quietEventsPerSecond?: number;
  /** @default globalThis.gc, when exposed */
  gc?: CollectGarbage;
  /** @default the real clock */
  clock?: Clock;
}

export class MemoryReducer {
  private readonly idleMs: number;
  /** How often the signs are read: three times per idle spell. */
  private readonly checkMs: number;
  private readonly gc?: CollectGarbage;
  private readonly clock: Clock;
  private timer?: TimerHandle;
  private lastWork = 0;
  private lastActivity = 0;
  private quietSince = 0;
  /** Work was done since the last collection. */
  private dirty = false;

  constructor(private readonly o: MemoryReducerOptions) {
    this.idleMs = o.idleMs ?? 30_000;
    this.checkMs = this.idleMs / 3;
    this.gc = o.gc ?? (globalThis as { gc?: CollectGarbage }).gc;
    this.clock = o.clock ?? realClock;
  }

  /** Whether collections can run (`--expose-gc`). */
  get enabled(): boolean {
    return this.gc !== undefined;
  }

  start(): void {
    if (!this.gc) return;
    this.lastWork = this.o.work();
    this.lastActivity = this.o.activity?.() ?? 0;
    this.quietSince = this.clock.now();
    this.schedule();
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => this.check(), this.checkMs);
  }

  private check(): void {
    const work = this.o.work();
    const activity = this.o.activity?.() ?? 0;
    const now = this.clock.now();
    const events = activity - this.lastActivity;
    this.lastActivity = activity;
    if (work !== this.lastWork) {
      this.lastWork = work;
      this.quietSince = now;
      this.dirty = true;
    } else if (events > ((this.o.quietEventsPerSecond ?? 1) * this.checkMs) / 1000) {
      this.quietSince = now;
    } else if (this.dirty && now - this.quietSince >= this.idleMs) {
      this.dirty = false;
      this.gc!({ type: 'major', execution: 'async', flavor: 'last-resort' });
    }
    this.schedule();
  }
}
