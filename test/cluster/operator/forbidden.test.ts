// Issue 12 item 5 (failed on the old operator: status stayed "RollingOut"/Ready with no Event; the 403 was
// only in logs, and the rollout deadline never fired): a refused patch reaches status and Events.
import { promotionEvents, removeVerb } from './support/issue12.js';
import { operatorScenario } from './support/scenario.js';

describe('operator: production patch permission removed', () => {
  const s = operatorScenario('op-403');

  it('reports the refused patch (verb, resource, reason) and fails the promotion at the rollout deadline', async () => {
    const { p } = s;
    await removeVerb(p, 'deployments', 'patch');
    await p.releaseToStaging('b2');
    const degraded = await p.waitForPromotion(
      'refused patch in status',
      (x) => x.status?.conditions?.some((c) => c.type === 'Degraded' && c.reason === 'ActionFailed') ?? false,
      120_000,
    );
    const message = degraded.status!.conditions!.find((c) => c.type === 'Stalled')!.message;
    expect(message).toMatch(/^patch deployments op-403-prod\/ponyshop-\w+: Forbidden \(403\)/);
    expect(degraded.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ActionFailed',
    });
    const events = await promotionEvents(p);
    expect(events.filter((e) => e.reason === 'ActionFailed')).toEqual([
      expect.objectContaining({ type: 'Warning', message }),
    ]);
    expect(events.map((e) => e.reason)).not.toContain('WaveStarted');
    // rolloutTimeoutSeconds is 120 in this pipeline: the promotion ends even though every patch is refused.
    const failed = await p.waitForPromotion(
      'promotion failed at the deadline',
      (x) => x.status?.history?.[0]?.result === 'Failed',
      200_000,
    );
    expect(failed.status?.history?.[0]?.reason).toMatch(/^RolloutTimeout: .*Forbidden/);
    expect(Object.values(await p.prodImages()).every((i) => i.endsWith(':a1'))).toBe(true);
  });
});
