// The apiserver goes away mid-promotion (informers error out, writes fail); the operator
// restarts its informers, retries with backoff, and completes with one migration Job.
import { itWithLocalControlPlane, restartApiserver, waitUntil } from '../harness/index.js';
import { operatorScenario } from './support/scenario.js';

describe('operator: kube-apiserver restart during a promotion', () => {
  const s = operatorScenario('op-apirestart');

  itWithLocalControlPlane('recovers and completes the promotion', async () => {
    const { p, op, timeline } = s;
    await p.releaseToStaging('b2');
    await waitUntil(async () => timeline.jobs.events.some((e) => e.type === 'ADDED'), {
      what: 'prod migration Job created',
      timeoutMs: 120_000,
      intervalMs: 20,
    });
    const { unavailableMs } = await restartApiserver({ downMs: 3000 });
    process.stdout.write(`kube-apiserver unavailable for ${unavailableMs} ms\n`);

    await p.waitForPromotion(
      'b2 promoted after the restart',
      (x) => x.status?.production?.tag === 'b2' && x.status?.phase === 'Succeeded',
      180_000,
    );
    await p.waitRolledOut(p.prod, 'b2');
    expect(await p.prodMigrationJobs()).toHaveLength(1);
    expect(await op.counter('ponyexpress_informer_restarts_total')).toBeGreaterThan(0);
    expect(op.running).toBe(true);
    expect(await op.ready()).toBe(true);
  });
});
