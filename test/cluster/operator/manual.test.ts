// Manual approval: a verified image waits for an approval naming exactly it.
import { operatorScenario } from './support/scenario.js';

describe('operator: manual approval', () => {
  const s = operatorScenario('op-manual', { setUp: { approval: 'Manual' }, record: false });

  it('does nothing until the exact image is approved', async () => {
    const { p } = s;
    await p.releaseToStaging('b2');
    await p.waitForPromotion(
      'b2 verified',
      (x) => x.status?.staging?.tag === 'b2' && x.status?.staging?.verified === true,
    );
    await new Promise((r) => setTimeout(r, 3000));
    expect(await p.prodMigrationJobs()).toEqual([]);
    expect((await p.getPromotion()).status?.phase).toBe('Waiting');

    await p.annotate({ 'ponyexpress.dev/approve': 'c3' });
    await new Promise((r) => setTimeout(r, 4000));
    expect(await p.prodMigrationJobs()).toEqual([]);
    expect((await p.getPromotion()).status?.production?.tag).toBe('a1');

    await p.annotate({ 'ponyexpress.dev/approve': 'b2' });
    await p.waitForPromotion(
      'b2 promoted after approval',
      (x) => x.status?.production?.tag === 'b2' && x.status?.phase === 'Succeeded',
      120_000,
    );
    await p.waitRolledOut(p.prod, 'b2');
    expect(await p.prodMigrationJobs()).toHaveLength(1);
  });
});
