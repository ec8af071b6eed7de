// Issue 12 item 3: production never moves backwards on its own; an older image's migrations never run.
import { digestOf, REPO } from './fixtures.js';
import { condition, promotedB, reasons, World } from './world.js';

const B = `${REPO}@${digestOf('B')}`;

test('staging reverting to A after B was promoted leaves production on B, with a Warning saying so once', () => {
  const world = promotedB();
  const jobs = world.production.migrationJobs.length;
  world.setStaging('A', { readySince: world.seconds - 300 });
  const plan = world.reconcile();
  expect(plan.actions).toEqual([]);
  expect(condition(plan, 'Promoting')).toMatchObject({
    status: 'False',
    reason: 'StagingBehindProduction',
    message: expect.stringContaining('staging is behind production; use rollback'),
  });
  expect(plan.events).toContainEqual(
    expect.objectContaining({
      type: 'Warning',
      reason: 'StagingBehindProduction',
      message: expect.stringContaining('ponyexpress rollback'),
    }),
  );
  const later = [world.reconcile(), world.reconcile()];
  expect(reasons(later)).toEqual([]);
  world.settle();
  for (const c of ['web', 'worker', 'beat'] as const) expect(world.prodImage(c)).toBe(B);
  expect(world.production.migrationJobs).toHaveLength(jobs); // A's migrations never ran again
  expect(world.promotion.status!.history!.map((h) => `${h.tag}:${h.result}`)).toEqual(['B:Succeeded', 'A:Observed']);
});

test('under a semver policy, a lower version than production is never promoted, even unseen', () => {
  const world = new World({ staging: '1.2.0', production: '1.2.0', spec: { policy: { tags: { semver: '>=1.0.0' } } } });
  world.settle();
  world.setStaging('1.1.9', { readySince: world.seconds - 300 });
  const plan = world.reconcile();
  expect(plan.actions).toEqual([]);
  expect(condition(plan, 'Promoting')).toMatchObject({
    reason: 'StagingBehindProduction',
    message: expect.stringContaining('1.1.9 is older than production 1.2.0'),
  });
  world.setStaging('1.3.0', { readySince: world.seconds - 300 });
  world.settle();
  expect(world.promotion.status!.production!.tag).toBe('1.3.0');
});

test('after a rollback and release, the newer B goes back without migrating again (a human asked for the rollback)', () => {
  const world = promotedB();
  world.annotate('ponyexpress.dev/rollback-to', 'A');
  world.settle();
  world.production.migrationJobs = []; // the Job's TTL ran out meanwhile
  world.annotate('ponyexpress.dev/rollback-to', undefined);
  world.settle();
  for (const c of ['web', 'worker', 'beat'] as const) expect(world.prodImage(c)).toBe(B);
  expect(world.production.migrationJobs).toHaveLength(0);
  expect(world.violations.filter((v) => !v.includes('before its migration succeeded'))).toEqual([]);
});
