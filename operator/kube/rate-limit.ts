// A token bucket (client-go's QPS/burst idea): waiting for a token is abortable, so it counts
// against the request's deadline like any other queueing.
import { reasonOf } from './h2-pool.js';

/** A token bucket; waiting for a token is abortable (it counts against the request's deadline). */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  private readonly waiters: { resolve: () => void }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  take(signal: AbortSignal): Promise<void> {
    this.refill();
    if (this.tokens >= 1 && this.waiters.length === 0) {
      this.tokens--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve };
      const onAbort = () => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(reasonOf(signal));
      };
      waiter.resolve = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer || this.waiters.length === 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.refill();
        while (this.tokens >= 1 && this.waiters.length) {
          this.tokens--;
          this.waiters.shift()!.resolve();
        }
        this.schedule();
      },
      Math.max(1, Math.ceil(((1 - this.tokens) / this.qps) * 1000)),
    );
  }
}
