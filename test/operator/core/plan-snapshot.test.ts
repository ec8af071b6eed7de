// Issue 12 item 4: an in-flight promotion keeps the spec it started with; approval changes pause at a wave boundary.
import type { PromotionSpec, SetImages, WorkloadComponent } from '../../../operator/core/types.js';
import { digestOf, REPO } from './fixtures.js';
import { condition, worldWithB, type World } from './world.js';

const B = `${REPO}@${digestOf('B')}`;

function edit(world: World, patch: (spec: PromotionSpec) => void): void {
  const spec = structuredClone(world.promotion.spec);
  patch(spec);
  world.promotion = {
    ...world.promotion,
    spec,
    metadata: { ...world.promotion.metadata, generation: (world.promotion.metadata.generation ?? 1) + 1 },
  };
}

const threeWaves: WorkloadComponent[][] = [['web'], ['worker'], ['beat']];

test('editing waves mid-flight cannot break ordering: the flight finishes under the waves it started with', () => {
  const world = worldWithB({ spec: { target: { ...worldWithB().promotion.spec.target, waves: threeWaves } } });
  const start = world.reconcile();
  expect(start.status.inFlight).toMatchObject({
    waves: threeWaves,
    migrationJobTemplate: world.promotion.spec.target.migrationJobTemplate,
    rolloutTimeoutSeconds: 600,
    policy: { approval: 'Automatic' },
  });
  world.finishJob();
  expect(world.reconcile().actions.map((a) => (a as SetImages).target.name)).toEqual(['ponyshop-web']);
  edit(world, (s) => (s.target.waves = [['web', 'worker'], ['beat']]));
  world.finishRollouts(['web']);
  expect(world.reconcile().actions.map((a) => (a as SetImages).target.name)).toEqual(['ponyshop-worker']);
  expect(world.reconcile().actions).toEqual([]); // beat waits for worker
  world.settle();
  expect(world.violations).toEqual([]);
  expect(world.timeline.filter((t) => t.startsWith('set')).map((t) => t.split(' ')[1])).toEqual([
    'web',
    'worker',
    'beat',
  ]);
  expect(world.promotion.status!.inFlight).toBeUndefined();
});

test('editing the Job template mid-migration: a lost Job is re-created from the snapshot, under the same name', () => {
  const world = worldWithB();
  world.reconcile();
  const name = world.prodJob()!.metadata.name;
  edit(world, (s) => (s.target.migrationJobTemplate.backoffLimit = 7));
  world.production.migrationJobs = []; // deleted by hand
  const plan = world.reconcile();
  expect(plan.actions).toEqual([
    expect.objectContaining({
      type: 'CreateMigrationJob',
      job: expect.objectContaining({
        metadata: expect.objectContaining({ name }),
        spec: expect.objectContaining({ backoffLimit: 1 }),
      }),
    }),
  ]);
});

test('the next promotion uses the edited spec', () => {
  const world = worldWithB();
  world.reconcile();
  edit(world, (s) => (s.target.waves = threeWaves));
  world.settle();
  world.setStaging('C', { readySince: world.seconds - 300 });
  const plan = world.reconcile();
  expect(plan.status.inFlight).toMatchObject({ tag: 'C', waves: threeWaves });
});

test('switching to Manual approval mid-flight pauses at the next wave boundary until the image is approved', () => {
  const world = worldWithB();
  world.reconcile();
  world.finishJob();
  world.reconcile(); // wave 1 set
  edit(world, (s) => (s.policy = { ...s.policy, approval: 'Manual' }));
  world.finishRollouts();
  const paused = world.reconcile();
  expect(paused.actions).toEqual([]);
  expect(paused.status.inFlight).toMatchObject({ tag: 'B', wave: 0 });
  expect(condition(paused, 'Promoting')).toMatchObject({
    status: 'False',
    reason: 'WaitingForApproval',
    message: expect.stringContaining('wave 2/2'),
  });
  expect(paused.events).toContainEqual(expect.objectContaining({ reason: 'WaitingForApproval' }));
  world.tick(3600); // a long wait is no rollout timeout: the wave has not started
  expect(world.reconcile().actions).toEqual([]);
  world.annotate('ponyexpress.dev/approve', 'B');
  expect(world.reconcile().actions.map((a) => (a as SetImages).target.name)).toEqual(['ponyshop-beat']);
  world.settle();
  expect(world.prodImage('beat')).toBe(B);
  expect(world.promotion.status!.history![0]).toMatchObject({ tag: 'B', result: 'Succeeded' });
});
