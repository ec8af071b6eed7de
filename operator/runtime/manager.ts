// A small manager in the spirit of controller-runtime's: it owns the runnables of the process
// (probe server, cache, leader election, work queue, resync), starts them in the order added
// and stops them in reverse, so probes answer before caches sync and reconciles drain before
// the Lease is released and the caches close.
import type { Logger } from '../telemetry.js';

export interface Runnable {
  readonly name: string;
  /** Must return promptly: long work (informer sync, election) continues in the background. */
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export class Manager {
  private readonly runnables: Runnable[] = [];
  private running: Runnable[] = [];

  constructor(private readonly log: Logger) {}

  add(runnable: Runnable): this {
    this.runnables.push(runnable);
    return this;
  }

  /** Starts every runnable in order; if one fails, stops those already started and rethrows. */
  async start(): Promise<void> {
    for (const r of this.runnables) {
      try {
        await r.start();
        this.running.push(r);
      } catch (err) {
        this.log.error('runnable failed to start', { runnable: r.name, err });
        await this.stop();
        throw err;
      }
    }
  }

  /** Stops the started runnables in reverse order; one failing does not keep the rest running. */
  async stop(): Promise<void> {
    for (const r of this.running.splice(0).reverse()) {
      try {
        await r.stop();
      } catch (err) {
        this.log.warn('runnable failed to stop cleanly', { runnable: r.name, err });
      }
    }
  }
}
