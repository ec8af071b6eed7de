// Issue 12 item 8 (failed on the old operator: Ready=True/Idle next to StagingVerified=False/NoCandidate):
// a source selector that matches nothing is not Ready.
import { APP } from './support/pipeline.js';
import { operatorScenario } from './support/scenario.js';

describe('operator: a source selector that matches nothing', () => {
  const s = operatorScenario('op-nocand');

  it('reports Ready=False/NoCandidate, consistent with StagingVerified', async () => {
    const { p } = s;
    const { setHeaderOptions, PatchStrategy } = await import('@kubernetes/client-node');
    await p.custom.patchNamespacedCustomObject(
      {
        group: 'ponyexpress.dev',
        version: 'v1alpha1',
        namespace: p.prod,
        plural: 'promotions',
        name: APP,
        body: { spec: { source: { selector: { matchLabels: { 'app.kubernetes.io/instance': 'ponyshop-stagign' } } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const now = await p.waitForPromotion(
      'NoCandidate',
      (x) =>
        x.status?.conditions?.some(
          (c) =>
            c.type === 'StagingVerified' &&
            c.reason === 'NoCandidate' &&
            c.observedGeneration === x.metadata.generation,
        ) ?? false,
      60_000,
    );
    expect(now.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'NoCandidate',
    });
  });
});
