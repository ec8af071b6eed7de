// Crash safety: the core keeps no memory, so "restart" = the next reconcile over whatever the cluster and
// the (possibly stale) status say. A crash is modelled as executing only some of a plan's actions and
// never writing its status.
import { reconcile } from '../../../operator/core/plan.js';
import type { SetImages } from '../../../operator/core/types.js';
import { digestOf, REPO } from './fixtures.js';
import { worldWithB, type World } from './world.js';

const B = `${REPO}@${digestOf('B')}`;

interface Crash {
  step: number;
  /** How many of that step's actions were carried out before the crash. */
  actions: number;
}

/** Drives a promotion of B to the end; the controllers finish their work between reconciles. */
function drive(crash?: Crash): { world: World; actionsPerStep: number[] } {
  const world = worldWithB();
  const actionsPerStep: number[] = [];
  for (let step = 0; step < 30; step++) {
    const crashed = crash?.step === step;
    const plan = world.reconcile(crashed ? { writeStatus: false, actions: crash.actions } : {});
    actionsPerStep.push(plan.actions.length);
    const pending = world.finishPending();
    if (!crashed && !pending && plan.actions.length === 0 && !plan.statusChanged) return { world, actionsPerStep };
    world.tick(5);
  }
  throw new Error('did not finish');
}

function expectPromotedOnce(world: World): void {
  expect(world.violations).toEqual([]);
  expect(world.production.migrationJobs).toHaveLength(1);
  for (const c of ['web', 'worker', 'beat'] as const) expect(world.prodImage(c)).toBe(B);
  expect(world.promotion.status?.production).toMatchObject({ tag: 'B', image: B });
  expect(world.promotion.status?.history?.filter((h) => h.tag === 'B')).toEqual([
    expect.objectContaining({ result: 'Succeeded' }),
  ]);
  expect(world.promotion.status?.inFlight).toBeUndefined();
  expect(world.timeline.filter((t) => t.startsWith('set beat'))).toHaveLength(1);
}

test('the reference run promotes B once, in order', () => {
  const { world, actionsPerStep } = drive();
  expectPromotedOnce(world);
  expect(actionsPerStep.filter((n) => n > 0)).toEqual([1, 2, 1]);
});

describe('a crash between any two steps still ends with B promoted once, in order', () => {
  const { actionsPerStep } = drive();
  const crashes: Crash[] = actionsPerStep.flatMap((n, step) =>
    Array.from({ length: n + 1 }, (_, actions) => ({ step, actions })),
  );
  test.each(crashes)('crash at step $step after $actions action(s)', (crash) => {
    expectPromotedOnce(drive(crash).world);
  });
});

describe('named partial states', () => {
  test('Job created but status not yet written: the Job is found, not created again', () => {
    const world = worldWithB();
    world.reconcile({ writeStatus: false });
    expect(world.promotion.status?.inFlight).toBeUndefined();
    const resumed = world.reconcile();
    expect(resumed.actions).toEqual([]);
    expect(resumed.status.inFlight).toMatchObject({ phase: 'Migrating', migrationJob: world.prodJob()!.metadata.name });
    expect(world.production.migrationJobs).toHaveLength(1);
  });

  test('wave 1 images set but status still says Migrating: beat follows only once wave 1 is complete', () => {
    const world = worldWithB();
    world.reconcile();
    world.finishJob();
    world.reconcile({ writeStatus: false });
    expect(world.promotion.status?.inFlight?.phase).toBe('Migrating');
    expect(world.prodImage('web')).toBe(B);
    const waiting = world.reconcile();
    expect(waiting.actions).toEqual([]);
    expect(waiting.status.inFlight).toMatchObject({ phase: 'RollingOut', wave: 0 });
    world.finishRollouts(['web', 'worker']);
    expect(world.reconcile().actions.map((a) => (a as SetImages).target.name)).toEqual(['ponyshop-beat']);
    expect(world.violations).toEqual([]);
  });

  test('only web was set before the crash: the resumed plan sets worker alone', () => {
    const world = worldWithB();
    world.reconcile();
    world.finishJob();
    world.reconcile({ writeStatus: false, actions: 1 });
    expect(world.reconcile().actions.map((a) => (a as SetImages).target.name)).toEqual(['ponyshop-worker']);
  });

  test('beat already set while status says wave 1: the promotion completes without setting anything again', () => {
    const world = worldWithB();
    world.reconcile();
    world.finishJob();
    world.reconcile();
    world.finishRollouts();
    world.reconcile({ writeStatus: false });
    world.finishRollouts();
    expect(world.promotion.status?.inFlight?.wave).toBe(0);
    const done = world.reconcile();
    expect(done.actions).toEqual([]);
    expect(done.status.history![0]).toMatchObject({ tag: 'B', result: 'Succeeded' });
  });

  test('replaying a plan whose status write was lost yields the same plan', () => {
    const world = worldWithB();
    const observed = world.observe();
    const first = reconcile(observed);
    world.apply(first, { writeStatus: false });
    const replay = reconcile({ ...world.observe(), now: observed.now });
    expect(replay.status).toEqual(first.status);
    expect(replay.actions).toEqual([]); // the Job it asked for now exists
  });

  test('a status that says RollingOut never sends the promotion back to migrating', () => {
    const world = worldWithB();
    world.reconcile();
    world.finishJob();
    world.reconcile();
    world.production.migrationJobs = []; // someone deleted the finished Job
    const plan = world.reconcile();
    expect(plan.actions.some((a) => a.type === 'CreateMigrationJob')).toBe(false);
    expect(plan.status.inFlight?.phase).toBe('RollingOut');
  });
});
