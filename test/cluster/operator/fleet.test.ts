// Fleet size: ONE operator manages 50 pipelines (a staging + production namespace pair each,
// namespaced RBAC only, as the chart grants it), and all 50 are released at once. Every
// promotion must complete in the contract's order: the production migration Job completes
// before any image changes, beat moves only after web and worker rolled out, never two beat
// pods. The operator must stay ready and leader throughout, and no request may be starved by
// the watches (issue 12: with one HTTPS agent of 16 sockets, two pipelines deadlocked).
import type { OperatorProcess } from './support/operator-process.js';
import { eachLimited, Fleet } from './support/fleet.js';
import { orderViolations, recordFleet, type FleetTimeline } from './support/fleet-order.js';

const PIPELINES = Number(process.env.PONYEXPRESS_FLEET_SIZE ?? 50);
const CONCURRENCY = 10;

describe(`operator: a fleet of ${PIPELINES} pipelines promoted at once`, () => {
  const fleet = new Fleet('fleet', PIPELINES, CONCURRENCY);
  const { pipelines } = fleet;
  let op: OperatorProcess;
  let timeline: FleetTimeline;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    let t = Date.now();
    await fleet.setUpApps('a1');
    await fleet.createPromotions();
    timings.setUpMs = Date.now() - t;
    t = Date.now();
    // Production lease settings: the harness's 4 s / 1 s are for fast handover tests, and this
    // 2-core machine is shared while 400 informers list at once.
    op = await fleet.startOperator('fleet-0', {
      PONYEXPRESS_LOG_LEVEL: 'info',
      PONYEXPRESS_LEASE_DURATION_SECONDS: '15',
      PONYEXPRESS_LEASE_RETRY_SECONDS: '2',
    });
    await fleet.waitAll('production recorded as a1', (x) => x.status?.production?.tag === 'a1', 240_000);
    timings.firstStatusMs = Date.now() - t;
    timeline = await recordFleet(fleet.system.kc);
  }, 1_800_000);

  afterAll(async () => {
    await timeline?.stop();
    await op?.stop();
    process.stdout.write(`fleet of ${PIPELINES}: ${JSON.stringify(timings)}\n`);
  });

  it('promotes every pipeline, each in order, while staying ready and leader', async () => {
    const t = Date.now();
    await eachLimited(pipelines, CONCURRENCY, (p) => p.releaseToStaging('b2'));
    const probes: string[] = [];
    const sampler = setInterval(() => void op.readyz().then((r) => probes.push(r)), 2000);
    try {
      await fleet.waitAll(
        'b2 promoted',
        (x) => x.status?.production?.tag === 'b2' && x.status?.phase === 'Succeeded',
        600_000,
      );
    } finally {
      clearInterval(sampler);
    }
    timings.promoteAllMs = Date.now() - t;

    expect(pipelines.flatMap((p) => orderViolations(timeline, p.prod, 'b2'))).toEqual([]);
    // Ready all along (a 2 s sample), and still leader at the end.
    expect(probes.filter((r) => r !== 'ok')).toEqual([]);
    expect(await op.counter('ponyexpress_leader')).toBe(1);
    expect(await op.counter('ponyexpress_promotions_total', 'result="Succeeded"')).toBe(PIPELINES);
    timings.eventLoopMaxMs = (await op.counter('ponyexpress_event_loop_delay_max_seconds')) * 1000;
    timings.rssMiB = (await op.counter('ponyexpress_process_resident_memory_bytes')) / 2 ** 20;
    timings.connections = await op.counter('ponyexpress_apiserver_connections');
    timings.writesPerPromotion =
      ((await op.counter('ponyexpress_api_writes_total')) -
        (await op.counter('ponyexpress_api_writes_total', 'resource="leases"'))) /
      PIPELINES;
  }, 900_000);
});
