// Issue 12 item 6 (failed on the old operator: empty status, no Event, a debug line every 500 ms, and /readyz
// failing for the whole operator): a source namespace the operator cannot read is this Promotion's condition.
import { promotionEvents } from './support/issue12.js';
import { operatorScenario } from './support/scenario.js';
import { APP } from './support/pipeline.js';

describe('operator: a typo in spec.source.namespace', () => {
  const s = operatorScenario('op-typo');

  it('reports SourceUnreadable once, writes nothing, and keeps /readyz ok', async () => {
    const { p, op } = s;
    const typo = `${p.staging}-tpyo`;
    await p.patchSpec({ source: { namespace: typo } });
    const reported = await p.waitForPromotion(
      'SourceUnreadable',
      (x) => x.status?.conditions?.some((c) => c.type === 'Degraded' && c.reason === 'SourceUnreadable') ?? false,
      60_000,
    );
    expect(reported.status?.conditions?.find((c) => c.type === 'StagingVerified')).toMatchObject({
      status: 'False',
      reason: 'SourceUnreadable',
      message: expect.stringContaining(typo),
    });
    expect(reported.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False' });
    const logsBefore = op.logs.length;
    await new Promise((r) => setTimeout(r, 10_000));
    expect(await op.readyz()).toBe('ok');
    // No line faster than a backoff: the informer's retries back off from 0.5 s doubling, the key is not requeued.
    const recent = op.logs.slice(logsBefore);
    expect(recent.filter((l) => l.promotion === `${p.prod}/${APP}`).length).toBeLessThanOrEqual(2);
    const perInformer = new Map<string, number>();
    for (const l of recent.filter((x) => (typeof x.path === 'string' ? x.path : '').includes(typo)))
      perInformer.set(l.path as string, (perInformer.get(l.path as string) ?? 0) + 1);
    expect([...perInformer.values()].every((n) => n <= 5)).toBe(true); // 0.5 s doubling: at most 5 retries in 10 s
    expect((await promotionEvents(p)).filter((e) => e.reason === 'SourceUnreadable')).toEqual([
      expect.objectContaining({ type: 'Warning' }),
    ]);
    expect(await p.prodMigrationJobs()).toEqual([]);
  });
});
