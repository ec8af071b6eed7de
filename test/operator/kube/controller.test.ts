// The controller and the executor together, on a fake clock, a fake API client and a fake
// cache over the core tests' World: a whole promotion, waiting for caches, lapsed leadership.
import type { ReconcileOutcome } from '../../../operator/kube/queue.js';
import { PromotionController } from '../../../operator/kube/controller.js';
import { KubeError } from '../../../operator/kube/client.js';
import { Counter, Histogram } from '../../../operator/runtime/metrics.js';
import { silentLogger } from '../../../operator/telemetry.js';
import { digestOf, job, REPO, STAGING } from '../core/fixtures.js';
import { World, worldWithB } from '../core/world.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeApi, FakeCache } from './fakes.js';

const KEY = 'ponyshop-production/ponyshop';

function setUp(o: { leader?: () => boolean; statusMinIntervalMs?: number; world?: World } = {}) {
  const world = o.world ?? worldWithB();
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
    statusMinIntervalMs: o.statusMinIntervalMs,
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

  it('a promotion as Kubernetes runs it (staging rolling out for a while, rollouts ending one by one) costs at most 10 writes, Events included', async () => {
    // Production and staging settled on A; soak 0 so staging's own pace decides when B is verified.
    const world = new World({
      staging: 'A',
      production: 'A',
      spec: { source: { ...worldWithB().promotion.spec.source, soakSeconds: 0 } },
    });
    world.settle();
    const { clock, api, controller } = setUp({ world, statusMinIntervalMs: 30_000 });
    const B = `${REPO}:B`;
    const sync = () => (world.seconds = (clock.now() - Date.parse('2026-11-22T00:00:00Z')) / 1000);
    const staging = (component: string) =>
      world.staging.workloads.find((w) => w.metadata.labels!['app.kubernetes.io/component'] === component)!;
    const rolling = (w: { status?: { updatedReplicas?: number } }) => (w.status = { ...w.status, updatedReplicas: 0 });
    // The release, as a GitOps tool and the Deployment controller run it on a busy cluster: seconds -> change.
    const script: Record<number, () => void> = {
      0: () => world.staging.migrationJobs.push(job('ponyshop-migrate-b', STAGING, B, 'Running')),
      6: () => {
        world.setStaging('B', { migration: 'Succeeded', readySince: world.seconds, pods: { ready: false } });
        world.staging.workloads.forEach(rolling);
      },
      14: () => (staging('web').status = { ...staging('web').status, updatedReplicas: 2 }),
      22: () => (staging('worker').status = { ...staging('worker').status, updatedReplicas: 1 }),
      30: () => world.setStaging('B', { migration: 'Succeeded', readySince: world.seconds }),
    };
    const prodDone = new Map<string, number>();
    const before = api.calls.length;
    for (
      let t = 0;
      t < 200 && !(world.promotion.status?.phase === 'Succeeded' && world.promotion.status.production?.tag === 'B');
      t++
    ) {
      sync();
      script[t]?.();
      // Production: the Job takes 12 s; web 8 s, worker 20 s, beat 6 s after their images were set.
      const job = world.prodJob();
      if (job?.status?.active && (prodDone.get('job') ?? (prodDone.set('job', t), t)) + 12 <= t) world.finishJob();
      for (const w of world.production.workloads) {
        const c = w.metadata.labels!['app.kubernetes.io/component'];
        if ((w.status?.observedGeneration ?? 0) >= (w.metadata.generation ?? 0)) continue;
        const since = prodDone.get(c) ?? (prodDone.set(c, t), t);
        if (t - since >= ({ web: 8, worker: 20, beat: 6 } as Record<string, number>)[c])
          world.finishRollouts([c as 'web']);
      }
      await controller.reconcile(KEY); // every second: watch events keep arriving while Kubernetes works
      await clock.advance(1000);
    }
    expect(world.promotion.status?.production?.tag).toBe('B');
    const calls = api.calls.slice(before);
    // One Event per transition: started (verified + Job), promoted.
    expect(calls.filter((c) => c.startsWith('create events')).map((c) => c.split(' ')[2])).toEqual([
      'MigrationJobCreated',
      'Promoted',
    ]);
    expect(calls.filter((c) => !c.startsWith('create events') && !c.startsWith('update'))).toHaveLength(4);
    expect(calls.length).toBeLessThanOrEqual(10);
    expect(world.violations).toEqual([]);
  });

  it('writes an observation-only change once status has been behind for the interval, not before', async () => {
    const world = new World({ staging: 'A', production: 'A' });
    world.settle();
    const { clock, api, controller } = setUp({ world, statusMinIntervalMs: 30_000 });
    world.setStaging('B', { readySince: world.seconds, pods: { ready: false } }); // staging rolling: no event
    expect(await controller.reconcile(KEY)).toEqual({ requeueAfterMs: 30_000 });
    await clock.advance(20_000);
    expect(await controller.reconcile(KEY)).toEqual({ requeueAfterMs: 10_000 });
    expect(api.calls).toEqual([]);
    await clock.advance(10_000);
    await controller.reconcile(KEY);
    expect(api.calls).toEqual(['update promotions/status']);
    expect(world.promotion.status?.staging).toMatchObject({ tag: 'B', verified: false });
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
