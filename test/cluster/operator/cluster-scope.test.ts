// watchScope: cluster (issue 12, RSS at fleet size): the operator watches each kind once for all
// namespaces with the chart's read-only ClusterRole, writes through the same namespaced Roles,
// promotes every pipeline in order, and a Promotion naming a namespace that does not exist gets
// its own condition and Event while the others promote and /readyz stays ok.
import type { OperatorProcess } from './support/operator-process.js';
import { eachLimited, Fleet } from './support/fleet.js';
import { orderViolations, recordFleet, type FleetTimeline } from './support/fleet-order.js';
import { promotionEvents } from './support/issue12.js';

const PIPELINES = 6;

describe('operator: watch scope cluster, a fleet with one typo', () => {
  const fleet = new Fleet('cscope', PIPELINES, PIPELINES, 'cluster');
  const [typo, ...rest] = fleet.pipelines;
  let op: OperatorProcess;
  let timeline: FleetTimeline;

  beforeAll(async () => {
    await fleet.setUpApps('a1');
    await fleet.createPromotions();
    op = await fleet.startOperator('cscope-0', { PONYEXPRESS_LEASE_DURATION_SECONDS: '15' });
    await fleet.waitAll('production recorded as a1', (x) => x.status?.production?.tag === 'a1', 120_000);
    timeline = await recordFleet(fleet.system.kc);
  }, 600_000);

  afterAll(async () => {
    await timeline?.stop();
    await op?.stop();
  });

  it('watches 6 collections in all, whatever the fleet size', async () => {
    // Promotions, Namespaces, Deployments, StatefulSets, Pods, Jobs: not 8 per pipeline.
    expect(await op.counter('ponyexpress_informers')).toBe(6);
  });

  it('promotes the others in order while a typo in one source namespace is that Promotion\u2019s condition only', async () => {
    const missing = `${typo.staging}-tpyo`;
    await typo.patchSpec({ source: { namespace: missing } });
    const probes: string[] = [];
    const sampler = setInterval(() => void op.readyz().then((r) => probes.push(r)), 1000);
    try {
      await eachLimited(rest, rest.length, (p) => p.releaseToStaging('b2'));
      await Promise.all(
        rest.map((p) =>
          p.waitForPromotion(
            'b2 promoted',
            (x) => x.status?.production?.tag === 'b2' && x.status?.phase === 'Succeeded',
            300_000,
          ),
        ),
      );
      const reported = await typo.waitForPromotion(
        'SourceUnreadable',
        (x) => x.status?.conditions?.some((c) => c.type === 'Degraded' && c.reason === 'SourceUnreadable') ?? false,
        60_000,
      );
      expect(reported.status?.conditions?.find((c) => c.type === 'StagingVerified')).toMatchObject({
        status: 'False',
        reason: 'SourceUnreadable',
        message: expect.stringContaining(`namespace "${missing}" not found`),
      });
    } finally {
      clearInterval(sampler);
    }
    expect(rest.flatMap((p) => orderViolations(timeline, p.prod, 'b2'))).toEqual([]);
    expect(probes.filter((r) => r !== 'ok')).toEqual([]);
    expect((await promotionEvents(typo)).filter((e) => e.reason === 'SourceUnreadable')).toEqual([
      expect.objectContaining({ type: 'Warning', message: expect.stringContaining(missing) }),
    ]);
    expect(await typo.prodMigrationJobs()).toEqual([]);
  }, 600_000);
});
