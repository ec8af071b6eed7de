// A frozen apiserver (SIGSTOP: connections stay open, nothing flows) is what the informer
// watchdog is for: informers silent beyond the watchdog period are restarted, and once the
// apiserver thaws the operator is ready again and promotes as usual.
import { itWithLocalControlPlane, readState, waitUntil, type LocalClusterState } from '../harness/index.js';
import { operatorScenario } from './support/scenario.js';

describe('operator: informer watchdog', () => {
  const s = operatorScenario('op-watchdog', {
    record: false,
    env: { PONYEXPRESS_WATCH_TIMEOUT_SECONDS: '3', PONYEXPRESS_INFORMER_WATCHDOG_SECONDS: '5' },
  });

  itWithLocalControlPlane('restarts silent informers and recovers', async () => {
    const { p, op } = s;
    await p.waitForPromotion('production recorded as a1', (x) => x.status?.production?.tag === 'a1');
    expect(await op.counter('ponyexpress_informer_restarts_total', 'why="watchdog"')).toBe(0);

    const apiserverGroup = (readState() as LocalClusterState).components['kube-apiserver'].pid;
    process.kill(-apiserverGroup, 'SIGSTOP');
    try {
      // Only the operator's own metrics endpoint is asked while the apiserver is frozen.
      await waitUntil(async () => (await op.counter('ponyexpress_informer_restarts_total', 'why="watchdog"')) > 0, {
        what: 'a watchdog restart',
        timeoutMs: 20_000,
        intervalMs: 250,
      });
    } finally {
      process.kill(-apiserverGroup, 'SIGCONT');
    }

    await waitUntil(async () => op.ready(), { what: 'operator ready again', timeoutMs: 60_000, intervalMs: 250 });
    await p.releaseToStaging('b2');
    await p.waitForPromotion(
      'b2 promoted after the freeze',
      (x) => x.status?.production?.tag === 'b2' && x.status?.phase === 'Succeeded',
      120_000,
    );
    expect(await p.prodMigrationJobs()).toHaveLength(1);
  });
});
