// A token bucket (client-go's QPS/burst idea): waiting for a token is abortable, so it counts
// against the request's deadline like any other queueing. Requests marked `ahead` (the writes of a
// reconcile that moves a rollout) take the next token before the others already waiting: at 500
// promotions, observation writes and lists queued up to 2.5 s in front of a verified image's Job.
import { reasonOf } from './h2-pool.js';

type Waiter = { resolve: () => void };

/** A token bucket; waiting for a token is abortable (it counts against the request's deadline). */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  /** Waiters marked ahead, then the others; each in arrival order. */
  private readonly queues: [Waiter[], Waiter[]] = [[], []];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  get waiting(): number {
    return this.queues[0].length + this.queues[1].length;
  }

  take(signal: AbortSignal, ahead = false): Promise<void> {
    this.refill();
    const queue = this.queues[ahead ? 0 : 1];
    if (this.tokens >= 1 && queue.length === 0 && (ahead || this.queues[0].length === 0)) {
      this.tokens--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve };
      const onAbort = () => {
        queue.splice(queue.indexOf(waiter), 1);
        reject(reasonOf(signal));
      };
      waiter.resolve = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
      this.schedule();
    });
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer || this.waiting === 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.refill();
        while (this.tokens >= 1 && this.waiting) {
          this.tokens--;
          (this.queues[0].shift() ?? this.queues[1].shift())!.resolve();
        }
        this.schedule();
      },
      Math.max(1, Math.ceil(((1 - this.tokens) / this.qps) * 1000)),
    );
  }
}
