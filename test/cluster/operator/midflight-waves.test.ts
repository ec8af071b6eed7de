// Issue 12 item 4 (failed on the old operator: the flight resumed by wave index under the edited waves, so beat
// was set while worker was still rolling out): an in-flight promotion keeps the waves it started with.
import { APP } from './support/pipeline.js';
import { operatorScenario } from './support/scenario.js';

describe('operator: waves edited while a promotion is in flight', () => {
  const s = operatorScenario('op-waves');

  it('keeps the snapshot: beat does not move while worker (wave 2 of 3) is still rolling out', async () => {
    const { p } = s;
    const { setHeaderOptions, PatchStrategy } = await import('@kubernetes/client-node');
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const patchPromotion = (spec: object) =>
      p.custom.patchNamespacedCustomObject(
        {
          group: 'ponyexpress.dev',
          version: 'v1alpha1',
          namespace: p.prod,
          plural: 'promotions',
          name: APP,
          body: { spec },
        },
        merge,
      );
    await patchPromotion({ target: { waves: [['web'], ['worker'], ['beat']] } });
    // Worker's new pods can never be scheduled, so wave 2 stays in progress as long as the test looks.
    await p.apps.patchNamespacedDeployment(
      {
        name: `${APP}-worker`,
        namespace: p.prod,
        body: { spec: { template: { spec: { nodeSelector: { 'ponyexpress.dev/test-no-such-node': 'x' } } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await p.releaseToStaging('b2');
    const inWave2 = await p.waitForPromotion(
      'wave 2 (worker) in flight',
      (x) => x.status?.inFlight?.wave === 1,
      120_000,
    );
    await patchPromotion({ target: { waves: [['web', 'worker'], ['beat']] } });
    await new Promise((r) => setTimeout(r, 6000));
    const images = await p.prodImages();
    expect(images[`${APP}-beat`]).toMatch(/:a1$/);
    const now = await p.getPromotion();
    expect(now.status?.inFlight).toMatchObject({ wave: 1, waves: [['web'], ['worker'], ['beat']] });
    expect(inWave2.status?.inFlight?.waves).toEqual([['web'], ['worker'], ['beat']]); // snapshotted at the start
  });
});
