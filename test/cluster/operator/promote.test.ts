// Staging A -> B, soak, and B reaches production in the contract's order: the migration Job
// completes before any workload changes, then web + worker, then beat; never two beat pods.
import type { V1Deployment } from '@kubernetes/client-node';
import { component, firstRevision, imageOf, jobSucceeded, operatorScenario, rv, runsTag } from './support/scenario.js';

describe('operator: automatic promotion', () => {
  const s = operatorScenario('op-promote');

  it('promotes a verified staging image: migrations, then web and worker, then beat', async () => {
    const { p, timeline } = s;
    await p.releaseToStaging('b2');
    const done = await p.waitForPromotion(
      'b2 promoted',
      (x) => x.status?.production?.tag === 'b2' && x.status?.phase === 'Succeeded',
      120_000,
    );
    await p.waitRolledOut(p.prod, 'b2');

    expect(done.status?.history?.[0]).toMatchObject({ tag: 'b2', result: 'Succeeded' });
    const jobs = await p.prodMigrationJobs();
    expect(jobs).toHaveLength(1);

    const isB = runsTag('b2');
    const { deployments, jobs: jobRec, pods } = timeline;
    const migrated = firstRevision(jobRec, jobSucceeded)!;
    const firstChange = firstRevision(deployments, (d) => isB(imageOf(d)))!;
    const changedAt = (c: string) => firstRevision(deployments, (d) => component(d) === c && isB(imageOf(d)))!;
    const rolledOut = (c: string) =>
      firstRevision(
        deployments,
        (d: V1Deployment) =>
          component(d) === c &&
          isB(imageOf(d)) &&
          (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
          d.status?.updatedReplicas === d.spec?.replicas &&
          d.status?.availableReplicas === d.spec?.replicas &&
          d.status?.replicas === d.spec?.replicas,
      )!;
    const story = () => deployments.describe((d) => `${d.metadata?.name}@${rv(d)}:${imageOf(d)}`);

    expect(migrated).toBeDefined();
    expect(firstChange).toBeDefined();
    // The prod migration Job had completed before any Deployment's image changed.
    expect({ migrated, firstChange, ok: migrated < firstChange, story: story() }).toMatchObject({ ok: true });
    // Beat moved only after web and worker had finished rolling out.
    const beat = changedAt('beat');
    expect(beat > rolledOut('web') && beat > rolledOut('worker')).toBe(true);
    expect(changedAt('web') < beat && changedAt('worker') < beat).toBe(true);
    // Never two beat pods at any moment.
    expect(pods.maxLive((pod) => component(pod) === 'beat')).toBe(1);
    // The image fields belong to the operator's field manager now.
    // Metrics count it once, as a success.
    expect(await s.op.counter('ponyexpress_promotions_total', 'result="Succeeded"')).toBe(1);
    expect(await s.op.counter('ponyexpress_promotions_total', 'result="Observed"')).toBe(0);
    const web =
      (await p.apps.readNamespacedDeployment({ name: 'ponyshop-web', namespace: p.prod })).metadata?.managedFields ??
      [];
    expect(web.some((f) => f.manager === 'ponyexpress-operator' && f.operation === 'Apply')).toBe(true);
  });

  it('writes nothing in steady state', async () => {
    const { op } = s;
    const before = await op.counter('ponyexpress_api_writes_total', 'resource="promotions/status"');
    await new Promise((r) => setTimeout(r, 4000));
    expect(await op.counter('ponyexpress_api_writes_total', 'resource="promotions/status"')).toBe(before);
  });
});
