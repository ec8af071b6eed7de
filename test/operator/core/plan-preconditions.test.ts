// Issue 12 item 6: every wave component exists in production and staging is readable before the first write.
import { condition, reasons, worldWithB } from './world.js';

test('production without beat: nothing is written, the condition and a Warning name what is missing', () => {
  const world = worldWithB();
  world.production.workloads = world.production.workloads.filter((w) => !w.metadata.name!.endsWith('beat'));
  const plan = world.reconcile();
  expect(plan.actions).toEqual([]);
  expect(condition(plan, 'Promoting')).toMatchObject({
    status: 'False',
    reason: 'ProductionWorkloadMissing',
    message: expect.stringContaining('beat'),
  });
  expect(condition(plan, 'Ready')).toMatchObject({ status: 'False', reason: 'ProductionWorkloadMissing' });
  expect(plan.events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'ProductionWorkloadMissing' }));
  expect(reasons([world.reconcile()])).toEqual([]);
  expect(world.production.migrationJobs).toHaveLength(0);
});

test('beat deleted mid-flight: the promotion is not Succeeded; it fails at the rollout deadline', () => {
  const world = worldWithB();
  world.reconcile();
  world.finishJob();
  world.reconcile();
  world.production.workloads = world.production.workloads.filter((w) => !w.metadata.name!.endsWith('beat'));
  world.finishRollouts();
  const waiting = world.reconcile();
  expect(waiting.status.phase).toBe('RollingOut');
  expect(condition(waiting, 'Promoting')!.message).toContain('no production beat');
  world.tick(600);
  world.reconcile();
  expect(world.promotion.status!.history![0]).toMatchObject({
    tag: 'B',
    result: 'Failed',
    reason: expect.stringContaining('no production beat'),
  });
});

test('a source namespace the operator cannot read: a per-Promotion condition and one Warning, no writes', () => {
  const world = worldWithB();
  world.promotion.spec = {
    ...world.promotion.spec,
    source: { ...world.promotion.spec.source, namespace: 'ponyshop-stagign' },
  };
  world.staging = { workloads: [], pods: [], migrationJobs: [] };
  world.unreadable = [
    {
      namespace: 'ponyshop-stagign',
      resource: 'pods',
      code: 403,
      message: 'pods is forbidden: cannot list resource "pods" in the namespace "ponyshop-stagign"',
    },
  ];
  const plan = world.reconcile();
  expect(plan.actions).toEqual([]);
  expect(condition(plan, 'StagingVerified')).toMatchObject({
    status: 'False',
    reason: 'SourceUnreadable',
    message: expect.stringContaining('ponyshop-stagign'),
  });
  expect(condition(plan, 'Degraded')).toMatchObject({ status: 'True', reason: 'SourceUnreadable' });
  expect(condition(plan, 'Ready')).toMatchObject({ status: 'False' });
  expect(plan.events.filter((e) => e.type === 'Warning').map((e) => e.reason)).toEqual(['SourceUnreadable']);
  expect(plan.requeueAfterSeconds).toBeUndefined(); // no busy loop: the next change or the informer's retry wakes it
  expect(reasons([world.reconcile()])).toEqual([]);
});
