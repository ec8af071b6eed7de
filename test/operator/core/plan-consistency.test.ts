// Issue 12 item 8: conditions agree with each other, and history says only what happened.
import { condition, worldWithB, World } from './world.js';

test('no candidate (the source selector matches nothing) is not Ready', () => {
  const world = new World();
  world.staging = { workloads: [], pods: [], migrationJobs: [] };
  const plan = world.reconcile();
  expect(condition(plan, 'StagingVerified')).toMatchObject({ status: 'False', reason: 'NoCandidate' });
  expect(condition(plan, 'Ready')).toMatchObject({ status: 'False', reason: 'NoCandidate' });
});

test('a Promotion deleted and re-created mid-flight records no false Observed entry', () => {
  const world = worldWithB();
  world.reconcile();
  world.finishJob();
  world.reconcile();
  world.finishRollouts(['web', 'worker']);
  world.reconcile(); // beat set, not complete
  world.promotion = { ...world.promotion, status: undefined, metadata: { ...world.promotion.metadata, uid: 'new' } };
  const first = world.reconcile(); // beat is still rolling out: production is not "observed" on B
  expect(first.status.history).toBeUndefined();
  world.settle();
  const history = world.promotion.status!.history!;
  expect(history.map((h) => `${h.tag}:${h.result}`)).toEqual(['B:Succeeded']);
  expect(world.production.migrationJobs).toHaveLength(1);
  expect(world.violations).toEqual([]);
});
