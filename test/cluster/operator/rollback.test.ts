// Rollback to A after B was promoted: workloads go back to A (no migration Job runs), the
// Promotion is held, and B is not re-promoted while the hold stands.
import { operatorScenario } from './support/scenario.js';

describe('operator: rollback with a hold', () => {
  const s = operatorScenario('op-rollback', { record: false });

  it('restores A and does not re-promote B while held', async () => {
    const { p } = s;
    await p.releaseToStaging('b2');
    await p.waitForPromotion(
      'b2 promoted',
      (x) => x.status?.production?.tag === 'b2' && x.status?.phase === 'Succeeded',
      120_000,
    );
    await p.waitRolledOut(p.prod, 'b2');
    const jobsBefore = await p.prodMigrationJobs();
    await p.annotate({ 'ponyexpress.dev/rollback-to': 'a1' });
    const rolled = await p.waitForPromotion(
      'rolled back to a1',
      (x) => x.status?.production?.tag === 'a1' && x.status?.phase === 'Held',
      120_000,
    );
    await p.waitRolledOut(p.prod, 'a1');
    expect(rolled.status?.history?.[0]).toMatchObject({ tag: 'a1', result: 'RolledBack' });
    expect(rolled.status?.hold).toMatchObject({ by: 'rollback' });

    // Staging still runs the verified b2; the hold keeps it out of production.
    await new Promise((r) => setTimeout(r, 6000));
    const held = await p.getPromotion();
    expect(held.status?.staging).toMatchObject({ tag: 'b2', verified: true });
    expect(held.status?.production?.tag).toBe('a1');
    expect(Object.values(await p.prodImages()).every((i) => i.endsWith(':a1'))).toBe(true);
    expect(await p.prodMigrationJobs()).toEqual(jobsBefore);
  });
});
