// A level-triggered work queue keyed by "namespace/name", in the spirit of client-go's
// rate-limited workqueue: a key is queued at most once however many events arrive, the same
// key is never reconciled twice at once (an add during its reconcile re-runs it afterwards),
// and a failing key backs off exponentially while other keys keep flowing.

import { realClock, type Clock, type TimerHandle } from './clock.js';
import { TurnBudget } from './turn-budget.js';

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
   * Handler work started per turn of the event loop: a reconcile's plan before its first await, and
   * what it does after an await that is already settled (building its writes) before it waits on
   * I/O. Keys beyond it start in a later turn, so timers, lease renewals and watch data get the
   * loop in between. @default 10
   */
  sliceMs?: number;
  /**
   * Time a key waited from its first add until a reconcile took it, counted while the queue ran (a follower's
   * queue is paused: its keys wait for leadership, not for a slot), and the reconcile's own time (metrics).
   */
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
  /** When the queue last started (the clock's ms): a key queued before waited from then. */
  private runningSince = 0;
  private closed = false;
  /** Starts waiting in an immediate of their own (see pump). */
  private startsScheduled = 0;

  private readonly clock: Clock;
  private readonly turn: TurnBudget;
  /** Reconciles at once. */
  private readonly limit: number;

  constructor(private readonly opts: WorkQueueOptions) {
    this.clock = opts.clock ?? realClock;
    this.turn = new TurnBudget(opts.sliceMs ?? 10);
    this.limit = opts.concurrency ?? 2;
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
    if (!this.running) this.runningSince = this.clock.now();
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
   * work does not extend the callback that delivered the event. Each start has an immediate of its
   * own: Node runs the microtasks between two immediates, so a reconcile's work after an await
   * that is already settled runs before the next start looks at the turn's budget (one callback
   * starting 64 keys ran all their continuations back to back: a 50-60 ms block at 500 pipelines).
   */
  private pump(): void {
    if (!this.running) return;
    const wanted = Math.min(this.limit - this.processing.size, this.queue.length);
    while (this.startsScheduled < wanted) this.scheduleStart();
  }

  private scheduleStart(): void {
    this.startsScheduled++;
    setImmediate(() => {
      this.startsScheduled--;
      this.startOne();
    });
  }

  private startOne(): void {
    if (!this.running || this.processing.size >= this.limit || this.queue.length === 0) return;
    // Called from an immediate, so a new one runs in the next turn, after its timers and I/O.
    if (!this.turn.has()) return this.scheduleStart();
    const key = this.queue.shift()!;
    this.opts.observe?.waited(this.clock.now() - Math.max(this.queued.get(key)!, this.runningSince));
    this.queued.delete(key);
    this.processing.add(key);
    void this.process(key);
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
