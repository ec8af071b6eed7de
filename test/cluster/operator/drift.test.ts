// Issue 12 item 7 (failed on the old operator: once the migration Job was gone the revert re-created it and
// migrations ran again, and every correction added a Succeeded history entry): drift is reverted, not re-migrated.
import { promotionEvents } from './support/issue12.js';
import { operatorScenario } from './support/scenario.js';
import { REPO } from './support/pipeline.js';

describe('operator: kubectl set image on production after a promotion', () => {
  const s = operatorScenario('op-drift');

  it('sets b2 again without a Job, with one Event and no history entry', async () => {
    const { p } = s;
    await p.releaseToStaging('b2');
    const promoted = await p.waitForPromotion(
      'b2 promoted',
      (x) => x.status?.production?.tag === 'b2' && !x.status.inFlight,
      120_000,
    );
    for (const job of await p.prodMigrationJobs())
      await p.batch.deleteNamespacedJob({ name: job, namespace: p.prod, propagationPolicy: 'Background' });
    const { setHeaderOptions, PatchStrategy } = await import('@kubernetes/client-node');
    const drift = { spec: { template: { spec: { containers: [{ name: 'web', image: `${REPO}:hotfix` }] } } } };
    await p.apps.patchNamespacedDeployment(
      { name: 'ponyshop-web', namespace: p.prod, body: drift },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await p.waitRolledOut(p.prod, 'b2', 60_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await p.prodMigrationJobs()).toEqual([]);
    const now = await p.getPromotion();
    expect(now.status?.history).toEqual(promoted.status?.history);
    const reverted = (await promotionEvents(p)).filter((e) => e.reason === 'DriftReverted');
    expect(reverted).toEqual([
      expect.objectContaining({ type: 'Warning', message: expect.stringContaining(':hotfix') }),
    ]);
  });
});
