// Issue 12 item 7: drift is reverted (or held) without migrating again, with one Event and no history entry per episode.
import type { SetImages } from '../../../operator/core/types.js';
import { digestOf, REPO } from './fixtures.js';
import { condition, promotedB, reasons, type World } from './world.js';

const B = `${REPO}@${digestOf('B')}`;

function drift(world: World, component: 'web' | 'beat', image = `${REPO}:A`): void {
  const w = world.production.workloads.find((x) => x.metadata.name === `ponyshop-${component}`)!;
  w.spec!.template.spec!.containers[0].image = image;
  w.metadata.generation = (w.metadata.generation ?? 1) + 1;
  world.finishRollouts();
}

test('after the Job expired, drift is reverted without a new Job, one Event and no history entry per episode', () => {
  const world = promotedB();
  world.production.migrationJobs = []; // TTL
  const history = world.promotion.status!.history;
  for (let episode = 1; episode <= 2; episode++) {
    drift(world, 'web');
    const plans = [world.reconcile()];
    expect(plans[0].actions.map((a) => (a as SetImages).target.name)).toEqual(['ponyshop-web']);
    for (let i = 0; i < 5; i++) {
      world.finishRollouts();
      plans.push(world.reconcile());
    }
    expect(reasons(plans)).toEqual(['DriftReverted']);
    expect(plans[0].events[0]).toMatchObject({
      type: 'Warning',
      message: expect.stringContaining(`ponyshop-web ran ${REPO}:A`),
    });
    expect(world.prodImage('web')).toBe(B);
    expect(world.promotion.status!.history).toEqual(history);
    expect(world.promotion.status!.phase).toBe('Succeeded');
  }
  expect(world.production.migrationJobs).toHaveLength(0);
  expect(world.timeline.filter((t) => t.startsWith('job'))).toHaveLength(1);
});

test('drift of beat is reverted after web and worker are checked complete, never two beats', () => {
  const world = promotedB();
  drift(world, 'beat');
  world.settle();
  expect(world.prodImage('beat')).toBe(B);
  expect(world.violations).toEqual([]);
});

test('policy.drift Hold: drift is recorded (condition + one Warning), never reverted', () => {
  const world = promotedB({ spec: { policy: { approval: 'Automatic', drift: 'Hold' } } });
  drift(world, 'web');
  const plan = world.reconcile();
  expect(plan.actions).toEqual([]);
  expect(condition(plan, 'Degraded')).toMatchObject({
    status: 'True',
    reason: 'Drifted',
    message: expect.stringContaining(`ponyshop-web ran ${REPO}:A`),
  });
  expect(reasons([plan, world.reconcile(), world.reconcile()])).toEqual(['Drifted']);
  expect(world.prodImage('web')).toBe(`${REPO}:A`);
  drift(world, 'web', B); // a human puts it back
  expect(condition(world.reconcile(), 'Degraded')).toMatchObject({ status: 'False' });
});
