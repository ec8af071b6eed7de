// Issue 12 item 5: a refused write reaches status (Degraded/Stalled naming verb, resource, reason) and one
// Warning Event; nothing refused is reported as done; the rollout deadline still fires.
import { condition, reasons, worldWithB } from './world.js';

const FORBIDDEN = (verb: string, resource: string) => ({
  code: 403,
  reason: 'Forbidden',
  message: `${resource} is forbidden: User "system:serviceaccount:ponyexpress-system:ponyexpress-operator" cannot ${verb} resource "${resource}"`,
});

test('a refused Job create: Degraded and Stalled name it, one Warning, no MigrationJobCreated, retries back off', () => {
  const world = worldWithB();
  world.refuse.set('create jobs', FORBIDDEN('create', 'jobs'));
  const plan = world.reconcile();
  expect(plan.actions).toEqual([]);
  for (const type of ['Degraded', 'Stalled']) {
    expect(condition(plan, type)).toMatchObject({
      status: 'True',
      reason: 'ActionFailed',
      message: expect.stringMatching(
        /^create jobs ponyshop-production\/ponyshop-migrate-[0-9a-f]{10}: Forbidden \(403\): jobs is forbidden/,
      ),
    });
  }
  expect(condition(plan, 'Ready')).toMatchObject({ status: 'False', reason: 'ActionFailed' });
  expect(plan.events.filter((e) => e.type === 'Warning')).toEqual([
    expect.objectContaining({ reason: 'ActionFailed', message: condition(plan, 'Degraded')!.message }),
  ]);
  expect(reasons([plan])).not.toContain('MigrationJobCreated');
  expect(plan.requeueAfterSeconds).toBe(10);
  world.tick(10);
  const again = world.reconcile();
  expect([again.events, again.statusChanged, again.requeueAfterSeconds]).toEqual([[], false, 20]);
  expect(world.failure?.attempts).toBe(2);
  world.refuse.clear();
  world.tick(20);
  expect(world.reconcile().actions.map((a) => a.type)).toEqual(['CreateMigrationJob']);
  const cleared = world.reconcile();
  expect(condition(cleared, 'Degraded')).toMatchObject({ status: 'False', reason: 'AsExpected' });
  world.settle();
  expect(world.promotion.status!.production!.tag).toBe('B');
  expect(world.production.migrationJobs).toHaveLength(1);
});

test('refused image patches: reported, and the rollout deadline still ends the promotion as Failed', () => {
  const world = worldWithB({ spec: { target: { ...worldWithB().promotion.spec.target, rolloutTimeoutSeconds: 120 } } });
  world.refuse.set('patch deployments', FORBIDDEN('patch', 'deployments'));
  world.reconcile();
  world.finishJob();
  const refused = world.reconcile();
  expect(condition(refused, 'Degraded')!.message).toMatch(
    /^patch deployments ponyshop-production\/ponyshop-web: Forbidden \(403\)/,
  );
  expect(refused.status.inFlight).toMatchObject({ phase: 'RollingOut', wave: 0, waveStartedAt: expect.any(String) });
  expect(reasons([refused])).toEqual(['ActionFailed']); // no WaveStarted: nothing started
  for (let i = 0; i < 12 && world.promotion.status!.inFlight; i++) {
    world.tick(Math.min(world.reconcile().requeueAfterSeconds ?? 30, 30));
  }
  const end = world.reconcile();
  expect(world.promotion.status!.history![0]).toMatchObject({
    tag: 'B',
    result: 'Failed',
    reason: expect.stringMatching(/^RolloutTimeout: .*patch deployments ponyshop-production\/ponyshop-web: Forbidden/),
  });
  expect(world.promotion.status!.phase).toBe('Failed');
  expect(world.prodImage('web')).toBe(`${world.promotion.spec.imageRepository}:A`);
  expect(end.statusChanged).toBe(false);
});

test('a 5xx or a 422 is reported the same way, with its own reason', () => {
  const world = worldWithB();
  world.refuse.set('create jobs', {
    code: 422,
    reason: 'Invalid',
    message: 'Job.batch "x" is invalid: spec.template.spec.containers[0].image: Required value',
  });
  expect(condition(world.reconcile(), 'Degraded')!.message).toContain(': Invalid (422): Job.batch');
  world.refuse.set('create jobs', { code: 503, reason: 'ServiceUnavailable', message: 'etcdserver: leader changed' });
  world.tick(10);
  const plan = world.reconcile();
  expect(condition(plan, 'Degraded')!.message).toContain(': ServiceUnavailable (503): etcdserver');
  expect(reasons([plan])).toEqual(['ActionFailed']); // a new failure is news once
});
