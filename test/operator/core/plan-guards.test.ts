import type { Condition, Plan } from '../../../operator/core/types.js';
import { digestOf, REPO } from './fixtures.js';
import { World, worldWithB } from './world.js';

function condition(plan: Plan, type: Condition['type']): Condition | undefined {
  return plan.status.conditions?.find((c) => c.type === type);
}

describe('never promotes what staging did not verify', () => {
  test('a staging migration that failed keeps B out of production', () => {
    const world = worldWithB({ stagingOptions: { migration: 'Failed' } });
    const plan = world.reconcile();
    expect(plan.actions).toEqual([]);
    expect(condition(plan, 'StagingVerified')).toMatchObject({ status: 'False', reason: 'StagingMigrationFailed' });
    expect(plan.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'StagingMigrationFailed' })]);
    expect(plan.status.staging).toMatchObject({ tag: 'B', verified: false });
    world.tick(86400);
    expect(world.settle().status.production?.tag).toBe('A');
    expect(world.production.migrationJobs).toHaveLength(0);
  });

  test('an unsoaked candidate waits and asks to be woken when the soak ends', () => {
    const world = worldWithB({ soaked: 100 });
    const plan = world.reconcile();
    expect(plan.actions).toEqual([]);
    expect(plan.status.phase).toBe('Waiting');
    expect(condition(plan, 'StagingVerified')).toMatchObject({
      reason: 'Soaking',
      message: expect.stringMatching(/^soaking until /),
    });
    expect(plan.requeueAfterSeconds).toBe(200);
  });

  test('a disallowed tag is ignored with a condition saying so', () => {
    const world = worldWithB({ spec: { policy: { tags: { semver: '>=1.0.0' } } } });
    const plan = world.reconcile();
    expect(plan.actions).toEqual([]);
    expect(condition(plan, 'StagingVerified')).toMatchObject({
      status: 'False',
      reason: 'TagNotAllowed',
      message: expect.stringContaining('tag B is not a semantic version'),
    });
    expect(plan.status.phase).not.toBe('Waiting');
    expect(plan.events.map((e) => e.reason)).toEqual(['TagNotAllowed']);
  });

  test('an allowed tag under a regex policy is promoted', () => {
    const world = worldWithB({ spec: { policy: { tags: { regex: '[A-Z]' } } } });
    expect(world.reconcile().actions.map((a) => a.type)).toEqual(['CreateMigrationJob']);
  });
});

describe('Manual approval', () => {
  const manual = { spec: { policy: { approval: 'Manual' as const } } };

  test('nothing happens until the candidate is approved', () => {
    const world = worldWithB(manual);
    const plan = world.reconcile();
    expect(plan.actions).toEqual([]);
    expect(plan.status.phase).toBe('Waiting');
    expect(condition(plan, 'Promoting')).toMatchObject({
      reason: 'WaitingForApproval',
      message: expect.stringContaining(`B or ${digestOf('B')}`),
    });
  });

  test('approving another image does nothing, and says so once', () => {
    const world = worldWithB({ ...manual, annotations: { 'ponyexpress.dev/approve': 'C' } });
    const plan = world.reconcile();
    expect(plan.actions).toEqual([]);
    expect(condition(plan, 'Promoting')).toMatchObject({ reason: 'ApprovalMismatch' });
    expect(plan.events.map((e) => [e.type, e.reason])).toEqual([
      ['Normal', 'StagingVerified'],
      ['Warning', 'ApprovalMismatch'],
    ]);
    expect(world.reconcile()).toMatchObject({ actions: [], events: [], statusChanged: false });
  });

  test('a near-miss (a prefix of the digest) is a mismatch', () => {
    const world = worldWithB({ ...manual, annotations: { 'ponyexpress.dev/approve': digestOf('B').slice(0, 20) } });
    expect(condition(world.reconcile(), 'Promoting')?.reason).toBe('ApprovalMismatch');
  });

  test.each([
    ['tag', 'B'],
    ['digest', digestOf('B')],
  ])('approving by %s promotes', (_by, value) => {
    const world = worldWithB(manual);
    world.reconcile();
    world.annotate('ponyexpress.dev/approve', value);
    expect(world.reconcile().actions.map((a) => a.type)).toEqual(['CreateMigrationJob']);
    world.settle();
    expect(world.promotion.status?.production?.tag).toBe('B');
  });
});

describe('failures', () => {
  test('a failed prod migration fails the promotion and touches no workload, and B is not retried', () => {
    const world = worldWithB();
    world.reconcile();
    world.finishJob('Failed');
    const plan = world.reconcile();
    expect(plan.actions).toEqual([]);
    expect(plan.status.phase).toBe('Failed');
    expect(plan.status.inFlight).toBeUndefined();
    expect(plan.status.history![0]).toMatchObject({
      tag: 'B',
      result: 'Failed',
      reason: expect.stringContaining('MigrationFailed: Job ponyshop-migrate-'),
    });
    expect(plan.status.history![0].reason).toContain(
      'BackoffLimitExceeded: Job has reached the specified backoff limit',
    );
    expect(condition(plan, 'Degraded')).toMatchObject({ status: 'True', reason: 'LastPromotionFailed' });
    expect(condition(plan, 'Stalled')).toMatchObject({ status: 'True', reason: 'LastPromotionFailed' }); // kstatus: Failed
    expect(condition(plan, 'Ready')).toMatchObject({ status: 'False' });
    expect(plan.events.map((e) => [e.type, e.reason])).toContainEqual(['Warning', 'PromotionFailed']);
    expect(world.timeline.filter((t) => t.startsWith('set'))).toEqual([]);
    const again = world.settle();
    expect(again.status.production?.tag).toBe('A');
    expect(condition(again, 'Promoting')?.reason).toBe('PreviouslyFailed');
    expect(world.production.migrationJobs).toHaveLength(1);
  });

  test('a stalled rollout fails the promotion and beat is never started', () => {
    const world = worldWithB();
    world.reconcile();
    world.finishJob();
    world.reconcile(); // wave 1
    world.finishRollouts(['web']);
    world.stall('worker');
    const plan = world.reconcile();
    expect(plan.status.phase).toBe('Failed');
    expect(plan.status.history![0].reason).toMatch(
      /^RolloutStalled: deployment\/ponyshop-worker: ProgressDeadlineExceeded/,
    );
    world.tick(3600);
    world.settle();
    expect(world.prodImage('beat')).toBe(`${REPO}:A`);
    expect(world.timeline.some((t) => t.startsWith('set beat'))).toBe(false);
  });

  test('a wave that outlives rolloutTimeoutSeconds fails; before that it asks to be woken at the deadline', () => {
    const world = worldWithB({
      spec: { target: { ...new World().promotion.spec.target, rolloutTimeoutSeconds: 120 } },
    });
    world.reconcile();
    world.finishJob();
    world.reconcile();
    world.tick(100);
    expect(world.reconcile().requeueAfterSeconds).toBe(20);
    world.tick(20);
    const plan = world.reconcile();
    expect(plan.status.history![0]).toMatchObject({
      result: 'Failed',
      reason: expect.stringMatching(/^RolloutTimeout: wave 1\/2/),
    });
    expect(world.prodImage('beat')).toBe(`${REPO}:A`);
  });

  test('a beat that could run twice (RollingUpdate) is refused before anything starts', () => {
    const world = worldWithB();
    const beat = world.production.workloads.find((w) => w.metadata.name === 'ponyshop-beat')!;
    beat.spec!.strategy = { type: 'RollingUpdate' };
    const plan = world.reconcile();
    expect(plan.actions).toEqual([]);
    expect(condition(plan, 'Promoting')).toMatchObject({ reason: 'UnsafeBeat' });
    expect(condition(plan, 'Degraded')).toMatchObject({ status: 'True', reason: 'UnsafeBeat' });
  });
});

test('a selected workload that does not run the app is left alone', () => {
  const world = worldWithB();
  const exporter = structuredClone(world.production.workloads[0]);
  exporter.metadata.name = 'ponyshop-metrics';
  exporter.spec!.template.spec = { containers: [{ name: 'exporter', image: 'prom/statsd-exporter:v0.26' }] };
  world.production.workloads.push(exporter);
  world.settle();
  expect(world.promotion.status?.production?.tag).toBe('B');
  expect(exporter.spec!.template.spec.containers[0].image).toBe('prom/statsd-exporter:v0.26');
});

describe('suspend and invalid specs', () => {
  test('suspend freezes everything, in flight included, and resumes where it stopped', () => {
    const world = worldWithB();
    world.reconcile();
    world.finishJob();
    world.promotion.spec.suspend = true;
    world.promotion.metadata.generation = 2;
    const plan = world.reconcile();
    expect(plan.actions).toEqual([]);
    expect(plan.status).toMatchObject({ observedGeneration: 2, phase: 'Migrating', inFlight: { phase: 'Migrating' } });
    expect(condition(plan, 'Ready')).toMatchObject({ status: 'False', reason: 'Suspended', observedGeneration: 2 });
    expect(world.reconcile()).toMatchObject({ actions: [], statusChanged: false, events: [] });
    world.promotion.spec.suspend = false;
    world.promotion.metadata.generation = 3;
    expect(world.reconcile().actions.map((a) => a.type)).toEqual(['SetImages', 'SetImages']);
  });

  test('a spec the CRD should have rejected is reported, not acted on', () => {
    const world = worldWithB({ spec: { policy: { tags: { regex: '(' } } } });
    const plan = world.reconcile();
    expect(plan.actions).toEqual([]);
    expect(condition(plan, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'InvalidSpec',
      message: expect.stringContaining('policy.tags.regex'),
    });
    expect(plan.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'InvalidSpec' })]);
  });
});

test('every condition carries the generation it describes', () => {
  const world = worldWithB();
  world.promotion.metadata.generation = 7;
  const plan = world.reconcile();
  expect(plan.status.observedGeneration).toBe(7);
  expect(plan.status.conditions?.map((c) => c.type)).toEqual([
    'Ready',
    'StagingVerified',
    'Promoting',
    'Degraded',
    'Reconciling',
    'Stalled',
  ]);
  for (const c of plan.status.conditions!) expect(c.observedGeneration).toBe(7);
});
