// Operator benchmark: prints numbers, asserts nothing. Runs on the test control plane
// (built and started like the cluster tests; or the cluster in KUBECONFIG):
//   npx tsx bench/operator.ts [--steady-seconds 60] [--promotions 200]
// Measures: latency staging verified -> prod migration Job created; API writes per promotion;
// requests per minute in steady state; operator RSS idle and with N Promotion objects.
import { spawnSync } from 'node:child_process';
import type { V1Deployment, V1Job, V1Pod } from '@kubernetes/client-node';
import globalSetup from '../test/cluster/global-setup.js';
import globalTeardown from '../test/cluster/global-teardown.js';
import { applyObjects, rolloutComplete, waitUntil, WatchRecorder, type ManifestObject } from '../test/cluster/harness/index.js';
import { Pipeline } from '../test/cluster/operator/support/pipeline.js';
import { startOperator } from '../test/cluster/operator/support/scenario.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const STEADY_SECONDS = arg('steady-seconds', 60);
const PROMOTIONS = arg('promotions', 200);
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  // The operator runs as compiled JS, as in the container image (tsx alone adds ~15 MiB of RSS).
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npx tsc -p tsconfig.build.json failed');
  await globalSetup();
  try {
    await run();
  } finally {
    await globalTeardown();
  }
}

async function run(): Promise<void> {
  const p = new Pipeline('bench');
  await p.setUp('a1', { soakSeconds: 0 });
  // Production lease settings (15 s / 2 s), so steady-state numbers are what a real install sees.
  const op = await startOperator(p, 'bench-0', {
    PONYEXPRESS_LEASE_DURATION_SECONDS: '15', PONYEXPRESS_LEASE_RETRY_SECONDS: '2', PONYEXPRESS_LOG_LEVEL: 'info',
    PONYEXPRESS_WATCH_TIMEOUT_SECONDS: '300', PONYEXPRESS_INFORMER_WATCHDOG_SECONDS: '420',
  }, 'js');
  await p.waitForPromotion('production recorded as a1', (x) => x.status?.production?.tag === 'a1');
  await sleep(3000);

  const rss = async () => (await op.counter('ponyexpress_process_resident_memory_bytes')) / MiB;
  const writes = (filter = '') => op.counter('ponyexpress_api_writes_total', filter);
  const requests = () => op.counter('ponyexpress_api_requests_total');
  const rssIdle = await rss();

  // --- one promotion, recorded from the staging side and the production side ---------------
  const [stgDeploy, stgJobs, stgPods, prodJobs] = await Promise.all([
    WatchRecorder.start<V1Deployment>(p.kc, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: p.staging }),
    WatchRecorder.start<V1Job>(p.kc, { apiVersion: 'batch/v1', kind: 'Job', namespace: p.staging }),
    WatchRecorder.start<V1Pod>(p.kc, { apiVersion: 'v1', kind: 'Pod', namespace: p.staging }),
    WatchRecorder.start<V1Job>(p.kc, { apiVersion: 'batch/v1', kind: 'Job', namespace: p.prod }),
  ]);
  const writesBefore = await writes();
  const leaseWritesBefore = await writes('resource="leases"');
  await p.releaseToStaging('b2');
  await p.waitForPromotion('b2 promoted', (x) => x.status?.production?.tag === 'b2' && x.status?.phase === 'Succeeded', 180_000);
  await sleep(2000);
  const promotionWrites = (await writes()) - writesBefore - ((await writes('resource="leases"')) - leaseWritesBefore);
  const byResource = (await op.metrics()).split('\n').filter((l) => l.startsWith('ponyexpress_api_writes_total{') && !l.includes('leases'));

  // Staging became verifiable (soak 0) at the last of: its migration Job complete, each
  // workload's rollout complete on b2, each b2 pod Ready; each taken at its FIRST occurrence.
  const isB = (image?: string) => Boolean(image?.endsWith(':b2'));
  const first = <T>(events: { at: number; object: T }[], pred: (o: T) => boolean) => events.find((e) => pred(e.object))?.at ?? Infinity;
  const podReady = new Map<string, number>();
  for (const e of stgPods.events) {
    const ready = e.object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (ready && isB(e.object.spec?.containers[0]?.image) && !podReady.has(e.object.metadata!.name!)) podReady.set(e.object.metadata!.name!, e.at);
  }
  const lastFact = Math.max(
    first(stgJobs.events, (j) => isB(j.spec?.template.spec?.containers[0]?.image) && Boolean(j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'))),
    ...['web', 'worker', 'beat'].map((c) => first(stgDeploy.events, (d) => d.metadata?.labels?.['app.kubernetes.io/component'] === c && isB(d.spec?.template.spec?.containers[0]?.image) && rolloutComplete(d))),
    ...podReady.values(),
  );
  const jobCreated = prodJobs.events.find((e) => e.type === 'ADDED')!.at;
  await Promise.all([stgDeploy.stop(), stgJobs.stop(), stgPods.stop(), prodJobs.stop()]);

  // --- steady state -------------------------------------------------------------------------
  const reqBefore = await requests();
  const wBefore = await writes();
  const leaseBefore = await writes('resource="leases"');
  const leaseReqBefore = (await op.counter('ponyexpress_api_requests_total', 'verb="get"')) ;
  await sleep(STEADY_SECONDS * 1000);
  const perMin = (n: number) => (n * 60) / STEADY_SECONDS;
  const steadyRequests = perMin((await requests()) - reqBefore);
  const steadyLease = perMin((await writes('resource="leases"')) - leaseBefore);
  const steadyLeaseGets = perMin((await op.counter('ponyexpress_api_requests_total', 'verb="get"')) - leaseReqBefore);
  const steadyWrites = perMin((await writes()) - wBefore) - steadyLease;
  const rssSteady = await rss();

  // --- many Promotions ------------------------------------------------------------------------
  const base = p.promotion({ soakSeconds: 0 }) as ManifestObject & { spec: { source: object; target: object } };
  const many: ManifestObject[] = Array.from({ length: PROMOTIONS }, (_, i) => ({
    ...base,
    metadata: { name: `idle-${i}`, namespace: p.prod },
    // Selects nothing: a real, cached, reconciled Promotion with nothing to promote.
    spec: { ...base.spec, source: { ...base.spec.source, selector: { matchLabels: { 'app.kubernetes.io/instance': `ghost-${i}` } } }, target: { ...base.spec.target, selector: { matchLabels: { 'app.kubernetes.io/instance': `ghost-${i}` } } } },
  }));
  const t0 = Date.now();
  for (let i = 0; i < many.length; i += 20) await applyObjects(p.kc, many.slice(i, i + 20));
  await waitUntil(async () => {
    const list = (await p.custom.listNamespacedCustomObject({ group: 'ponyexpress.dev', version: 'v1alpha1', namespace: p.prod, plural: 'promotions' })) as { items: { status?: { phase?: string } }[] };
    return list.items.filter((x) => x.status?.phase).length >= PROMOTIONS + 1;
  }, { what: `${PROMOTIONS} Promotions reconciled`, timeoutMs: 300_000, intervalMs: 1000 });
  const settleMs = Date.now() - t0;
  await sleep(10_000);
  const rssMany = await rss();
  await op.stop();

  const row = (k: string, v: string) => process.stdout.write(`${k.padEnd(58)} ${v}\n`);
  process.stdout.write('\nponyexpress operator benchmark\n');
  row('latency staging verified -> prod migration Job created', `${jobCreated - lastFact} ms (target <= 1000)`);
  row('API writes for one promotion (excl. Lease renewals)', `${promotionWrites} (target <= 10)`);
  for (const l of byResource) row(`  ${l.replace('ponyexpress_api_writes_total', '')}`, 'cumulative');
  row(`steady state: writes/min (excl. Lease), over ${STEADY_SECONDS} s`, `${steadyWrites.toFixed(1)} (target ~0)`);
  row('steady state: Lease renewals/min (writes)', steadyLease.toFixed(1));
  row('steady state: Lease reads/min', steadyLeaseGets.toFixed(1));
  row('steady state: all requests/min (incl. Lease, watch re-opens)', steadyRequests.toFixed(1));
  row('operator RSS idle (1 Promotion)', `${rssIdle.toFixed(1)} MiB (target <= 60)`);
  row('operator RSS after the promotion, steady', `${rssSteady.toFixed(1)} MiB`);
  row(`operator RSS with ${PROMOTIONS + 1} Promotions`, `${rssMany.toFixed(1)} MiB`);
  row(`time to reconcile ${PROMOTIONS} new Promotions`, `${settleMs} ms`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
