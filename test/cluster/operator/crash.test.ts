// Crash safety: SIGKILL the operator right after it created the prod migration Job, and again
// in the middle of wave 1. Each restart re-derives the step from the cluster: one migration Job,
// no wave skipped, never two beat pods.
import { setHeaderOptions, PatchStrategy } from '@kubernetes/client-node';
import { waitUntil } from '../harness/index.js';
import { APP } from './support/pipeline.js';
import { component, firstRevision, imageOf, operatorScenario, runsTag, startOperator } from './support/scenario.js';

describe('operator: killed mid-promotion', () => {
  const s = operatorScenario('op-crash');

  it('finishes the promotion with exactly one prod migration Job', async () => {
    const { p, ops, timeline } = s;
    const isB = runsTag('b2');
    // A paused worker Deployment never finishes its rollout, so wave 1 stays open until the test
    // resumes it: the second kill is mid-wave-1 by construction, not by winning a race with kwok.
    const pauseWorker = (paused: boolean) =>
      p.apps.patchNamespacedDeployment(
        { name: `${APP}-worker`, namespace: p.prod, body: { spec: { paused } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    await pauseWorker(true);
    await p.releaseToStaging('b2');

    await waitUntil(async () => timeline.jobs.events.some((e) => e.type === 'ADDED'), {
      what: 'prod migration Job created',
      timeoutMs: 120_000,
      intervalMs: 20,
    });
    await ops[0].kill();
    ops.push(await startOperator(p, 'op-crash-1'));

    const web = () => timeline.deployments.current().find((d) => component(d) === 'web');
    await waitUntil(async () => isB(imageOf(web() ?? {})), {
      what: 'wave 1 started (web on b2)',
      timeoutMs: 120_000,
      intervalMs: 20,
    });
    const beatBeforeKill = timeline.deployments.current().find((d) => component(d) === 'beat')!;
    await ops[1].kill();
    expect(isB(imageOf(beatBeforeKill))).toBe(false); // really mid-wave-1
    ops.push(await startOperator(p, 'op-crash-2'));
    await pauseWorker(false);

    await p.waitForPromotion(
      'b2 promoted',
      (x) => x.status?.production?.tag === 'b2' && x.status?.phase === 'Succeeded',
      120_000,
    );
    await p.waitRolledOut(p.prod, 'b2');

    expect(await p.prodMigrationJobs()).toHaveLength(1);
    expect(timeline.jobs.events.filter((e) => e.type === 'ADDED')).toHaveLength(1);
    expect(timeline.pods.maxLive((pod) => component(pod) === 'beat')).toBe(1);
    const beat = firstRevision(timeline.deployments, (d) => component(d) === 'beat' && isB(imageOf(d)))!;
    const worker = firstRevision(timeline.deployments, (d) => component(d) === 'worker' && isB(imageOf(d)))!;
    expect(worker < beat).toBe(true);
    const history = (await p.getPromotion()).status?.history ?? [];
    expect(history.filter((h) => h.tag === 'b2')).toEqual([expect.objectContaining({ result: 'Succeeded' })]);
  });
});
