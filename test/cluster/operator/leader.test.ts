// Two replicas: only the Lease holder writes; when it dies the other takes over within the
// lease duration (+ one retry period for it to notice), and SIGTERM hands over at once.
import { waitUntil } from '../harness/index.js';
import type { OperatorProcess } from './support/operator-process.js';
import { Pipeline } from './support/pipeline.js';
import { startOperator } from './support/scenario.js';

const LEASE_S = 4;
const RETRY_S = 1;

/** Writes other than the Lease itself. */
const appWrites = async (op: OperatorProcess) =>
  (await op.counter('ponyexpress_api_writes_total')) -
  (await op.counter('ponyexpress_api_writes_total', 'resource="leases"'));

describe('operator: leader election', () => {
  const p = new Pipeline('op-leader');
  const ops: OperatorProcess[] = [];

  beforeAll(async () => {
    await p.setUp('a1');
    ops.push(await startOperator(p, 'leader-a'), await startOperator(p, 'leader-b'));
  });
  afterAll(async () => {
    for (const op of ops) await op.stop();
  });

  it('lets only the leader write, and hands over when the leader is killed', async () => {
    await waitUntil(async () => ops.filter((o) => o.isLeader()).length === 1, {
      what: 'one leader',
      timeoutMs: 20_000,
    });
    const [leader, follower] = ops[0].isLeader() ? [ops[0], ops[1]] : [ops[1], ops[0]];
    await p.waitForPromotion('production recorded as a1', (x) => x.status?.production?.tag === 'a1');
    // A warm standby is ready too (its caches are synced; it only waits for the Lease).
    await waitUntil(async () => follower.ready(), {
      what: `standby ready (${await follower.readyz()})`,
      timeoutMs: 15_000,
    });
    expect(await appWrites(leader)).toBeGreaterThan(0);
    expect(await appWrites(follower)).toBe(0);

    const killedAt = Date.now();
    await leader.kill();
    await waitUntil(async () => follower.isLeader(), {
      what: 'follower takes over',
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    const handoverMs = Date.now() - killedAt;
    process.stdout.write(`leader handover after SIGKILL: ${handoverMs} ms (lease ${LEASE_S} s)\n`);
    expect(handoverMs).toBeLessThanOrEqual((LEASE_S + 2 * RETRY_S) * 1000);

    // The new leader does the work.
    await p.releaseToStaging('b2');
    await p.waitForPromotion(
      'b2 promoted by the new leader',
      (x) => x.status?.production?.tag === 'b2' && x.status?.phase === 'Succeeded',
      120_000,
    );
    expect(await appWrites(follower)).toBeGreaterThan(0);
  });

  it('hands over at once on SIGTERM (the Lease is released)', async () => {
    const current = ops.find((o) => o.running && o.isLeader())!;
    const next = await startOperator(p, 'leader-c');
    ops.push(next);
    await waitUntil(async () => next.ready(), { what: 'standby ready', timeoutMs: 20_000 });
    const stoppedAt = Date.now();
    expect(await current.stop()).toBe(0);
    const standbys = ops.filter((o) => o.running);
    await waitUntil(async () => standbys.some((o) => o.isLeader()), {
      what: 'a standby takes over',
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_S * 1000);
  });
});
