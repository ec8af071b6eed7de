// Time as a dependency, so the queue, the controller and the executor run on a fake clock in
// tests (real timers made the backoff test flaky) and on the real one in the process.

export type TimerHandle = unknown;

export interface Clock {
  now(): number;
  /** Never keeps the process alive on its own (unref'd). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
