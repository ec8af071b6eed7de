// The memory reducer on a fake clock: one memory-reducing collection once no work (writes) has come
// for idleMs after work and watch events have slowed to a trickle, none while either keeps coming or
// after it has stayed quiet since.
import { MemoryReducer } from '../../../operator/runtime/memory-reducer.js';
import { FakeClock } from '../support/fake-clock.js';

describe('MemoryReducer', () => {
  let clock: FakeClock;
  let writes: number;
  let events: number;
  let collections: unknown[];
  let reducer: MemoryReducer;
  beforeEach(() => {
    clock = new FakeClock();
    writes = 0;
    events = 0;
    collections = [];
    reducer = new MemoryReducer({
      idleMs: 30_000,
      work: () => writes,
      activity: () => events,
      gc: (options) => collections.push(options),
      clock,
    });
    reducer.start();
  });
  afterEach(() => reducer.stop());

  it('collects once, incrementally and reducing memory, when no write has come for idleMs after writes', async () => {
    writes = 5;
    await clock.advance(20_000);
    expect(collections).toHaveLength(0);
    await clock.advance(30_000);
    expect(collections).toEqual([{ type: 'major', execution: 'async', flavor: 'last-resort' }]);
    await clock.advance(600_000); // quiet since: nothing more to give back
    expect(collections).toHaveLength(1);
  });

  it('waits while writes keep coming, and collects again after the next busy spell', async () => {
    for (let i = 0; i < 10; i++) {
      writes++;
      await clock.advance(10_000);
    }
    expect(collections).toHaveLength(0);
    await clock.advance(40_000);
    expect(collections).toHaveLength(1);
    writes++;
    await clock.advance(40_000);
    expect(collections).toHaveLength(2);
  });

  // At 500 pipelines staging's pods roll for minutes with no write (run K, docs/operator-bench.md):
  // a full collection then lands in the middle of the watch storm.
  it('waits while watch events keep coming with no write, and tolerates a trickle', async () => {
    writes = 5;
    for (let i = 0; i < 12; i++) {
      events += 50; // 5 a second
      await clock.advance(10_000);
    }
    expect(collections).toHaveLength(0);
    for (let i = 0; i < 4; i++) {
      events += 5; // one every other second: a cluster's background, not a storm
      await clock.advance(10_000);
    }
    expect(collections).toHaveLength(1);
  });

  it('never collects in a process that has done no work', async () => {
    await clock.advance(600_000);
    expect(collections).toHaveLength(0);
  });

  it('stops its timer', async () => {
    reducer.stop();
    expect(clock.pending).toBe(0);
  });
});
