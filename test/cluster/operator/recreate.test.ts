// Issue 12: a Promotion deleted and re-created by a human while production migrates. A ResourceQuota
// keeps the migration Job's pod from starting, so the delete lands mid-migration by construction
// (not by racing kwok). The new Promotion adopts the running Job by its derived name: one Job,
// no history entry for b2 until it succeeded, Job before images and beat last afterwards.
import { waitUntil } from '../harness/index.js';
import { APP } from './support/pipeline.js';
import { component, firstRevision, imageOf, jobSucceeded, operatorScenario, runsTag } from './support/scenario.js';

describe('operator: Promotion deleted and re-created mid-migration', () => {
  const s = operatorScenario('op-recreate');

  it('adopts the running migration Job and finishes the promotion in order', async () => {
    const { p, timeline } = s;
    const isB = runsTag('b2');
    const promotionRef = { group: 'ponyexpress.dev', version: 'v1alpha1', namespace: p.prod, plural: 'promotions' };
    // Production's 3 app pods fill the quota: the migration Job exists but cannot start a pod.
    await p.core.createNamespacedResourceQuota({
      namespace: p.prod,
      body: { metadata: { name: 'hold-migration' }, spec: { hard: { pods: '3' } } },
    });
    await waitUntil(
      async () =>
        (await p.core.readNamespacedResourceQuota({ name: 'hold-migration', namespace: p.prod })).status?.used?.pods ===
        '3',
      { what: 'quota counted', timeoutMs: 60_000, intervalMs: 250 },
    );
    await p.releaseToStaging('b2');
    const migrating = await p.waitForPromotion(
      'migrating b2',
      (x) => x.status?.phase === 'Migrating' && x.status.inFlight?.tag === 'b2',
      120_000,
    );
    const jobName = migrating.status!.inFlight!.migrationJob!;
    expect(await p.prodMigrationJobs()).toEqual([jobName]);
    expect(timeline.jobs.current().some(jobSucceeded)).toBe(false); // really mid-migration

    await p.custom.deleteNamespacedCustomObject({ ...promotionRef, name: APP });
    await waitUntil(
      async () =>
        p
          .getPromotion()
          .then(() => false)
          .catch(() => true),
      { what: 'Promotion gone', timeoutMs: 30_000, intervalMs: 100 },
    );
    await p.applyPromotion();

    // The new Promotion sees production on a1 (its rollback base) and the same Job still running.
    const adopted = await p.waitForPromotion(
      're-created Promotion migrating b2 with the same Job',
      (x) => x.status?.phase === 'Migrating' && x.status.inFlight?.migrationJob === jobName,
      120_000,
    );
    expect(adopted.status?.production?.tag).toBe('a1');
    expect((adopted.status?.history ?? []).map((h) => `${h.tag}:${h.result}`)).toEqual(['a1:Observed']);
    expect(Object.values(await p.prodImages()).every(runsTag('a1'))).toBe(true);

    await p.core.deleteNamespacedResourceQuota({ name: 'hold-migration', namespace: p.prod });
    const done = await p.waitForPromotion(
      'b2 promoted',
      (x) => x.status?.production?.tag === 'b2' && x.status?.phase === 'Succeeded',
      240_000,
    );
    await p.waitRolledOut(p.prod, 'b2', 120_000);

    expect(await p.prodMigrationJobs()).toEqual([jobName]);
    expect(timeline.jobs.events.filter((e) => e.type === 'ADDED')).toHaveLength(1);
    expect((done.status?.history ?? []).map((h) => `${h.tag}:${h.result}`)).toEqual(['b2:Succeeded', 'a1:Observed']);
    const jobDone = firstRevision(timeline.jobs, jobSucceeded)!;
    const first = (c: string) => firstRevision(timeline.deployments, (d) => component(d) === c && isB(imageOf(d)))!;
    expect(jobDone < first('web') && jobDone < first('worker')).toBe(true);
    expect(first('beat') > first('web') && first('beat') > first('worker')).toBe(true);
    expect(timeline.pods.maxLive((pod) => component(pod) === 'beat')).toBe(1);
  });
});
