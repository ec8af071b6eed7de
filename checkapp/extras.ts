// Checks only a particular app can pass: they prove more than the contract (a real task flowing
// beat -> broker -> worker -> database) but need the app's own task and tables. example/ has them.
import type { LocalPod } from './kube/local-pod.js';
import type { PostgresServer } from './services/postgres.js';

export interface Extras {
  /** `/` answers 200 to the probes' Host (example/'s index page). */
  indexAnswers200?: boolean;
  /** A migration the migrate Job must apply on the empty database. */
  migrationApplied?: RegExp;
  /** Beat ticks every periodSeconds; verify() throws a CheckFailure unless one task ran per period. */
  ticks?: { periodSeconds: number; verify(pg: PostgresServer, ranSeconds: number): Promise<void> };
  /** start() enqueues a task that works a few seconds and waits until it runs; verify() after the SIGTERM. */
  warmShutdown?: {
    start(worker: LocalPod, pg: PostgresServer): Promise<void>;
    verify(pg: PostgresServer): Promise<void>;
  };
}
