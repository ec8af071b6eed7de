// A level-triggered work queue keyed by "namespace/name", in the spirit of client-go's
// rate-limited workqueue: a key is queued at most once however many events arrive, the same
// key is never reconciled twice at once (an add during its reconcile re-runs it afterwards),
// and a failing key backs off exponentially while other keys keep flowing.

import { performance } from 'node:perf_hooks';
import { realClock, type Clock, type TimerHandle } from './clock.js';

export interface ReconcileOutcome {
  /** Reconcile again after this long even without an event (e.g. soak timer, rollout poll). */
  requeueAfterMs?: number;
}

export interface WorkQueueOptions {
  handler: (key: string) => Promise<ReconcileOutcome | void>;
  /** @default 2 */
  concurrency?: number;
  /** First retry delay after an error. @default 500 */
  baseDelayMs?: number;
  /** Retry delay cap. @default 300000 */
  maxDelayMs?: number;
  onError?: (key: string, err: unknown, retryInMs: number) => void;
  /** @default the real clock */
  clock?: Clock;
  /**
   * Synchronous handler work started per turn of the event loop (a reconcile runs its plan before
   * its first await). Keys beyond it start in a later turn, so timers, lease renewals and watch
   * data get the loop in between. @default 10
   */
  sliceMs?: number;
  /** Time a key waited from its first add until a reconcile took it, and the reconcile's own time (metrics). */
  observe?: { waited(ms: number): void; took(ms: number): void };
}

export class WorkQueue {
  private readonly queue: string[] = [];
  /** Queued keys and since when (the clock's ms) each has waited. */
  private readonly queued = new Map<string, number>();
  private readonly processing = new Set<string>();
  /** Keys added while they were processing: re-queued when the reconcile ends. */
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: TimerHandle }>();
  private readonly failures = new Map<string, number>();
  private readonly idleWaiters: (() => void)[] = [];
  private running = false;
  private closed = false;
  private pumpScheduled = false;

  private readonly clock: Clock;

  constructor(private readonly opts: WorkQueueOptions) {
    this.clock = opts.clock ?? realClock;
  }

  /** Keys waiting (queued, not yet picked up). */
  get depth(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  add(key: string): void {
    if (this.closed) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.set(key, this.clock.now());
    this.queue.push(key);
    this.pump();
  }

  /** Adds the key after a delay; an earlier pending delay for the key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.closed) return;
    if (delayMs <= 0) return this.add(key);
    const at = this.clock.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) this.clock.clearTimeout(existing.timer);
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    this.timers.set(key, { at, timer });
  }

  /** Re-queues with this key's exponential backoff; returns the delay used. */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.min((this.opts.baseDelayMs ?? 500) * 2 ** n, this.opts.maxDelayMs ?? 300_000);
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the key's backoff (after a successful reconcile). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Starts (or resumes) handing keys to the handler. */
  start(): void {
    this.running = true;
    this.pump();
  }

  /** Stops picking up new keys; keys stay queued and in-flight reconciles finish. */
  pause(): void {
    this.running = false;
  }

  /** Resolves when nothing is in flight (bounded by timeoutMs). */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.processing.size === 0) return true;
    return new Promise((resolve) => {
      const t = this.clock.setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        this.clock.clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** Stops for good: drops timers and queued keys, waits for in-flight reconciles. */
  async shutdown(timeoutMs: number): Promise<boolean> {
    this.closed = true;
    this.running = false;
    for (const { timer } of this.timers.values()) this.clock.clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
    return this.drain(timeoutMs);
  }

  /**
   * Starts handlers on a later turn, never inside add(): an informer event (or a whole watch chunk
   * of them) only queues keys, several events for one key make one reconcile, and the reconciles'
   * synchronous work does not extend the callback that delivered the event.
   */
  private pump(): void {
    if (this.pumpScheduled || !this.running) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.startSome();
    });
  }

  private startSome(): void {
    const limit = this.opts.concurrency ?? 2;
    const start = performance.now();
    while (this.running && this.processing.size < limit && this.queue.length > 0) {
      if (performance.now() - start >= (this.opts.sliceMs ?? 10)) return this.pump();
      const key = this.queue.shift()!;
      this.opts.observe?.waited(this.clock.now() - this.queued.get(key)!);
      this.queued.delete(key);
      this.processing.add(key);
      void this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    const started = this.clock.now();
    try {
      const outcome = await this.opts.handler(key);
      this.forget(key);
      // Through a timer even for 0, so a handler that keeps asking to run again yields to I/O.
      if (outcome?.requeueAfterMs !== undefined) this.addAfter(key, Math.max(1, outcome.requeueAfterMs));
    } catch (err) {
      const delay = this.closed ? 0 : this.addRateLimited(key);
      this.opts.onError?.(key, err, delay);
    } finally {
      this.opts.observe?.took(this.clock.now() - started);
      this.processing.delete(key);
      if (this.dirty.delete(key)) this.add(key);
      if (this.processing.size === 0) this.idleWaiters.splice(0).forEach((w) => w());
      this.pump();
    }
  }
}
