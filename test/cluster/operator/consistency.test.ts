// Issue 12 item 8 (failed on the old operator: Ready=True/Idle next to StagingVerified=False/NoCandidate):
// a source selector that matches nothing is not Ready.
import { operatorScenario } from './support/scenario.js';

describe('operator: a source selector that matches nothing', () => {
  const s = operatorScenario('op-nocand');

  it('reports Ready=False/NoCandidate, consistent with StagingVerified', async () => {
    const { p } = s;
    await p.patchSpec({ source: { selector: { matchLabels: { 'app.kubernetes.io/instance': 'ponyshop-stagign' } } } });
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
