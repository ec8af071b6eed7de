// A time budget per turn of the event loop, so no burst of small callbacks holds the loop.
import { performance } from 'node:perf_hooks';

/**
 * How much work one turn of the event loop may do, shared by all its users: the watch streams'
 * line handling (lines.ts) or the work queue's starts. One socket read can carry watch events for
 * hundreds of streams, and libuv reads a busy socket many times per turn: at 500 pipelines a
 * release flood held the loop for 261 ms of CPU. Work that finds the turn's budget spent continues
 * in a later turn. "Per turn" is approximate: the clock restarts in the turn's check phase, so a
 * turn may run up to two slices.
 */
export class TurnBudget {
  private startedAt?: number;
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  constructor(readonly sliceMs: number) {}

  /** Whether this turn may still do work (the first call of a turn starts its clock). */
  has(): boolean {
    const now = performance.now();
    if (this.startedAt === undefined) {
      this.startedAt = now;
      setImmediate(() => (this.startedAt = undefined));
    }
    return now - this.startedAt < this.sliceMs;
  }

  /** Runs `fn` in a later turn (after that turn's timers and I/O), in order, within that turn's budget. */
  later(fn: () => void): void {
    this.waiting.push(fn);
    if (this.scheduled) return;
    this.scheduled = true;
    // An immediate queued from an immediate runs in the next turn, after its timers and I/O.
    setImmediate(() =>
      setImmediate(() => {
        this.scheduled = false;
        while (this.waiting.length && this.has()) this.waiting.shift()!();
        if (this.waiting.length) this.later(this.waiting.shift()!);
      }),
    );
  }
}
