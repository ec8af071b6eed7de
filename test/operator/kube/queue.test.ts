// On a fake clock: with real timers the backoff delays once came out wrong in a busy full run.
import { WorkQueue, type WorkQueueOptions } from '../../../operator/kube/queue.js';
import { FakeClock } from '../support/fake-clock.js';
import { burn, countTurns, perTurn } from '../support/turns.js';

let clock: FakeClock;
beforeEach(() => (clock = new FakeClock()));
const tick = (ms = 0) => clock.advance(ms);
const queue = (o: WorkQueueOptions) => new WorkQueue({ clock, ...o });

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('WorkQueue', () => {
  it('de-duplicates a key queued many times', async () => {
    const seen: string[] = [];
    const q = queue({ handler: async (k) => void seen.push(k) });
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    q.add('ns/a');
    expect(q.depth).toBe(2);
    q.start();
    await tick(10);
    expect(seen.sort()).toEqual(['ns/a', 'ns/b']);
  });

  it('never runs the same key twice at once, and re-runs it once when added mid-reconcile', async () => {
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const gate = deferred();
    const q = queue({
      concurrency: 4,
      handler: async () => {
        calls++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (calls === 1) await gate.promise;
        running--;
      },
    });
    q.start();
    q.add('ns/a');
    await tick();
    q.add('ns/a');
    q.add('ns/a');
    await tick(5);
    expect(calls).toBe(1);
    gate.resolve();
    await tick(10);
    expect(calls).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('makes one reconcile of several events for one key delivered together', async () => {
    let calls = 0;
    const q = queue({ concurrency: 4, handler: async () => void calls++ });
    q.start();
    // One watch chunk can carry several events of one Promotion's objects.
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/a');
    await tick(10);
    expect(calls).toBe(1);
  });

  // A reconcile computes its plan before its first await, then awaits an already-settled promise and
  // builds its writes: that second part runs in the microtasks after the queue's start callback,
  // where a budget of synchronous starts alone does not see it.
  it.each([
    ['before its first await (the plan)', 'before'],
    ['after an await that is already settled (building its writes)', 'after'],
  ] as const)('starts at most sliceMs of handler work per turn of the event loop: %s', async (_, where) => {
    const turns = countTurns();
    const workedIn: number[] = [];
    const work = () => {
      workedIn.push(turns.now);
      burn(4);
    };
    const q = queue({
      concurrency: 16,
      sliceMs: 10,
      handler: async () => {
        if (where === 'before') work();
        await Promise.resolve();
        if (where === 'after') work();
      },
    });
    for (let i = 0; i < 12; i++) q.add(`ns/k${i}`);
    q.start();
    await tick(50);
    turns.stop();
    expect(workedIn).toHaveLength(12);
    // 10 ms of budget, 4 ms each: about three a turn (the third crosses the budget), never all twelve (48 ms).
    expect(Math.max(...perTurn(workedIn))).toBeLessThanOrEqual(6);
    expect(perTurn(workedIn).length).toBeGreaterThanOrEqual(3);
  });

  it('runs different keys concurrently up to the limit', async () => {
    let running = 0;
    let maxRunning = 0;
    const q = queue({
      concurrency: 2,
      handler: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await clock.sleep(5);
        running--;
      },
    });
    ['a', 'b', 'c', 'd'].forEach((k) => q.add(k));
    q.start();
    await tick(30);
    expect(maxRunning).toBe(2);
    expect(q.depth + q.inFlight).toBe(0);
  });

  it('backs off exponentially per key on errors and resets after a success', async () => {
    const delays: number[] = [];
    let failuresLeft = 3;
    const times: number[] = [];
    const q = queue({
      baseDelayMs: 10,
      handler: async () => {
        times.push(clock.now());
        if (failuresLeft-- > 0) throw new Error('boom');
      },
      onError: (_k, _e, d) => delays.push(d),
    });
    q.start();
    q.add('ns/a');
    await tick(150);
    expect(delays).toEqual([10, 20, 40]);
    expect(times.map((t) => t - times[0])).toEqual([0, 10, 30, 70]);
    expect(q.addRateLimited('ns/a')).toBe(10); // forgotten after the success
  });

  it('caps the backoff', () => {
    const q = queue({ baseDelayMs: 100, maxDelayMs: 250, handler: async () => {} });
    expect([1, 2, 3, 4].map(() => q.addRateLimited('k'))).toEqual([100, 200, 250, 250]);
  });

  it('requeues after the delay the reconcile asks for; the earliest pending delay wins', async () => {
    let calls = 0;
    const q = queue({ handler: async () => (++calls === 1 ? { requeueAfterMs: 20 } : undefined) });
    q.start();
    q.add('k');
    await tick(5);
    expect(calls).toBe(1);
    q.addAfter('k', 10_000);
    await tick(40);
    expect(calls).toBe(2);
  });

  it('requeues "at once" through a timer, so a key that always asks again cannot starve the event loop', async () => {
    let calls = 0;
    const q = queue({ handler: async () => (calls++, { requeueAfterMs: 0 }) });
    q.start();
    q.add('k');
    await tick();
    expect(calls).toBe(1);
    await tick(1);
    expect(calls).toBe(2);
    q.pause();
  });

  it('reports how long each key waited in the queue and how long its reconcile took', async () => {
    const waited: number[] = [];
    const took: number[] = [];
    const q = queue({
      concurrency: 1,
      handler: () => clock.sleep(200),
      observe: { waited: (ms) => waited.push(ms), took: (ms) => took.push(ms) },
    });
    q.start();
    q.add('first');
    await tick(0);
    q.add('k'); // waits behind 'first'
    await tick(150);
    q.add('k'); // a second add while queued does not restart the wait
    await tick(300);
    expect(waited).toEqual([0, 200]);
    expect(took).toEqual([200, 200]);
    q.pause();
  });

  it("counts a key's wait only while the queue runs: a follower's paused queue is not a slow leader's", async () => {
    const waited: number[] = [];
    const q = queue({ handler: async () => {}, observe: { waited: (ms) => waited.push(ms), took: () => {} } });
    q.add('queued-before-start');
    await tick(60_000);
    q.start();
    await tick(0);
    q.pause();
    q.add('queued-while-paused');
    await tick(30_000);
    q.start();
    await tick(5);
    expect(waited).toEqual([0, 0]);
    q.pause();
  });

  it('holds keys while paused and processes them on start', async () => {
    const seen: string[] = [];
    const q = queue({ handler: async (k) => void seen.push(k) });
    q.add('k');
    await tick(5);
    expect(seen).toEqual([]);
    q.start();
    await tick(5);
    expect(seen).toEqual(['k']);
    q.pause();
    q.add('j');
    await tick(5);
    expect(seen).toEqual(['k']);
    expect(q.depth).toBe(1);
  });

  it('shutdown drops queued keys and waits for in-flight work', async () => {
    const gate = deferred();
    let finished = false;
    const q = queue({
      concurrency: 1,
      handler: async () => {
        await gate.promise;
        finished = true;
      },
    });
    q.start();
    q.add('a');
    q.add('b');
    await tick();
    const done = q.shutdown(1000);
    expect(q.depth).toBe(0);
    gate.resolve();
    await tick();
    expect(await done).toBe(true);
    expect(finished).toBe(true);
    q.add('c');
    expect(q.depth).toBe(0);
  });

  it('shutdown gives up on a reconcile that outlives the grace period', async () => {
    const q = queue({ handler: () => new Promise<void>(() => {}) });
    q.start();
    q.add('stuck');
    await tick();
    const done = q.shutdown(1000);
    await tick(999);
    await tick(1);
    expect(await done).toBe(false);
  });
});
