// Issue 12 item 3 (failed on the old operator: production went back to a1 and a second migration Job ran
// a1's image): staging going back to an older image never moves production back.
import { promotionEvents } from './support/issue12.js';
import { operatorScenario } from './support/scenario.js';

describe('operator: staging reverts to an image production already moved past', () => {
  const s = operatorScenario('op-revert');

  it('keeps production on b2, runs no migration, and warns "staging is behind production; use rollback"', async () => {
    const { p } = s;
    await p.releaseToStaging('b2');
    await p.waitForPromotion('b2 promoted', (x) => x.status?.production?.tag === 'b2' && !x.status.inFlight, 120_000);
    const jobs = await p.prodMigrationJobs();
    await p.applyWorkloads(p.staging, 'staging', 'a1');
    const behind = await p.waitForPromotion(
      'staging behind',
      (x) => x.status?.conditions?.some((c) => c.reason === 'StagingBehindProduction') ?? false,
    );
    expect(behind.status?.conditions?.find((c) => c.type === 'Promoting')?.message).toContain(
      'staging is behind production; use rollback',
    );
    await new Promise((r) => setTimeout(r, 4000));
    expect(Object.values(await p.prodImages()).every((i) => i.endsWith(':b2'))).toBe(true);
    expect(await p.prodMigrationJobs()).toEqual(jobs);
    const now = await p.getPromotion();
    expect(now.status?.history?.map((h) => `${h.tag}:${h.result}`)).toEqual(['b2:Succeeded', 'a1:Observed']);
    expect((await promotionEvents(p)).filter((e) => e.reason === 'StagingBehindProduction')).toEqual([
      expect.objectContaining({ type: 'Warning' }),
    ]);
  });
});
