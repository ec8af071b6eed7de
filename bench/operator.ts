// Operator benchmark at fleet size: prints numbers, asserts nothing. ONE operator (compiled JS,
// as in the container) manages N pipelines, each a staging + production namespace pair with the
// chart's namespaced RBAC, on the test control plane (or the cluster in KUBECONFIG):
//   npm run bench:operator -- [--pipelines 500] [--concurrency 50] [--watch-scope cluster] [--node-options=<flags for the operator>]
//     [--node-flags=<V8 flags on its command line>] [--operator-env=NAME=value ...] (e.g. MALLOC_ARENA_MAX=2, to
//     try glibc's allocator settings; all default to the chart's process settings, OPERATOR_PROCESS_ENV and
//     OPERATOR_NODE_FLAGS) [--operator-cpu N] (the operator alone on CPU N, the control plane on the others:
//     as on a node of its own, where a loaded control plane does not hold the CPU its loop needs; bench/cpu.ts)
//     [--operator-rt] (every CPU shared, the operator first in line under SCHED_RR, its main thread above its
//     other threads: its CPU is there when it asks, the control plane has both cores otherwise; bench/cpu.ts)
//     [--restarts N] (the restart at the end done N times, default 1: the median and spread of its longest block)
// Measures: time until all N Promotions are reconciled at start; then all N staging
// environments are released at once and every promotion is timed from watch events (bench/facts.ts):
// "staging verified -> production Job created" and the operator-side time per promotion (its
// reactions only, Kubernetes' Job and rollout time excluded), and of that the operator's own part
// (fact -> its plan, from its log), the API's (plan -> the answer, from its log) and the bench's
// (answer -> its watch); where the time goes (queue, client-side wait, apiserver latency, watch lag);
// requests and writes per promotion; RSS idle / after reconciling N / peak / at rest; after a minute
// at rest, restarts with N Promotions (every cache listed at once); open connections; the longest
// event-loop block, the CPU bursts while promoting and each operator thread's CPU; the CPU the
// hypervisor stole from this machine while the operator ran (bench/steal.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import globalSetup from '../test/cluster/global-setup.js';
import globalTeardown from '../test/cluster/global-teardown.js';
import { readState, waitUntil } from '../test/cluster/harness/index.js';
import { StealSampler } from './steal.js';
import { mainThreadSchedstat, placeOperator, threadCpuByName } from './cpu.js';
import { eachLimited, Fleet } from '../test/cluster/operator/support/fleet.js';
import type { WatchScope } from '../operator/kube/cache.js';
import { OPERATOR_NODE_FLAGS, OPERATOR_PROCESS_ENV } from '../contract/index.js';
import { GC_KINDS } from '../operator/runtime/loop-metrics.js';
import { MEMORY_PARTS } from '../operator/runtime/metrics.js';
import { watchFacts } from './facts.js';
import type { OperatorProcess } from '../test/cluster/operator/support/operator-process.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PIPELINES = arg('pipelines', 500);
const CONCURRENCY = arg('concurrency', 50);
const WATCH_SCOPE = process.argv.includes('--watch-scope')
  ? (process.argv[process.argv.indexOf('--watch-scope') + 1] as WatchScope)
  : 'namespaces';
const NODE_OPTIONS = process.argv.find((a) => a.startsWith('--node-options='))?.slice('--node-options='.length);
const NODE_FLAGS =
  process.argv
    .find((a) => a.startsWith('--node-flags='))
    ?.slice('--node-flags='.length)
    .split(' ')
    .filter(Boolean) ?? OPERATOR_NODE_FLAGS;
const EXTRA_ENV = Object.fromEntries(
  process.argv
    .filter((a) => a.startsWith('--operator-env='))
    .map((a) => {
      const [name, ...value] = a.slice('--operator-env='.length).split('=');
      return [name, value.join('=')];
    }),
);
// The operator process as the chart runs it; --node-options and --operator-env try other settings.
const PROCESS_ENV: Record<string, string> = {
  ...OPERATOR_PROCESS_ENV,
  ...(NODE_OPTIONS ? { NODE_OPTIONS } : {}),
  ...EXTRA_ENV,
};
const OPERATOR_CPU = process.argv.includes('--operator-cpu') ? arg('operator-cpu', NaN) : undefined;
const OPERATOR_RT = process.argv.includes('--operator-rt');
const RESTARTS = arg('restarts', 1);
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
/** Progress on stderr (a run at 500 takes a while); the numbers go to stdout at the end. */
const progress = (what: string) =>
  process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(0)} s] ${what}\n`);
/** The operator's latency histograms the bench reads (what, metric, label filter). */
const LATENCIES: [string, string, string][] = [
  ['a Promotion key waiting in the work queue', 'ponyexpress_queue_wait_seconds', ''],
  ['one reconcile, its API calls included', 'ponyexpress_reconcile_duration_seconds', ''],
  [
    'a request waiting in the operator (rate limit, stream slot)',
    'ponyexpress_api_client_wait_seconds',
    'lane="request"',
  ],
  ...['pods', 'deployments', 'jobs'].map(
    (resource) =>
      [
        `a ${resource} change reaching the operator's watch`,
        'ponyexpress_watch_event_lag_seconds',
        `resource="${resource}"`,
      ] as [string, string, string],
  ),
  ...['get', 'create', 'update', 'patch'].map(
    (verb) =>
      [`apiserver ${verb} requests, start to answer`, 'ponyexpress_api_request_duration_seconds', `verb="${verb}"`] as [
        string,
        string,
        string,
      ],
  ),
];

async function main(): Promise<void> {
  // The operator runs as compiled JS, as in the container image (tsx alone adds ~15 MiB of RSS).
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('npx tsc -p tsconfig.build.json failed');
  await globalSetup();
  try {
    await run();
  } finally {
    await globalTeardown();
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};

async function run(): Promise<void> {
  const fleet = new Fleet('bench', PIPELINES, CONCURRENCY, WATCH_SCOPE);
  let t = Date.now();
  progress(`setting up ${PIPELINES} pipelines`);
  await fleet.setUpApps('a1', progress);
  const setUpMs = Date.now() - t;
  progress(`set up in ${(setUpMs / 1000).toFixed(0)} s; starting the operator`);

  const placement = placeOperator({ cpu: OPERATOR_CPU, realtime: OPERATOR_RT });
  const steal = new StealSampler();
  // Production lease settings (15 s / 2 s) and watch timeouts, as a real install runs.
  const startOperator = async () => {
    const proc = await fleet.startOperator(
      'bench-0',
      {
        PONYEXPRESS_LEASE_DURATION_SECONDS: '15',
        PONYEXPRESS_LEASE_RETRY_SECONDS: '2',
        PONYEXPRESS_LOG_LEVEL: 'info',
        PONYEXPRESS_WATCH_TIMEOUT_SECONDS: '300',
        PONYEXPRESS_INFORMER_WATCHDOG_SECONDS: '420',
        ...PROCESS_ENV,
      },
      'js',
      NODE_FLAGS,
      placement.launcher,
    );
    placement.started?.(proc.pid!);
    return proc;
  };
  const op = await startOperator();
  progress(`CPUs: ${placement.describe}`);
  const metric = (name: string, filter = '') => op.counter(name, filter);
  const rss = async () => (await metric('ponyexpress_process_resident_memory_bytes')) / MiB;
  const writes = async () =>
    (await metric('ponyexpress_api_writes_total')) -
    (await metric('ponyexpress_api_writes_total', 'resource="leases"'));
  const requests = async () =>
    (await metric('ponyexpress_api_requests_total')) -
    (await metric('ponyexpress_api_requests_total', 'resource="leases"'));
  await sleep(5000);
  const rssIdle = await rss();

  // --- N Promotions appear at once: time until each has a status -----------------------------
  // The longest burst before any Promotion exists is the process's own start-up (module loading).
  // The kernel's part (page faults, syscalls) tells the machine's stalls from the operator's JavaScript.
  progress(`RSS idle ${rssIdle.toFixed(1)} MiB, CPU burst max ${await cpuBurst(op)}; creating ${PIPELINES} Promotions`);
  t = Date.now();
  // Rollouts of 3,000 Deployments at once take minutes on a shared 2-core control plane: a 120 s
  // rollout timeout failed 13 of 500 promotions (the operator's timeout worked; the bench then
  // waited for ever). The bench measures the operator's reactions, so the timeout is out of the way.
  await fleet.createPromotions({ soakSeconds: 0, rolloutTimeoutSeconds: 3600 });
  await fleet.waitAll('production recorded as a1', (x) => x.status?.production?.tag === 'a1', 1_800_000);
  const reconcileAllMs = Date.now() - t;
  progress(
    `all reconciled in ${(reconcileAllMs / 1000).toFixed(1)} s; RSS ${(await rss()).toFixed(1)} MiB; ` +
      `loop delay max ${((await metric('ponyexpress_event_loop_delay_max_seconds')) * 1000).toFixed(0)} ms, ` +
      `CPU burst max ${await cpuBurst(op)}; ` +
      `writes ${await writes()}, connections ${await metric('ponyexpress_apiserver_connections')}, ` +
      `informers ${await metric('ponyexpress_informers')}`,
  );
  await sleep(5000);
  const rssReconciled = await rss();
  const memory = async () =>
    Object.fromEntries(
      await Promise.all(
        MEMORY_PARTS.map(
          async (part) =>
            [part, ((await metric('ponyexpress_process_memory_bytes', `part="${part}"`)) / MiB).toFixed(1)] as const,
        ),
      ),
    );
  const memoryReconciled = await memory();

  // --- all N released at once -------------------------------------------------------------
  // The facts come from watches in a worker thread, so the bench's own work does not stamp them late.
  const watcher = watchFacts(readState().kubeconfig);
  const seen = watcher.seen;
  await watcher.ready;

  const latencies = () => Promise.all(LATENCIES.map(([, name, filter]) => op.histogram(name, filter)));
  const latenciesBefore = await latencies();
  const CPU_BURSTS = 'ponyexpress_event_loop_block_cpu_seconds';
  const burstsBefore = await op.histogram(CPU_BURSTS);
  const writesBefore = await writes();
  const requestsBefore = await requests();
  const schedBefore = mainThreadSchedstat(op.pid!);
  const threadsBefore = threadCpuByName(op.pid!);
  // What the peak is made of: V8's parts and the kernel's split of the resident pages.
  let rssPeak = 0;
  let memoryPeak: Record<string, string> = {};
  let splitPeak = '';
  const sampler = setInterval(
    () =>
      void rss().then(
        async (r) => {
          if (r <= rssPeak) return;
          rssPeak = r;
          const [parts, split] = [await memory(), residentSplit(op.pid)];
          if (r === rssPeak) [memoryPeak, splitPeak] = [parts, split];
        },
        () => {},
      ),
    1000,
  );
  progress('releasing b2 to every staging');
  t = Date.now();
  // Staging releases land together (the migration Job first, then the workloads, per app),
  // CONCURRENCY apps at a time: 500 at once through client-node failed with "fetch failed" on the
  // loaded machine. A release that fails on the way is retried (apply is idempotent).
  await eachLimited(fleet.pipelines, CONCURRENCY, async (p) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await p.releaseToStaging('b2');
      } catch (err) {
        if (attempt >= 5) throw err;
        await sleep(1000 * attempt);
      }
    }
  });
  await fleet.waitAll(
    'b2 promoted',
    (x) => x.status?.production?.tag === 'b2' && x.status?.phase === 'Succeeded',
    3_600_000,
  );
  const promoteAllMs = Date.now() - t;
  const schedAfter = mainThreadSchedstat(op.pid!);
  const threadsAfter = threadCpuByName(op.pid!);
  progress(`all promoted in ${(promoteAllMs / 1000).toFixed(1)} s`);
  await sleep(3000);
  clearInterval(sampler);
  watcher.stop();
  const burstsDuring = (await op.histogram(CPU_BURSTS)).map(({ le, count }, j) => ({
    le,
    count: count - (burstsBefore[j]?.count ?? 0),
  }));
  const latenciesDuring = (await latencies()).map((after, i) =>
    after.map(({ le, count }, j) => ({ le, count: count - (latenciesBefore[i][j]?.count ?? 0) })),
  );
  const promotionWrites = ((await writes()) - writesBefore) / PIPELINES;
  const promotionRequests = ((await requests()) - requestsBefore) / PIPELINES;
  const writeLines = (await op.metrics())
    .split('\n')
    .filter((l) => l.startsWith('ponyexpress_api_writes_total{') && !l.includes('leases'));
  const connections = await metric('ponyexpress_apiserver_connections');
  const informers = await metric('ponyexpress_informers');
  const loopMaxMs = (await metric('ponyexpress_event_loop_delay_max_seconds')) * 1000;
  const loopP99Ms = (await metric('ponyexpress_event_loop_delay_p99_seconds')) * 1000;
  const loopCpu = await cpuBurst(op);
  const gcMaxMs = await gcMax(op);
  const rssAfter = await rss();
  const memoryAfter = await memory();
  // A minute with nothing to do: what the fleet costs at rest, once V8's memory reducer has run.
  await sleep(60_000);
  const rssRest = await rss();
  const memoryRest = await memory();
  // Read again: V8's memory reducer (--optimize-for-size, OPERATOR_NODE_FLAGS) collects in this minute.
  const loopMaxRestMs = (await metric('ponyexpress_event_loop_delay_max_seconds')) * 1000;
  const loopCpuRest = await cpuBurst(op);
  const gap = await tickGap(op);
  await op.stop();

  // --- restarts with N Promotions: every cache listed and every Promotion reconciled at once ---------
  // (a rolling update of the operator). The released lease lets the new process lead at once. Done: ready
  // (every cache synced), all informers up, and the work queue empty. --restarts repeats it: how long the
  // start-up storm's longest block runs varies from one restart to the next.
  const restarts: Restart[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    restarts.push(await restartWith(startOperator, informers));
    const r = restarts[i];
    progress(
      `restart ${i + 1}/${RESTARTS}: loop delay max ${r.loopMaxMs.toFixed(1)} ms, CPU burst ${r.cpu}, ` +
        `tick gap ${r.gap}, GC pauses ${JSON.stringify(r.gcMaxMs)}`,
    );
  }

  // When the operator planned each step (its 'reconcile' log lines, written before it acts) and when the
  // apiserver answered (the lines execute.ts writes after each answer). Fact (bench) -> plan is the
  // operator's own part of a reaction; plan -> answer is the API's; answer -> the bench's watch is neither.
  // A step's plan is the last reconcile that planned it before its first answer (a retried patch re-plans).
  type Line = { at: number; actions: string[]; phase?: string };
  const lines = new Map<string, Line[]>();
  type Answers = { job?: number; waves: Map<number, { first: number; last: number }> };
  const answers = new Map<string, Answers>();
  for (const r of op.logs) {
    const at = Date.parse(r.time);
    if (at < t) continue;
    const ns = String(r.promotion).split('/')[0];
    if (r.msg === 'reconcile') {
      const mine = lines.get(ns) ?? [];
      lines.set(ns, mine);
      mine.push({ at, actions: (r.actions as string[] | undefined) ?? [], phase: r.phase as string | undefined });
    } else if (r.msg === 'created migration job' || (r.msg === 'set images' && r.purpose === 'Promotion')) {
      const answer: Answers = answers.get(ns) ?? { waves: new Map() };
      answers.set(ns, answer);
      if (r.msg === 'created migration job') answer.job ??= at;
      else {
        const wave = answer.waves.get(Number(r.wave));
        answer.waves.set(Number(r.wave), { first: wave?.first ?? at, last: at });
      }
    }
  }
  const planOf = (ns: string, action: string, answeredAt: number | undefined) =>
    answeredAt === undefined
      ? undefined
      : lines
          .get(ns)
          ?.filter((l) => l.at <= answeredAt && l.actions.includes(action))
          .at(-1)?.at;
  const own: number[] = [];
  const ownParts: number[][] = [[], [], [], []];
  /** The first three reactions, split at the apiserver's answer: plan -> answer, answer -> the bench saw it. */
  const apiParts: number[][] = [[], [], []];
  const benchLag: number[][] = [[], [], []];
  /** Operator-side time to the apiserver's answers (the last reaction as the bench saw it). */
  const toAnswers: number[] = [];
  // Per promotion: the operator's reactions, from the first time each fact was seen.
  const verifiedToJob: number[] = [];
  const operatorSide: number[] = [];
  /** Each of the four reactions apart, to see which one costs the time. */
  const reactions: number[][] = [[], [], [], []];
  let incomplete = 0;
  for (const p of fleet.pipelines) {
    const g = (k: string) => seen.get(k);
    const verified = Math.max(
      ...['web', 'worker', 'beat'].map((c) => g(`stg-done ${p.staging} ${c}`) ?? NaN),
      g(`stg-job ${p.staging}`) ?? NaN,
    );
    const jobCreated = g(`job-created ${p.prod}`)!;
    const jobDoneAt = g(`job-done ${p.prod}`)!;
    const wave1 = Math.max(g(`set ${p.prod} web`)!, g(`set ${p.prod} worker`)!);
    const wave1Done = Math.max(g(`done ${p.prod} web`)!, g(`done ${p.prod} worker`)!);
    const beatSet = g(`set ${p.prod} beat`)!;
    const beatDone = g(`done ${p.prod} beat`)!;
    const succeeded = g(`succeeded ${p.prod}`)!;
    const parts = [jobCreated - verified, wave1 - jobDoneAt, beatSet - wave1Done, succeeded - beatDone];
    if (parts.some((x) => !Number.isFinite(x))) {
      incomplete++;
      continue;
    }
    verifiedToJob.push(jobCreated - verified);
    const answer = answers.get(p.prod);
    const wave0 = answer?.waves.get(0);
    const wave1Answer = answer?.waves.get(1);
    const beatPlan = planOf(p.prod, 'SetImages', wave1Answer?.first);
    const succeededPlan = lines.get(p.prod)?.find((l) => l.at >= (beatPlan ?? Infinity) && l.phase === 'Succeeded')?.at;
    const planned = [
      planOf(p.prod, 'CreateMigrationJob', answer?.job),
      planOf(p.prod, 'SetImages', wave0?.first),
      beatPlan,
      succeededPlan,
    ];
    const facts = [verified, jobDoneAt, wave1Done, beatDone];
    const mine = planned.map((at, i) => Math.max(0, (at ?? NaN) - facts[i]));
    if (mine.every(Number.isFinite)) {
      mine.forEach((x, i) => ownParts[i].push(x));
      own.push(mine.reduce((a, b) => a + b, 0));
    }
    const answered = [answer?.job, wave0?.last, wave1Answer?.last];
    const effects = [jobCreated, wave1, beatSet];
    if (answered.every((a) => a !== undefined) && planned.slice(0, 3).every((a) => a !== undefined)) {
      answered.forEach((a, i) => {
        apiParts[i].push(Math.max(0, a - planned[i]!));
        benchLag[i].push(effects[i] - a);
      });
      toAnswers.push(answered.reduce((sum, a, i) => sum + Math.max(0, a - facts[i]), 0) + Math.max(0, parts[3]));
    }
    parts.forEach((x, i) => reactions[i].push(Math.max(0, x)));
    operatorSide.push(parts.reduce((a, b) => a + Math.max(0, b), 0));
  }

  const row = (k: string, v: string) => process.stdout.write(`${k.padEnd(62)} ${v}\n`);
  process.stdout.write(
    `\nponyexpress operator benchmark: ${PIPELINES} pipelines (a staging + production namespace pair each), one operator, watch scope ${WATCH_SCOPE}, process env ${JSON.stringify(PROCESS_ENV)}, node flags ${JSON.stringify(NODE_FLAGS)}, CPUs: ${placement.describe}\n`,
  );
  row('set-up of the apps (not the operator)', `${(setUpMs / 1000).toFixed(0)} s`);
  row(`time until all ${PIPELINES} Promotions reconciled (operator start)`, `${(reconcileAllMs / 1000).toFixed(1)} s`);
  row(
    `time until all ${PIPELINES} promoted (incl. Kubernetes' Jobs/rollouts)`,
    `${(promoteAllMs / 1000).toFixed(1)} s`,
  );
  row('staging verified -> prod Job created, p50 / p99', `${pct(verifiedToJob, 50)} / ${pct(verifiedToJob, 99)} ms`);
  row(
    'operator-side time per promotion, p50 / p99 (target p99 <= 2000)',
    `${pct(operatorSide, 50)} / ${pct(operatorSide, 99)} ms`,
  );
  const REACTIONS = ['verified -> Job', 'Job done -> wave 1 set', 'wave 1 done -> beat set', 'beat done -> Succeeded'];
  REACTIONS.forEach((what, i) =>
    row(
      `  ${what}, p50 / p99 (of it the operator's own, p50 / p99)`,
      `${pct(reactions[i], 50)} / ${pct(reactions[i], 99)} ms (${pct(ownParts[i], 50)} / ${pct(ownParts[i], 99)})`,
    ),
  );
  row(
    `  the operator's own part: fact -> its plan, its log (${own.length} promotions), p50 / p99`,
    `${pct(own, 50)} / ${pct(own, 99)} ms`,
  );
  row(
    `  the same, to the apiserver's answers in its log (${toAnswers.length} promotions), p50 / p99`,
    `${pct(toAnswers, 50)} / ${pct(toAnswers, 99)} ms`,
  );
  REACTIONS.slice(0, 3).forEach((what, i) =>
    row(
      `  ${what}: plan -> answer / answer -> the bench's watch, p99`,
      `${pct(apiParts[i], 99)} / ${pct(benchLag[i], 99)} ms`,
    ),
  );
  if (incomplete) row('promotions with a fact missed by the bench watches', String(incomplete));
  row("where the operator's time goes while promoting (bucket bounds), p50 / p99", 'count');
  LATENCIES.forEach(([what], i) => {
    const buckets = latenciesDuring[i];
    const total = buckets.at(-1)?.count ?? 0;
    const bound = (q: number) => `<= ${buckets.find((b) => b.count >= q * total)?.le ?? NaN} s`;
    row(`  ${what}`, `${bound(0.5)} / ${bound(0.99)}   ${total}`);
  });
  row('writes per promotion, excl. Lease (target <= 10)', promotionWrites.toFixed(1));
  for (const l of writeLines) row(`  ${l.replace('ponyexpress_api_writes_total', '')}`, 'cumulative');
  row('requests per promotion, excl. Lease (incl. watch re-opens)', promotionRequests.toFixed(1));
  row('operator RSS idle (no Promotions yet)', `${rssIdle.toFixed(1)} MiB`);
  row(`operator RSS with ${PIPELINES} reconciled`, `${rssReconciled.toFixed(1)} MiB`);
  row('  of which, MiB', JSON.stringify(memoryReconciled));
  row(
    `operator RSS peak while promoting / after (target <= 120)`,
    `${rssPeak.toFixed(1)} / ${rssAfter.toFixed(1)} MiB`,
  );
  row('  of which, at the peak, MiB', JSON.stringify(memoryPeak));
  row('  resident pages at the peak (/proc/<pid>/smaps_rollup)', splitPeak);
  row('  of which, after, MiB', JSON.stringify(memoryAfter));
  row('operator RSS a minute later, at rest (target <= 120)', `${rssRest.toFixed(1)} MiB`);
  row('  of which, MiB', JSON.stringify(memoryRest));
  row('open apiserver connections (all lanes) / informers', `${connections} / ${informers}`);
  row('event-loop delay: longest (target <= 50) / p99', `${loopMaxMs.toFixed(1)} / ${loopP99Ms.toFixed(1)} ms`);
  row('  longest main-thread CPU burst between 20 ms ticks (own blocking; of it in the kernel)', loopCpu);
  row(
    "  the same two read again after the minute at rest (both since start; V8's memory reducer ran in it)",
    `${loopMaxRestMs.toFixed(1)} ms / ${loopCpuRest}`,
  );
  const ticks = burstsDuring.at(-1)?.count ?? 0;
  const over = (le: number) => ticks - (burstsDuring.find((b) => b.le === le)?.count ?? 0);
  row(
    '  of it while promoting: longest (bucket bound), ticks over 35 / 50 ms',
    `<= ${(burstsDuring.find((b) => b.count === ticks)?.le ?? NaN) * 1000} ms, ${over(0.035)} / ${over(0.05)} of ${ticks}`,
  );
  row('  longest garbage-collection pause by kind, ms', JSON.stringify(gcMaxMs));
  row('  longest gap between two 20 ms ticks (since start; /proc/thread-self/schedstat)', gap);
  const [ran, waited] = [schedAfter.cpu - schedBefore.cpu, schedAfter.wait - schedBefore.wait];
  row(
    "  the operator's main thread while promoting: on a CPU / runnable, waiting for one",
    `${ran.toFixed(1)} s / ${waited.toFixed(1)} s (${((waited / ran) * 100).toFixed(0)}% of its CPU time)`,
  );
  // V8's helper threads and libuv's pool share the operator's CPU with the main thread.
  row(
    "  the operator's threads' CPU while promoting, by thread name, s",
    Object.entries(threadsAfter)
      .map(([name, s]) => `${name} ${(s - (threadsBefore[name] ?? 0)).toFixed(1)}`)
      .join(', '),
  );
  const [restart] = restarts;
  row(
    `a restart with ${PIPELINES} Promotions: all reconciled after / RSS 5 s later`,
    `${(restart.ms / 1000).toFixed(1)} s / ${restart.rss.toFixed(1)} MiB`,
  );
  row('  event-loop delay, longest (target <= 50)', `${restart.loopMaxMs.toFixed(1)} ms`);
  row('  longest main-thread CPU burst between 20 ms ticks', restart.cpu);
  row('  longest gap between two 20 ms ticks', restart.gap);
  row('  longest garbage-collection pause by kind, ms', JSON.stringify(restart.gcMaxMs));
  if (restarts.length > 1) {
    const spread = (xs: number[]) =>
      `median ${pct(xs, 50).toFixed(1)}, max ${Math.max(...xs).toFixed(1)} ` +
      `(all: ${[...xs]
        .sort((a, b) => a - b)
        .map((x) => x.toFixed(0))
        .join(' ')})`;
    const loops = restarts.map((r) => r.loopMaxMs);
    row(`over ${restarts.length} restarts: event-loop delay, longest, ms`, spread(loops));
    row('  restarts over 50 ms', `${loops.filter((x) => x > 50).length} of ${loops.length}`);
    row('  all reconciled after, s', spread(restarts.map((r) => r.ms / 1000)));
    for (const kind of Object.values(GC_KINDS))
      row(`  longest ${kind} pause, ms`, spread(restarts.map((r) => Number(r.gcMaxMs[kind]))));
  }
  row('load average of this machine at the end (1 min)', (await import('node:os')).loadavg()[0].toFixed(1));
  row("CPU stolen by the hypervisor while the operator ran (/proc/stat's steal)", steal.summary());
}

type Restart = {
  ms: number;
  loopMaxMs: number;
  cpu: string;
  gap: string;
  gcMaxMs: Record<string, string>;
  rss: number;
};

/** Starts the operator again with every Promotion present; done when it has caught up (see run()). */
async function restartWith(start: () => Promise<OperatorProcess>, informers: number): Promise<Restart> {
  const startedAt = Date.now();
  const again = await start();
  await waitUntil(
    async () =>
      (await fetch(`http://127.0.0.1:${again.metricsPort}/readyz`)).ok &&
      (await again.counter('ponyexpress_informers')) >= informers &&
      (await again.counter('ponyexpress_queue_depth')) === 0 &&
      (await again.counter('ponyexpress_reconciles_total')) >= PIPELINES,
    { what: `all ${PIPELINES} Promotions reconciled after a restart`, timeoutMs: 600_000, intervalMs: 100 },
  );
  const ms = Date.now() - startedAt;
  await sleep(5000);
  const restart = {
    ms,
    loopMaxMs: (await again.counter('ponyexpress_event_loop_delay_max_seconds')) * 1000,
    cpu: await cpuBurst(again),
    gap: await tickGap(again),
    gcMaxMs: await gcMax(again),
    rss: (await again.counter('ponyexpress_process_resident_memory_bytes')) / MiB,
  };
  await again.stop();
  return restart;
}

/** The operator's longest main-thread CPU burst between two 20 ms ticks, and the kernel's part of it. */
async function cpuBurst(o: OperatorProcess): Promise<string> {
  const ms = async (name: string) => ((await o.counter(name)) * 1000).toFixed(1);
  return `${await ms('ponyexpress_event_loop_block_cpu_max_seconds')} ms (kernel ${await ms('ponyexpress_event_loop_block_cpu_max_kernel_seconds')})`;
}

/** The longest gap between two 20 ms ticks since start, split: on a CPU, waiting for one, the rest. */
async function tickGap(o: OperatorProcess): Promise<string> {
  const gapMs = async (part?: string) =>
    (
      (await o.counter(
        `ponyexpress_event_loop_tick_gap_max${part ? '_part' : ''}_seconds`,
        part ? `part="${part}"` : '',
      )) * 1000
    ).toFixed(1);
  return `${await gapMs()} ms: on a CPU ${await gapMs('cpu')}, waiting for one ${await gapMs('runqueue')}, the rest ${await gapMs('other')}`;
}

/** The longest garbage-collection pause by kind since start, ms. */
async function gcMax(o: OperatorProcess): Promise<Record<string, string>> {
  return Object.fromEntries(
    await Promise.all(
      Object.values(GC_KINDS).map(
        async (kind) =>
          [kind, ((await o.counter('ponyexpress_gc_pause_max_seconds', `kind="${kind}"`)) * 1000).toFixed(1)] as const,
      ),
    ),
  );
}

/** Anonymous (heap, malloc, stacks) against file-backed (the node binary's code, shared libraries) resident pages. */
function residentSplit(pid: number | undefined): string {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN);
    const anon = kb('Anonymous');
    return `anonymous ${(anon / 1024).toFixed(1)} MiB, file-backed ${((kb('Rss') - anon) / 1024).toFixed(1)} MiB`;
  } catch (err) {
    return `unreadable: ${String(err)}`;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
