// Issue 12 item 2 (failed on the old operator: each reconcile blocked the event loop ~7 s and /healthz timed
// out): a hostile tag pattern and tag leave the operator responsive, and the tag is simply not allowed.
import { operatorScenario } from './support/scenario.js';

describe('operator: policy.tags.regex "([0-9]+\\.?)+" and a tag of thirty 1s + "-rc"', () => {
  const s = operatorScenario('op-redos');

  it('answers /healthz within the chart probe timeout (2 s) throughout and reports TagNotAllowed', async () => {
    const { p, op } = s;
    await p.patchSpec({ policy: { tags: { regex: '([0-9]+\\.?)+' } } });
    const tag = `${'1'.repeat(30)}-rc`;
    await p.releaseToStaging(tag);
    const failures: string[] = [];
    const deadline = Date.now() + 15_000;
    let seen = false;
    while (Date.now() < deadline) {
      const res = await fetch(`http://127.0.0.1:${op.metricsPort}/healthz`, {
        signal: AbortSignal.timeout(2000),
      }).catch((e: Error) => e);
      if (res instanceof Error || !res.ok)
        failures.push(res instanceof Error ? `${res.name}: ${res.message}` : `HTTP ${res.status}`);
      const promotion = await p.getPromotion();
      seen ||=
        promotion.status?.staging?.tag === tag &&
        promotion.status.conditions?.some((c) => c.type === 'StagingVerified' && c.reason === 'TagNotAllowed') === true;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(failures).toEqual([]);
    expect(seen).toBe(true);
    expect(Object.values(await p.prodImages()).every((i) => i.endsWith(':a1'))).toBe(true);
  });
});
