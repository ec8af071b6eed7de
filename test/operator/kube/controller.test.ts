// The controller and the executor together, on a fake clock, a fake API client and a fake
// cache over the core tests' World: a whole promotion, waiting for caches, lapsed leadership.
import type { ReconcileOutcome } from '../../../operator/kube/queue.js';
import { PromotionController } from '../../../operator/kube/controller.js';
import { KubeError } from '../../../operator/kube/client.js';
import { EventRecorder } from '../../../operator/kube/events.js';
import { Counter, Histogram } from '../../../operator/runtime/prom.js';
import { silentLogger } from '../../../operator/telemetry.js';
import { digestOf, job, REPO, STAGING } from '../core/fixtures.js';
import type { PromotionStatus } from '../../../operator/core/resource.js';
import type { WorkloadLike } from '../../../operator/core/types.js';
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
      events: new EventRecorder({ client: api, identity: 'test-0', log: silentLogger }),
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

    // A promotion in flight goes ahead in the client rate limit (rate-limit.ts), all its writes, the
    // last status write and Event included; what came before it (recording production) does not.
    const start = api.calls.indexOf('create jobs');
    expect(api.ahead).toEqual(api.calls.slice(start));
    expect(api.ahead).toEqual(expect.arrayContaining(['create events MigrationJobCreated', 'create events Promoted']));
    // Events take their tokens from a bucket of their own; the promotion's writes never wait behind them.
    expect(api.eventBucket).toEqual(api.calls.filter((c) => c.startsWith('create events')));
    expect(api.eventBucket).toContain('create events Promoted');

    // Steady state afterwards: nothing to write.
    const before = api.calls.length;
    await controller.reconcile(KEY);
    expect(api.calls.length).toBe(before);
  });

  /**
   * A whole promotion on a fake clock, reconciled every second as watch events keep arriving, with staging's
   * release played by `script` (seconds -> change) and production's Job (12 s) and rollouts (web 8 s, worker
   * 20 s, beat 6 s) run the way the Deployment controller would. Returns the API calls it made.
   */
  async function promoteAsKubernetes(script: (t: number, world: World, staging: (c: string) => WorkloadLike) => void) {
    // Production and staging settled on A; soak 0 so staging's own pace decides when B is verified.
    const world = new World({
      staging: 'A',
      production: 'A',
      spec: { source: { ...worldWithB().promotion.spec.source, soakSeconds: 0 } },
    });
    world.settle();
    const { clock, api, controller } = setUp({ world, statusMinIntervalMs: 30_000 });
    const staging = (component: string) =>
      world.staging.workloads.find((w) => w.metadata.labels!['app.kubernetes.io/component'] === component)!;
    const prodDone = new Map<string, number>();
    const statuses: PromotionStatus[] = [];
    const before = api.calls.length;
    for (
      let t = 0;
      t < 600 && !(world.promotion.status?.phase === 'Succeeded' && world.promotion.status.production?.tag === 'B');
      t++
    ) {
      world.seconds = (clock.now() - Date.parse('2026-11-22T00:00:00Z')) / 1000;
      script(t, world, staging);
      if (t === 0) world.staging.migrationJobs.push(job('ponyshop-migrate-b', STAGING, `${REPO}:B`, 'Running'));
      if (t === 6) {
        world.setStaging('B', { migration: 'Succeeded', readySince: world.seconds, pods: { ready: false } });
        world.staging.workloads.forEach((w) => (w.status = { ...w.status, updatedReplicas: 0 }));
      }
      const job_ = world.prodJob();
      if (job_?.status?.active && (prodDone.get('job') ?? (prodDone.set('job', t), t)) + 12 <= t) world.finishJob();
      for (const w of world.production.workloads) {
        const c = w.metadata.labels!['app.kubernetes.io/component'];
        if ((w.status?.observedGeneration ?? 0) >= (w.metadata.generation ?? 0)) continue;
        const since = prodDone.get(c) ?? (prodDone.set(c, t), t);
        if (t - since >= ({ web: 8, worker: 20, beat: 6 } as Record<string, number>)[c])
          world.finishRollouts([c as 'web']);
      }
      const n = api.calls.length;
      await controller.reconcile(KEY);
      if (api.calls.slice(n).includes('update promotions/status'))
        statuses.push(structuredClone(world.promotion.status!));
      await clock.advance(1000);
    }
    expect(world.promotion.status?.production?.tag).toBe('B');
    expect(world.violations).toEqual([]);
    return { calls: api.calls.slice(before), statuses };
  }

  it('does not wait for its Events: with the Events API hanging, B is promoted, and the Events go out once it answers', async () => {
    const { world, clock, api, controller } = setUp();
    let answer!: () => void;
    api.eventsHeld = new Promise<void>((resolve) => (answer = resolve));
    await promote(world, clock, controller);
    expect(world.prodImage('beat')).toBe(`${REPO}@${digestOf('B')}`);
    expect(api.calls.filter((c) => c.startsWith('create events'))).toEqual([]);
    answer();
    await clock.advance(0);
    expect(api.calls.filter((c) => c.startsWith('create events'))).toEqual([
      'create events MigrationJobCreated',
      'create events Promoted',
    ]);
  });

  it('a reconcile whose cache has not yet seen its own image patch uses what the patch returned, and does not patch again', async () => {
    // Seen at 500 pipelines: 0.25 s after a wave's patches the cache had the worker's but not web's,
    // and web was patched a second time (38 of 1,540 patches).
    const { world, clock, api, cache, controller } = setUp();
    await controller.reconcile(KEY); // the migration Job
    world.finishPending();
    await clock.advance(1000);
    cache.freeze('ponyshop-web');
    await controller.reconcile(KEY); // wave 1: web and worker
    expect(api.writes().filter((c) => c === 'apply deployments/ponyshop-web')).toHaveLength(1);
    await controller.reconcile(KEY); // the cache still has web before its patch
    await clock.advance(1000);
    await controller.reconcile(KEY);
    expect(api.writes().filter((c) => c === 'apply deployments/ponyshop-web')).toHaveLength(1);
    cache.thaw();
    await promote(world, clock, controller);
    expect(api.writes().filter((c) => c.startsWith('apply'))).toHaveLength(3);
    expect(api.writes().length).toBeLessThanOrEqual(10);
  });

  /** One Event per transition (started: verified + Job; promoted), 4 actions, at most 10 writes in all. */
  function expectTenWrites(calls: string[]) {
    expect(calls.filter((c) => c.startsWith('create events')).map((c) => c.split(' ')[2])).toEqual([
      'MigrationJobCreated',
      'Promoted',
    ]);
    expect(calls.filter((c) => !c.startsWith('create events') && !c.startsWith('update'))).toHaveLength(4);
    expect(calls.length).toBeLessThanOrEqual(10);
  }

  it('a promotion as Kubernetes runs it (staging rolling out for a while, rollouts ending one by one) costs at most 10 writes, Events included', async () => {
    const { calls } = await promoteAsKubernetes((t, world, staging) => {
      if (t === 14) staging('web').status = { ...staging('web').status, updatedReplicas: 2 };
      if (t === 22) staging('worker').status = { ...staging('worker').status, updatedReplicas: 1 };
      if (t === 30) world.setStaging('B', { migration: 'Succeeded', readySince: world.seconds });
    });
    expectTenWrites(calls);
  });

  it('a staging rollout that takes minutes, its counters moving every few seconds, costs no status write before the promotion', async () => {
    // What the 500-pipeline bench saw: Kubernetes took minutes per rollout, and every 30 s of changed replica
    // counts in StagingVerified's message cost a status write (12.7 writes per promotion). A candidate in
    // progress is written once status has been behind for PROGRESS_INTERVALS x the interval (5 min here);
    // this rollout takes 3, and the promotion's start says it all.
    const { calls, statuses } = await promoteAsKubernetes((t, world, staging) => {
      if (t > 6 && t < 186 && t % 5 === 0) {
        for (const c of ['web', 'worker', 'beat']) {
          const w = staging(c);
          const desired = w.spec?.replicas ?? 1;
          // Pods replaced one at a time, readiness coming and going as they start.
          const updated = Math.min(desired - 1, Math.floor(((t - 6) / 180) * desired));
          w.status = { ...w.status, updatedReplicas: updated, readyReplicas: Math.max(0, updated - ((t / 5) % 2)) };
        }
      }
      if (t === 186) world.setStaging('B', { migration: 'Succeeded', readySince: world.seconds });
    });
    const steps = calls.slice(calls.indexOf('create jobs'));
    expectTenWrites(steps);
    expect(steps).toHaveLength(10);
    expect(calls.slice(0, calls.indexOf('create jobs'))).toEqual([]);
    expect(statuses[0]).toMatchObject({ phase: 'Migrating', staging: { tag: 'B', verified: true } });
  });

  it('a staging candidate whose reason moves on while it progresses (rolling out, then pods not ready) costs one status write before the promotion, after 5 min', async () => {
    // The 500-pipeline bench's 12th write: the first observation write said RolloutIncomplete, then the pods
    // were not ready for minutes, and that new reason was written 30 s later. Progress is now written once,
    // after PROGRESS_INTERVALS x the interval (5 min); this staging takes 7.
    const { calls, statuses } = await promoteAsKubernetes((t, world, staging) => {
      // The staging migration Job still running at the first write, and done 14 s later (the bench's order).
      if (t === 7) world.staging.migrationJobs = [job('ponyshop-migrate-b', STAGING, `${REPO}:B`, 'Running')];
      if (t === 50) world.staging.migrationJobs = [job('ponyshop-migrate-b', STAGING, `${REPO}:B`, 'Succeeded')];
      if (t > 6 && t < 66 && t % 5 === 0)
        for (const c of ['web', 'worker', 'beat']) {
          const w = staging(c);
          w.status = { ...w.status, updatedReplicas: Math.min((w.spec?.replicas ?? 1) - 1, Math.floor((t - 6) / 30)) };
        }
      if (t === 66)
        world.setStaging('B', { migration: 'Succeeded', readySince: world.seconds, pods: { ready: false } });
      if (t === 426) world.setStaging('B', { migration: 'Succeeded', readySince: world.seconds });
    });
    const reasons = statuses.map((s) => s.conditions?.find((c) => c.type === 'StagingVerified')?.reason);
    expect(reasons[0]).toBe('PodsNotReady');
    expect(calls.slice(0, calls.indexOf('create jobs'))).toEqual(['update promotions/status']);
    expectTenWrites(calls.slice(calls.indexOf('create jobs')));
  });

  it('writes a candidate in progress once status has been behind for PROGRESS_INTERVALS x the interval, not before', async () => {
    const world = new World({ staging: 'A', production: 'A' });
    world.settle();
    const { clock, api, controller } = setUp({ world, statusMinIntervalMs: 30_000 });
    world.setStaging('B', { readySince: world.seconds, pods: { ready: false } }); // staging rolling: no event
    expect(await controller.reconcile(KEY)).toEqual({ requeueAfterMs: 300_000 });
    await clock.advance(200_000);
    expect(await controller.reconcile(KEY)).toEqual({ requeueAfterMs: 100_000 });
    expect(api.calls).toEqual([]);
    await clock.advance(100_000);
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

  it("patches one wave's workloads together, and reports the first refusal of them", async () => {
    const { world, api, controller } = setUp();
    // Two reconciles (the Job, then its success) bring the promotion to wave 1: web and worker.
    await controller.reconcile(KEY);
    world.finishPending();
    let inFlight = 0;
    let most = 0;
    const apply = api.apply.bind(api);
    api.apply = async <T>(path: string, body: unknown): Promise<T> => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      if (path.endsWith('/ponyshop-web')) throw new KubeError(403, 'Forbidden', 'PATCH web: 403 forbidden');
      return apply<T>(path, body);
    };
    await controller.reconcile(KEY);
    expect(most).toBe(2);
    // worker moved; web's refusal is what status reports.
    expect(world.prodImage('worker')).toBe(`${REPO}@${digestOf('B')}`);
    await controller.reconcile(KEY);
    const degraded = world.promotion.status?.conditions?.find((c) => c.type === 'Degraded');
    expect(degraded?.message).toMatch(/ponyshop-web/);
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
