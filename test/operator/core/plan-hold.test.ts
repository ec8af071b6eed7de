import type { Condition, Plan, SetImages } from '../../../operator/core/types.js';
import { digestOf, REPO } from './fixtures.js';
import { worldWithB, type World } from './world.js';

const HOLD = 'ponyexpress.dev/hold';
const ROLLBACK = 'ponyexpress.dev/rollback-to';
const B = `${REPO}@${digestOf('B')}`;

function promoting(plan: Plan): Condition | undefined {
  return plan.status.conditions?.find((c) => c.type === 'Promoting');
}

function promotedB(): World {
  const world = worldWithB();
  world.settle();
  expect(world.promotion.status?.production?.tag).toBe('B');
  return world;
}

describe('hold', () => {
  test('a hold stops new promotions until it is released', () => {
    const world = worldWithB();
    world.annotate(HOLD, 'incident 42');
    const held = world.reconcile();
    expect(held.actions).toEqual([]);
    expect(held.status.phase).toBe('Held');
    expect(held.status.hold).toEqual({
      since: held.status.conditions![0].lastTransitionTime,
      reason: 'incident 42',
      by: 'annotation',
    });
    expect(held.events.map((e) => e.reason)).toContain('Held');
    world.tick(3600);
    expect(world.reconcile()).toMatchObject({ actions: [], events: [], statusChanged: false });
    world.annotate(HOLD, undefined);
    const released = world.reconcile();
    expect(released.actions.map((a) => a.type)).toEqual(['CreateMigrationJob']);
    expect(released.status.hold).toBeUndefined();
    expect(released.events.map((e) => e.reason)).toEqual(['Released', 'MigrationJobCreated']);
  });

  test('a hold pauses an in-flight promotion at the next step: no wave starts until release', () => {
    const world = worldWithB();
    world.reconcile();
    world.annotate(HOLD, '');
    world.finishJob();
    const held = world.reconcile();
    expect(held.actions).toEqual([]);
    expect(held.status).toMatchObject({
      phase: 'Held',
      inFlight: { phase: 'Migrating', tag: 'B' },
      hold: { reason: 'no reason given' },
    });
    expect(promoting(held)?.message).toContain('Migrating of');
    world.annotate(HOLD, undefined);
    expect(world.reconcile().actions.map((a) => (a as SetImages).target.name)).toEqual([
      'ponyshop-web',
      'ponyshop-worker',
    ]);
  });
});

describe('rollback', () => {
  test('rolls every wave back (beat last) without any migration, then holds; B is not re-promoted', () => {
    const world = promotedB();
    const jobs = world.production.migrationJobs.length;
    world.annotate(ROLLBACK, 'A');
    world.annotate(HOLD, 'rolled back by alice');
    const start = world.reconcile();
    expect(start.status.phase).toBe('RollingBack');
    expect(start.events.map((e) => e.reason)).toContain('RollbackStarted');
    expect(start.actions).toEqual([
      expect.objectContaining({
        type: 'SetImages',
        purpose: 'Rollback',
        target: expect.objectContaining({ name: 'ponyshop-web' }),
        containers: [{ name: 'web', image: `${REPO}:A` }],
      }),
      expect.objectContaining({
        type: 'SetImages',
        purpose: 'Rollback',
        target: expect.objectContaining({ name: 'ponyshop-worker' }),
      }),
    ]);
    world.finishRollouts(['web', 'worker']);
    expect(world.reconcile().actions.map((a) => (a as SetImages).target.name)).toEqual(['ponyshop-beat']);
    world.finishRollouts();
    const done = world.reconcile();
    expect(done.status).toMatchObject({
      phase: 'Held',
      production: { tag: 'A', image: `${REPO}:A` },
      hold: { by: 'rollback', rollbackTo: 'A', reason: `rolled back to ${REPO}:A` },
    });
    expect(done.status.history![0]).toMatchObject({ tag: 'A', result: 'RolledBack' });
    expect(done.events.map((e) => e.reason)).toEqual(['Held', 'RolledBack']);
    expect(promoting(done)).toMatchObject({
      reason: 'Held',
      message: expect.stringContaining(`held until ${ROLLBACK} is removed`),
    });
    world.tick(86400);
    const steady = world.settle();
    expect(steady.actions).toEqual([]);
    for (const c of ['web', 'worker', 'beat'] as const) expect(world.prodImage(c)).toBe(`${REPO}:A`);
    expect(world.production.migrationJobs).toHaveLength(jobs);
    expect(world.violations).toEqual([]);
  });

  test('releasing re-promotes the verified candidate, reusing its succeeded migration Job', () => {
    const world = promotedB();
    world.annotate(ROLLBACK, 'A');
    world.settle();
    world.annotate(ROLLBACK, undefined);
    const released = world.reconcile();
    expect(released.actions.map((a) => a.type)).toEqual(['SetImages', 'SetImages']);
    world.settle();
    expect(world.prodImage('beat')).toBe(B);
    expect(world.production.migrationJobs).toHaveLength(1);
  });

  test('rollback-to alone holds too, and a rollback target is found by digest', () => {
    const world = promotedB();
    world.setStaging('C', { readySince: world.seconds - 300 });
    world.settle();
    world.annotate(ROLLBACK, digestOf('B'));
    const done = world.settle();
    expect(done.status).toMatchObject({
      phase: 'Held',
      production: { image: B },
      hold: { by: 'rollback', rollbackTo: digestOf('B') },
    });
    expect(world.prodImage('web')).toBe(B);
  });

  test('an unknown target rolls nothing back and says so', () => {
    const world = promotedB();
    world.annotate(ROLLBACK, 'Z');
    const plan = world.reconcile();
    expect(plan.actions).toEqual([]);
    expect(plan.status.phase).toBe('Held');
    expect(promoting(plan)).toMatchObject({ reason: 'RollbackTargetUnknown' });
    expect(plan.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'RollbackTargetUnknown' })]);
  });

  test('a rollback supersedes an in-flight promotion, which is recorded as aborted', () => {
    const world = worldWithB();
    world.reconcile();
    world.finishJob();
    world.reconcile(); // web and worker on B
    world.annotate(ROLLBACK, 'A');
    const plan = world.reconcile();
    expect(plan.status.history![0]).toMatchObject({
      tag: 'B',
      result: 'Aborted',
      reason: expect.stringContaining('RollbackRequested'),
    });
    expect(plan.status.inFlight).toMatchObject({ kind: 'Rollback', tag: 'A' });
    expect(plan.events.map((e) => e.reason)).toEqual(['PromotionAborted', 'RollbackStarted']);
    world.settle();
    for (const c of ['web', 'worker', 'beat'] as const) expect(world.prodImage(c)).toBe(`${REPO}:A`);
  });

  test('removing rollback-to during a rollback aborts it and releases', () => {
    const world = promotedB();
    world.annotate(ROLLBACK, 'A');
    world.reconcile();
    world.annotate(ROLLBACK, undefined);
    const plan = world.reconcile();
    expect(plan.status.history![0]).toMatchObject({
      tag: 'A',
      result: 'Aborted',
      reason: expect.stringContaining('RollbackCancelled'),
    });
    expect(plan.events.map((e) => e.reason)).toContain('RollbackAborted');
    expect(plan.status.hold).toBeUndefined();
    world.settle();
    for (const c of ['web', 'worker', 'beat'] as const) expect(world.prodImage(c)).toBe(B); // B, still verified, goes back
  });

  test('a workload that drifted from production is set again, without a second migration', () => {
    const world = promotedB();
    const web = world.production.workloads.find((w) => w.metadata.name === 'ponyshop-web')!;
    web.spec!.template.spec!.containers[0].image = `${REPO}:A`;
    const plan = world.reconcile();
    expect(plan.actions.map((a) => (a as SetImages).target.name)).toEqual(['ponyshop-web']);
    world.settle();
    expect(world.prodImage('web')).toBe(B);
    expect(world.production.migrationJobs).toHaveLength(1);
  });

  test('a rollback that stalls fails, keeps the hold and is not retried', () => {
    const world = promotedB();
    world.annotate(ROLLBACK, 'A');
    world.reconcile();
    world.stall('web');
    const failed = world.reconcile();
    expect(failed.status.history![0]).toMatchObject({ tag: 'A', result: 'Failed' });
    expect(failed.status.hold).toMatchObject({
      by: 'rollback',
      rollbackTo: 'A',
      reason: expect.stringContaining('failed'),
    });
    expect(failed.events.map((e) => e.reason)).toContain('RollbackFailed');
    expect(world.reconcile().actions).toEqual([]);
  });
});
