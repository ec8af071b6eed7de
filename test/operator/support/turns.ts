// Counts turns of the event loop (an immediate that re-queues itself runs once per turn), so a
// test can tell how much work one turn did: the turn budgets of lines.ts and queue.ts.
export interface TurnCounter {
  /** The current turn's number. */
  readonly now: number;
  stop(): void;
}

export function countTurns(): TurnCounter {
  let turn = 0;
  let spinning = true;
  const spin = () => {
    turn++;
    if (spinning) setImmediate(spin);
  };
  setImmediate(spin);
  return {
    get now() {
      return turn;
    },
    stop: () => void (spinning = false),
  };
}

/** How many of `turns` (one entry per piece of work: the turn it ran in) fell in each turn. */
export function perTurn(turns: number[]): number[] {
  return [...turns.reduce((m, t) => m.set(t, (m.get(t) ?? 0) + 1), new Map<number, number>()).values()];
}

/** Busy-waits `ms` of wall-clock time: a plan computed, a watch event parsed. */
export function burn(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}
