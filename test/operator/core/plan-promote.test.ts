import { migrationJobName } from '../../../contract/index.js';
import { reconcile } from '../../../operator/core/plan.js';
import type { CreateMigrationJob, SetImages } from '../../../operator/core/types.js';
import { digestOf, REPO } from './fixtures.js';
import { World, worldWithB } from './world.js';

const B = `${REPO}@${digestOf('B')}`;

describe('a verified candidate is promoted: migration, then web and worker, then beat', () => {
  test('the full sequence, in order, with exactly one prod migration Job', () => {
    const world = worldWithB({ soaked: 0 });
    world.tick(299);
    expect(world.reconcile().actions).toEqual([]); // still soaking
    world.tick(1);
    const start = world.reconcile();
    expect(start.actions.map((a) => a.type)).toEqual(['CreateMigrationJob']);
    expect(start.status.phase).toBe('Migrating');
    expect(start.status.conditions?.find((c) => c.type === 'Reconciling')).toMatchObject({
      status: 'True',
      reason: 'Migrating',
    }); // kstatus: InProgress
    expect(start.status.inFlight).toMatchObject({
      kind: 'Promotion',
      tag: 'B',
      digest: digestOf('B'),
      image: B,
      phase: 'Migrating',
    });
    expect(world.reconcile().actions).toEqual([]); // the Job runs: nothing to do
    world.finishJob('Succeeded');
    const wave1 = world.reconcile();
    expect(wave1.actions.map((a) => (a as SetImages).target.name)).toEqual(['ponyshop-web', 'ponyshop-worker']);
    expect(wave1.status).toMatchObject({ phase: 'RollingOut', inFlight: { phase: 'RollingOut', wave: 0 } });
    world.finishRollouts(['web']);
    expect(world.reconcile().actions).toEqual([]); // worker not complete: beat waits
    world.finishRollouts(['worker']);
    const wave2 = world.reconcile();
    expect(wave2.actions.map((a) => (a as SetImages).target.name)).toEqual(['ponyshop-beat']);
    expect(wave2.status.inFlight?.wave).toBe(1);
    world.finishRollouts(['beat']);
    const done = world.reconcile();
    expect(done.actions).toEqual([]);
    expect(done.status.phase).toBe('Succeeded');
    expect(done.status.inFlight).toBeUndefined();
    expect(done.status.production).toEqual({
      tag: 'B',
      digest: digestOf('B'),
      image: B,
      promotedAt: done.status.history![0].finishedAt,
    });
    expect(done.status.history![0]).toMatchObject({ tag: 'B', result: 'Succeeded', reason: 'Complete' });
    expect(done.events.map((e) => e.reason)).toEqual(['Promoted']);
    expect(world.timeline.filter((t) => t.startsWith('job')).length).toBe(1);
    expect(world.timeline.filter((t) => t.startsWith('set')).map((t) => t.split(' ')[1])).toEqual([
      'web',
      'worker',
      'beat',
    ]);
    expect(world.production.migrationJobs).toHaveLength(1);
    for (const c of ['web', 'worker', 'beat'] as const) expect(world.prodImage(c)).toBe(B);
  });

  test('the migration Job carries the candidate image, the name the charts would give it, and a TTL of at least an hour', () => {
    const world = worldWithB({ soaked: 0 });
    world.tick(300);
    const create = world.reconcile().actions[0] as CreateMigrationJob;
    const spec = create.job.spec as {
      ttlSecondsAfterFinished?: number;
      template: { metadata: { annotations: Record<string, string> }; spec: { containers: { image: string }[] } };
    };
    expect(create.job.metadata.name).toBe(migrationJobName('ponyshop', B, { ...spec, ttlSecondsAfterFinished: 600 }));
    expect(spec.template.metadata.annotations).toEqual({ 'ponyexpress.dev/image': B });
    expect(create.job.metadata).toMatchObject({
      namespace: 'ponyshop-production',
      annotations: { 'ponyexpress.dev/image': B },
    });
    expect(create.job.metadata.labels).toMatchObject({
      'app.kubernetes.io/component': 'migrate',
      'ponyexpress.dev/promotion': 'ponyshop',
    });
    expect(spec.template.spec.containers[0].image).toBe(B);
    expect(spec.ttlSecondsAfterFinished).toBe(3600); // 600 in the template: raised, so the finished Job stays observable
    expect(world.promotion.spec.target.migrationJobTemplate).toHaveProperty('ttlSecondsAfterFinished', 600); // spec untouched
  });

  test('SetImages sets the init container too and never anything but images', () => {
    const world = worldWithB({ soaked: 0 });
    world.tick(300);
    world.reconcile();
    world.finishJob();
    const [web] = world.reconcile().actions as SetImages[];
    expect(web).toEqual({
      type: 'SetImages',
      target: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ponyshop-production', name: 'ponyshop-web' },
      containers: [{ name: 'web', image: B }],
      initContainers: [{ name: 'wait-for-migrations', image: B }],
      wave: 0,
      purpose: 'Promotion',
    });
  });

  test('without digests (kwok) the tag moves', () => {
    const world = new World({ staging: 'A', production: 'A', stagingOptions: { digests: false } });
    world.settle();
    world.setStaging('B', { digests: false, readySince: world.seconds });
    world.tick(300);
    expect(world.reconcile().status.inFlight).toMatchObject({ tag: 'B', image: `${REPO}:B` });
    world.settle();
    expect(world.prodImage('beat')).toBe(`${REPO}:B`);
  });
});

test('a StatefulSet beat is rolled last and counted complete only at its new revision', () => {
  const world = worldWithB({ soaked: 0 });
  const beat = world.production.workloads.find((w) => w.metadata.name === 'ponyshop-beat')!;
  beat.kind = 'StatefulSet';
  beat.spec = { ...beat.spec!, strategy: undefined, updateStrategy: { type: 'RollingUpdate' } };
  beat.status = { ...beat.status, currentRevision: 'r1', updateRevision: 'r1' };
  world.tick(300);
  world.settle();
  expect(world.prodImage('beat')).toBe(B);
  expect(world.violations).toEqual([]);
  expect(world.timeline.filter((t) => t.startsWith('set')).map((t) => t.split(' ')[1])).toEqual([
    'web',
    'worker',
    'beat',
  ]);
});

test('a promotion emits one Event per transition: started (verified + Job created), promoted', () => {
  const world = worldWithB({ soaked: 0 });
  world.tick(300);
  const events: { reason: string; message: string }[] = [];
  for (let i = 0; i < 8; i++) {
    events.push(...world.reconcile().events);
    world.finishPending();
  }
  expect(events.map((e) => e.reason)).toEqual(['MigrationJobCreated', 'Promoted']);
  expect(events[0].message).toMatch(
    /^created Job \S+ to migrate production to \S+ \(staging verified: healthy since \S+\)$/,
  );
});

test('a promotion that needs no migration announces its start with the first wave only', () => {
  const world = worldWithB({ soaked: 0 });
  world.tick(300);
  world.settle();
  // B promoted; roll back to A, then release the hold: B (already migrated) is promoted again
  world.annotate('ponyexpress.dev/rollback-to', 'A');
  world.settle();
  world.annotate('ponyexpress.dev/rollback-to', undefined);
  const events: string[] = [];
  for (let i = 0; i < 8; i++) {
    events.push(...world.reconcile().events.map((e) => e.reason));
    world.finishPending();
  }
  expect(world.prodImage('beat')).toBe(`${REPO}@${digestOf('B')}`);
  expect(events.filter((r) => r === 'WaveStarted')).toHaveLength(1);
});

describe('steady state', () => {
  test('a settled Promotion plans nothing and leaves status identical', () => {
    const world = worldWithB({ soaked: 0 });
    world.tick(300);
    world.settle();
    const writes = world.statusWrites;
    for (let i = 0; i < 3; i++) {
      world.tick(3600);
      const plan = world.reconcile();
      expect(plan).toMatchObject({ actions: [], events: [], statusChanged: false });
      expect(plan.status).toEqual(world.promotion.status);
    }
    expect(world.statusWrites).toBe(writes);
  });

  test('first sight of production records it as the rollback base, once', () => {
    const world = new World({ staging: 'A', production: 'A' });
    const first = world.reconcile();
    expect(first.status.production).toEqual({ tag: 'A', image: `${REPO}:A` });
    expect(first.status.history).toEqual([expect.objectContaining({ tag: 'A', result: 'Observed' })]);
    expect(first.status.phase).toBe('Idle');
    expect(first.status.conditions?.find((c) => c.type === 'Promoting')).toMatchObject({
      status: 'False',
      reason: 'UpToDate',
    });
    expect(world.reconcile().statusChanged).toBe(false);
  });

  test('staging re-soaking what production already runs (a scale-up) emits no event', () => {
    const world = worldWithB({ soaked: 0 });
    world.tick(300);
    world.settle();
    world.setStaging('B', { readySince: world.seconds });
    expect(world.reconcile()).toMatchObject({ actions: [], events: [] });
    world.tick(300);
    const plan = world.reconcile();
    expect(plan.status.conditions?.find((c) => c.type === 'StagingVerified')?.reason).toBe('Verified');
    expect(plan).toMatchObject({ actions: [], events: [] });
  });

  test('the same Observed twice gives the same Plan', () => {
    const world = worldWithB({ soaked: 0 });
    world.tick(300);
    const observed = world.observe();
    expect(reconcile(observed)).toEqual(reconcile(structuredClone(observed)));
  });
});

describe('one promotion at a time', () => {
  test('a newer verified candidate waits for the running promotion, then goes next', () => {
    const world = worldWithB({ soaked: 0 });
    world.tick(300);
    world.reconcile();
    world.finishJob();
    world.reconcile(); // wave 1 images set
    world.setStaging('C', { readySince: world.seconds - 300 });
    world.tick(10);
    const plan = world.reconcile();
    expect(plan.status.inFlight?.tag).toBe('B');
    expect(plan.status.staging).toMatchObject({ tag: 'C', verified: true });
    expect(plan.actions.every((a) => a.type !== 'CreateMigrationJob')).toBe(true);
    world.finishRollouts();
    world.reconcile(); // beat
    world.finishRollouts();
    const handover = world.reconcile();
    expect(handover.status.history![0]).toMatchObject({ tag: 'B', result: 'Succeeded' });
    expect(handover.status.inFlight).toMatchObject({ tag: 'C', phase: 'Migrating' }); // C starts as soon as B ends
    expect(handover.events.map((e) => e.reason)).toEqual(['Promoted', 'MigrationJobCreated']);
    world.settle();
    expect(world.promotion.status?.production?.tag).toBe('C');
    expect(world.production.migrationJobs).toHaveLength(2);
  });
});
