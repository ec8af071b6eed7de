// Issue 12 item 2 (failed on the old operator: each reconcile blocked the event loop ~7 s and /healthz timed
// out): a hostile tag pattern and tag leave the operator responsive, and the tag is simply not allowed.
import { OPERATOR_PROBE } from '../../../charts/operator/workload.js';
import { operatorScenario } from './support/scenario.js';

describe('operator: policy.tags.regex "([0-9]+\\.?)+" and a tag of thirty 1s + "-rc"', () => {
  const s = operatorScenario('op-redos');

  // Probed 4 times a second with the chart's timeout: the old operator blocked ~7 s per reconcile, reconcile
  // after reconcile, so it missed again and again. One lone miss is what a loaded CI machine can cause (the
  // kind bring-up and other projects share its 2 cores; seen once, 2026-12-02), and the kubelet restarts only
  // after OPERATOR_PROBE.livenessFailureThreshold misses in a row.
  it("stays responsive to the chart's liveness probe (at most one lone miss) and reports TagNotAllowed", async () => {
    const { p, op } = s;
    await p.patchSpec({ policy: { tags: { regex: '([0-9]+\\.?)+' } } });
    const tag = `${'1'.repeat(30)}-rc`;
    await p.releaseToStaging(tag);
    const misses: string[] = [];
    const deadline = Date.now() + 15_000;
    let seen = false;
    while (Date.now() < deadline) {
      const started = Date.now();
      // Errors from fetch come from another realm than jest's, so no `instanceof Error` here.
      const miss = await fetch(`http://127.0.0.1:${op.metricsPort}/healthz`, {
        signal: AbortSignal.timeout(OPERATOR_PROBE.timeoutSeconds * 1000),
      }).then(
        (res) => (res.ok ? undefined : `HTTP ${res.status}`),
        (e: { name?: string; message?: string }) => `${e.name}: ${e.message}`,
      );
      if (miss) misses.push(`${miss} after ${Date.now() - started} ms`);
      const promotion = await p.getPromotion();
      seen ||=
        promotion.status?.staging?.tag === tag &&
        promotion.status.conditions?.some((c) => c.type === 'StagingVerified' && c.reason === 'TagNotAllowed') === true;
      await new Promise((r) => setTimeout(r, 250));
    }
    if (misses.length) process.stderr.write(`hostile-regex: /healthz misses: ${misses.join('; ')}\n`);
    // At most one miss (so never the run a restart needs); on failure the misses themselves are the message.
    expect(misses.length <= 1 ? 'responsive' : misses).toBe('responsive');
    expect(seen).toBe(true);
    expect(Object.values(await p.prodImages()).every((i) => i.endsWith(':a1'))).toBe(true);
  });
});
