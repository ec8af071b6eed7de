// Issue 12 item 6 (failed on the old operator: the Job ran, web and worker moved, and "Ready=True: production
// runs b2" without any beat): a wave component missing in production stops the promotion before any write.
import { promotionEvents } from './support/issue12.js';
import { operatorScenario } from './support/scenario.js';

describe('operator: production beat is missing', () => {
  const s = operatorScenario('op-nobeat');

  it('writes nothing and says which workload is missing', async () => {
    const { p } = s;
    await p.apps.deleteNamespacedDeployment({ name: 'ponyshop-beat', namespace: p.prod });
    await p.releaseToStaging('b2');
    const stopped = await p.waitForPromotion(
      'missing beat reported',
      (x) => x.status?.conditions?.some((c) => c.reason === 'ProductionWorkloadMissing') ?? false,
      120_000,
    );
    expect(stopped.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ProductionWorkloadMissing',
      message: expect.stringContaining('beat'),
    });
    await new Promise((r) => setTimeout(r, 4000));
    expect(await p.prodMigrationJobs()).toEqual([]);
    expect(Object.values(await p.prodImages()).every((i) => i.endsWith(':a1'))).toBe(true);
    expect((await promotionEvents(p)).filter((e) => e.reason === 'ProductionWorkloadMissing')).toEqual([
      expect.objectContaining({ type: 'Warning' }),
    ]);
  });
});
