// The controller and the executor together, on a fake clock, a fake API client and a fake
// cache over the core tests' World: a whole promotion, waiting for caches, lapsed leadership.
import type { ReconcileOutcome } from '../../../operator/kube/queue.js';
import { PromotionController } from '../../../operator/kube/controller.js';
import { KubeError } from '../../../operator/kube/client.js';
import { Counter, Histogram } from '../../../operator/runtime/metrics.js';
import { silentLogger } from '../../../operator/telemetry.js';
import { digestOf, REPO } from '../core/fixtures.js';
import { worldWithB, type World } from '../core/world.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeApi, FakeCache } from './fakes.js';

const KEY = 'ponyshop-production/ponyshop';

function setUp(o: { leader?: () => boolean } = {}) {
  const world = worldWithB();
  const clock = new FakeClock(world.now.getTime());
  const api = new FakeApi(world);
  const cache = new FakeCache(world);
  const metrics = {
    promotions: new Counter('p', ''),
    phaseDuration: new Histogram('d', '', [1]),
    reconciles: new Counter('r', ''),
    reconcileErrors: new Counter('e', ''),
    writesSkippedNotLeader: new Counter('s', ''),
  };
  const controller = new PromotionController({
    cache,
    metrics,
    log: silentLogger,
    clock,
    exec: {
      client: api,
      isLeader: o.leader ?? (() => true),
      identity: 'test-0',
      smokeTimeoutMs: 1000,
      log: silentLogger,
    },
  });
  return { world, clock, api, cache, metrics, controller };
}

/** Reconciles like the queue would, letting Jobs and rollouts finish in between, until B runs in production. */
async function promote(world: World, clock: FakeClock, controller: PromotionController): Promise<number> {
  for (let step = 0; step < 40; step++) {
    const outcome: ReconcileOutcome | void = await controller.reconcile(KEY);
    if (world.promotion.status?.phase === 'Succeeded' && world.promotion.status.production?.tag === 'B') return step;
    world.finishPending();
    await clock.advance(Math.min(outcome?.requeueAfterMs ?? 1000, 5000));
    world.seconds = (clock.now() - Date.parse('2026-11-22T00:00:00Z')) / 1000;
  }
  throw new Error(`not promoted; writes: ${JSON.stringify(world.promotion.status)}`);
}

describe('PromotionController with the executor', () => {
  it('promotes B: the Job first, then web and worker, beat last, in at most 10 writes', async () => {
    const { world, clock, api, controller, metrics } = setUp();
    await promote(world, clock, controller);
    const w = api.writes();
    const i = (call: string) => w.indexOf(call);
    expect(i('create jobs')).toBeGreaterThanOrEqual(0);
    expect(i('create jobs')).toBeLessThan(i('apply deployments/ponyshop-web'));
    expect(i('create jobs')).toBeLessThan(i('apply deployments/ponyshop-worker'));
    expect(i('apply deployments/ponyshop-beat')).toBeGreaterThan(
      Math.max(i('apply deployments/ponyshop-web'), i('apply deployments/ponyshop-worker')),
    );
    expect(w.filter((c) => c === 'create jobs')).toHaveLength(1);
    expect(w.length).toBeLessThanOrEqual(10);
    expect(world.prodImage('beat')).toBe(`${REPO}@${digestOf('B')}`);
    expect(metrics.promotions.get({ result: 'Succeeded' })).toBe(1);
    expect(metrics.reconcileErrors.get()).toBe(0);

    // Steady state afterwards: nothing to write.
    const before = api.calls.length;
    await controller.reconcile(KEY);
    expect(api.calls.length).toBe(before);
  });

  it('waits for its caches without writing, and without polling fast', async () => {
    const { api, cache, controller } = setUp();
    cache.syncing = true;
    expect(await controller.reconcile(KEY)).toEqual({ requeueAfterMs: 30_000 });
    expect(api.calls).toEqual([]);
  });

  it('treats lapsed leadership as a skipped write, not a failure', async () => {
    const { api, controller, metrics } = setUp({ leader: () => false });
    expect(await controller.reconcile(KEY)).toEqual({ requeueAfterMs: 1000 });
    expect(api.calls).toEqual([]);
    expect(metrics.writesSkippedNotLeader.get()).toBe(1);
    expect(metrics.reconcileErrors.get()).toBe(0);
  });

  it('feeds a refused write back to the core instead of failing the reconcile', async () => {
    const { api, controller, metrics } = setUp();
    api.failing = {
      match: /^create jobs/,
      error: new KubeError(403, 'Forbidden', 'POST jobs: 403 jobs.batch is forbidden'),
    };
    const outcomes: unknown[] = [];
    for (let step = 0; step < 5; step++) outcomes.push(await controller.reconcile(KEY));
    expect(api.writes().filter((c) => c.startsWith('apply'))).toEqual([]);
    expect(metrics.reconciles.get({ outcome: 'error' })).toBeGreaterThanOrEqual(1);
    expect(metrics.reconcileErrors.get()).toBe(0);
  });

  it('forgets a deleted Promotion', async () => {
    const { world, api, controller } = setUp();
    world.promotion = { ...world.promotion, metadata: { ...world.promotion.metadata, name: 'other' } };
    expect(await controller.reconcile(KEY)).toBeUndefined();
    expect(api.calls).toEqual([]);
  });
});
