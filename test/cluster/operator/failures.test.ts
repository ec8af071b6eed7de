// Failures stop a promotion before production changes: a failed staging migration means the
// image is never verified; a failed production migration leaves every workload untouched.
import { imageOf, operatorScenario } from './support/scenario.js';

describe('operator: a failed staging migration', () => {
  const s = operatorScenario('op-stgfail', { record: false });

  it('never promotes the image', async () => {
    const { p } = s;
    await p.releaseToStaging('b2', { migrationFails: true });
    await p.waitRolledOut(p.staging, 'b2');
    // Well past the 2 s soak: a verified image would be migrating by now.
    const seen = await p.waitForPromotion('staging b2 observed', (x) => x.status?.staging?.tag === 'b2');
    await new Promise((r) => setTimeout(r, 6000));
    const now = await p.getPromotion();
    expect(seen.status?.staging?.verified).toBe(false);
    expect(now.status?.staging?.verified).toBe(false);
    expect(now.status?.production?.tag).toBe('a1');
    expect(now.status?.inFlight).toBeUndefined();
    expect(await p.prodMigrationJobs()).toEqual([]);
    expect(Object.values(await p.prodImages()).every((i) => i.endsWith(':a1'))).toBe(true);
  });
});

describe('operator: a failed production migration', () => {
  const s = operatorScenario('op-prodfail', { setUp: { prodMigrationFails: true } });

  it('changes no production workload and says why in status', async () => {
    const { p, timeline } = s;
    await p.releaseToStaging('b2');
    const failed = await p.waitForPromotion(
      'promotion of b2 failed',
      (x) => x.status?.history?.[0]?.result === 'Failed',
      120_000,
    );
    expect(failed.status?.history?.[0]).toMatchObject({ tag: 'b2', result: 'Failed' });
    expect(failed.status?.history?.[0]?.reason).toMatch(/migrat/i);
    expect(failed.status?.production?.tag).toBe('a1');
    expect(await p.prodMigrationJobs()).toHaveLength(1);
    // Not one Deployment event carried another image or a new generation.
    await new Promise((r) => setTimeout(r, 3000));
    const changed = timeline.deployments.events.filter(
      (e) => !imageOf(e.object).endsWith(':a1') || e.object.metadata?.generation !== 1,
    );
    expect(
      changed.map((e) => `${e.object.metadata?.name}: ${imageOf(e.object)} gen ${e.object.metadata?.generation}`),
    ).toEqual([]);
    const degraded = failed.status?.conditions?.find((c) => c.type === 'Degraded');
    expect(degraded?.status).toBe('True');
  });
});
