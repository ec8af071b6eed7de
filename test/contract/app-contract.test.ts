/**
 * The contract test: an app (example/ unless CONTRACT_APP_DIR says otherwise) runs with exactly the
 * commands, env and probes of the synthesised staging manifests, against real PostgreSQL and Redis, in
 * the order Kubernetes would start them. Checks only example/ can pass (its task, tick table,
 * migration name) come from its profile's `extras`. See docs/app.md.
 */
import { jest } from '@jest/globals';
import { existsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { LocalPod } from './kube/local-pod.js';
import { containerNamed, workloadByComponent } from './kube/manifests.js';
import { probeOnce, runStartupProbe } from './kube/prober.js';
import type { Probe } from './kube/types.js';
import { freePort } from './services/free-port.js';
import type { ManagedProcess } from './services/managed-process.js';
import { startPostgres, type PostgresServer } from './services/postgres.js';
import { contractProfile, GENERIC_BEAT_MAX_INTERVAL_SECONDS } from './app-profile.js';
import { startRedis, type RedisServer } from './services/redis.js';
import { query } from './services/sql.js';
import { fixtureSecrets, stagingManifests, type Manifests } from './staging-fixture.js';

// Long enough for the largest probe budget in the manifests (web startup: 60 x 5 s) to run out.
jest.setTimeout(420_000);

const profile = contractProfile();
const extras = profile.extras ?? {};
/** Beat ticks at least this often (example/'s schedule; other apps get `--max-interval` through the profile). */
const BEAT_PERIOD_SECONDS = extras.ticks?.periodSeconds ?? GENERIC_BEAT_MAX_INTERVAL_SECONDS;
/** How long beat runs before its checks; with example/ it counts the ticks meanwhile. */
const BEAT_RUN_SECONDS = 5 * BEAT_PERIOD_SECONDS;
/** ponyexpress-django's default worker heartbeat interval (PONYEXPRESS_WORKER_HEARTBEAT_INTERVAL). */
const HEARTBEAT_INTERVAL_SECONDS = 5;
/**
 * The beat liveness command of ponyexpress-django. charts/beat.ts has no probe yet (it comes with the charts'
 * probe options); until then this is the exec probe the charts are expected to run, checked here in beat's env.
 */
const beatCheck = (maxAgeSeconds: number) => [
  'python',
  '-m',
  'ponyexpress_django.check',
  'beat',
  '--max-age',
  String(maxAgeSeconds),
];

let pg: PostgresServer;
let redis: RedisServer;
let manifests: Manifests;
const pods: Record<'migrate' | 'web' | 'worker' | 'beat', LocalPod> = {} as never;
const running: ManagedProcess[] = [];
let webPort: number;

/**
 * The steps form one scenario, in order. Once a step fails the rest fail at
 * once, naming it, instead of each waiting out a probe budget on a broken pod.
 */
let failedStep: string | undefined;
function step(name: string, body: () => Promise<void> | void): void {
  test(name, async () => {
    if (failedStep) throw new Error(`not run: the earlier step "${failedStep}" failed`);
    try {
      await body();
    } catch (err) {
      failedStep = name;
      throw err;
    }
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gracePeriod = (pod: LocalPod) => pod.workload.pod.terminationGracePeriodSeconds ?? 30;
const probe = (pod: LocalPod, container: string, kind: 'startupProbe' | 'readinessProbe' | 'livenessProbe'): Probe => {
  const p = containerNamed(pod.workload.pod, container)[kind];
  if (!p) throw new Error(`${pod.name}/${container} has no ${kind}`);
  return p;
};
/** The worker's CELERY_WORKER_HEARTBEAT_FILE, as the manifest sets it (localised into the pod's /tmp). */
const heartbeatFile = () => pods.worker.container('worker').env.CELERY_WORKER_HEARTBEAT_FILE;
const failWith = (process: ManagedProcess) => `${process.name} output:\n${process.output().slice(-4000)}`;

beforeAll(async () => {
  const venv = profile.venv();
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  manifests = stagingManifests();
  const secrets = fixtureSecrets(manifests.config, pg, redis);
  webPort = await freePort();
  const common = { objects: manifests.objects, secrets, appDir: profile.appDir, venv, extraEnv: profile.extraEnv };
  for (const component of ['migrate', 'web', 'worker', 'beat'] as const) {
    pods[component] = new LocalPod({
      ...common,
      name: `${manifests.config.app}-${component}-0`,
      workload: workloadByComponent(manifests.objects, component),
      portMap: component === 'web' ? new Map([[8000, webPort]]) : undefined,
    });
  }
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop(5_000)));
  await Promise.all([pg?.destroy(), redis?.destroy()]);
  for (const pod of Object.values(pods)) pod.destroy();
  manifests?.cleanup();
});

step('every container resolves against CloudNativePG-shaped Secrets (a missing key would throw)', () => {
  for (const [component, pod] of Object.entries(pods)) {
    const names = component === 'migrate' ? ['migrate'] : ['wait-for-migrations', component];
    for (const name of names) {
      const env = pod.container(name).env;
      expect(env).toMatchObject({ PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: pg.user, PGDATABASE: pg.database });
      expect(env.PGPASSWORD).toBe(pg.password);
      expect(env.CELERY_BROKER_URL).toBe(redis.url(0));
      expect(env.DJANGO_SECRET_KEY).toBeTruthy();
      const django = manifests.config.django;
      expect(env.DJANGO_SETTINGS_MODULE).toBe(django.settingsModule ?? `${django.module}.settings`);
      expect(env.DJANGO_ALLOWED_HOSTS.split(',')).toContain(manifests.config.domain);
    }
  }
});

step(
  'wait-for-migrations blocks on an empty database, the migrate Job migrates, then the init container passes',
  async () => {
    const blocked = pods.web.start('wait-for-migrations');
    running.push(blocked);
    await sleep(6_000);
    expect({ running: blocked.running, output: blocked.output() }).toMatchObject({ running: true });

    const job = pods.migrate.workload.object.spec;
    const migrate = await pods.migrate.exec(
      'migrate',
      pods.migrate.container('migrate').argv,
      Math.min(job.activeDeadlineSeconds ?? 600, 300) * 1000,
    );
    expect({ code: migrate.code, output: migrate.output }).toMatchObject({ code: 0 });
    expect(migrate.output).toMatch(extras.migrationApplied ?? /Applying \w+\.\w+\.\.\. OK/);

    // The blocked one notices on its next poll; fresh ones (worker, beat pods) pass at once.
    expect(await blocked.waitForExit(15_000)).toEqual({ code: 0, signal: null });
    for (const pod of [pods.worker, pods.beat]) {
      const init = await pod.exec('wait-for-migrations', pod.container('wait-for-migrations').argv, 30_000);
      expect({ code: init.code, output: init.output }).toEqual({ code: 0, output: '' });
    }
    // Re-running the Job (a retry, or a second release) is a no-op.
    const again = await pods.migrate.exec('migrate', pods.migrate.container('migrate').argv, 60_000);
    expect(again.code).toBe(0);
    expect(again.output).toMatch(/No migrations to apply/);
  },
);

step('web: gunicorn passes its startup, readiness and liveness probes as the manifest defines them', async () => {
  const web = pods.web.start('web');
  running.push(web);
  const startup = await runStartupProbe(
    probe(pods.web, 'web', 'startupProbe'),
    pods.web.probeTarget('web'),
    () => !web.running,
  );
  expect({ ...startup.result, log: startup.result.ok ? '' : failWith(web) }).toMatchObject({ ok: true, status: 200 });
  expect(await probeOnce(probe(pods.web, 'web', 'readinessProbe'), pods.web.probeTarget('web'))).toMatchObject({
    ok: true,
    status: 200,
  });
  expect(await probeOnce(probe(pods.web, 'web', 'livenessProbe'), pods.web.probeTarget('web'))).toMatchObject({
    ok: true,
    status: 200,
  });
});

step("web: the probes' Host header is one Django accepts on every path, not only on the probe paths", async () => {
  // The app answers /healthz and /readiness for any Host; this proves the
  // manifest's first line of defence (Host: <domain>) holds on its own.
  for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
    const p = probe(pods.web, 'web', kind);
    const samePathElsewhere: Probe = { ...p, httpGet: { ...p.httpGet!, path: '/' } };
    const result = await probeOnce(samePathElsewhere, pods.web.probeTarget('web'));
    if (extras.indexAnswers200) expect({ kind, ...result }).toMatchObject({ kind, ok: true, status: 200 });
    // Any app: Django accepted the Host (400 is DisallowedHost); what `/` then answers is the app's business.
    expect({
      kind,
      status: result.status,
      accepted: result.status !== 400 && (result.status ?? 500) < 500,
    }).toMatchObject({ kind, accepted: true });
  }
});

step('web: readiness is 503 while PostgreSQL is down and 200 when it is back; liveness stays 200', async () => {
  const readiness = probe(pods.web, 'web', 'readinessProbe');
  const liveness = probe(pods.web, 'web', 'livenessProbe');
  const target = pods.web.probeTarget('web');
  await pg.stop();
  try {
    const down = await probeOnce(readiness, target);
    expect(down).toMatchObject({ ok: false, status: 503 });
    expect(down.detail).toMatch(/"reason": ?"database: /);
    expect(await probeOnce(liveness, target)).toMatchObject({ ok: true, status: 200 });
  } finally {
    await pg.start();
  }
  expect(await probeOnce(readiness, target)).toMatchObject({ ok: true, status: 200 });
  expect(await probeOnce(liveness, target)).toMatchObject({ ok: true, status: 200 });
});

step('worker: its startup and liveness exec probes pass while it consumes', async () => {
  const worker = pods.worker.start('worker');
  running.push(worker);
  const startup = await runStartupProbe(
    probe(pods.worker, 'worker', 'startupProbe'),
    pods.worker.probeTarget('worker'),
    () => !worker.running,
  );
  expect({ ...startup.result, log: startup.result.ok ? '' : failWith(worker) }).toMatchObject({ ok: true });
  expect(
    await probeOnce(probe(pods.worker, 'worker', 'livenessProbe'), pods.worker.probeTarget('worker')),
  ).toMatchObject({ ok: true, status: 0 });
  expect(heartbeatFile().startsWith(`${pods.worker.volumeDir('tmp')}/`)).toBe(true);
  expect(existsSync(heartbeatFile())).toBe(true);
});

step('beat: runs and ticks (its liveness command passes); with example/, the task runs once per period', async () => {
  const beat = pods.beat.start('beat');
  running.push(beat);
  await sleep(BEAT_RUN_SECONDS * 1000 + 1_500);
  const check = await pods.beat.exec('beat', beatCheck(60), 10_000);
  expect({ code: check.code, output: check.output, log: check.code === 0 ? '' : failWith(beat) }).toMatchObject({
    code: 0,
    output: '',
  });
  // The worker has run for well over a heartbeat interval: the file is being re-touched, not just created.
  const heartbeat = statSync(heartbeatFile());
  expect((Date.now() - heartbeat.mtimeMs) / 1000).toBeLessThan(HEARTBEAT_INTERVAL_SECONDS + 2);
  if (!extras.ticks) return;
  const { periodSeconds: period, startsSql, unfinishedSql } = extras.ticks;
  const periods = Math.floor(BEAT_RUN_SECONDS / period);
  const starts = (await query(pg, startsSql)).map(([epoch]) => Number(epoch));
  const gaps = starts.slice(1).map((t, i) => t - starts[i]);
  // One per period: never two in one period (a second beat, a redelivery), never a skipped period.
  const badGaps = gaps.filter((gap) => gap <= period * 0.5 || gap >= period * 1.5);
  const countInRange = starts.length >= periods - 1 && starts.length <= periods + 1;
  const seen = { countInRange, badGaps, starts, gaps };
  expect(seen).toEqual({ countInRange: true, badGaps: [], starts, gaps });
  if (!countInRange) throw new Error(failWith(beat));
  await sleep(1_000);
  const unfinished = await query(pg, unfinishedSql);
  expect(Number(unfinished[0][0])).toBeLessThanOrEqual(1); // at most the one running right now
});

step('beat: its liveness command passes while it ticks and fails while it is hung', async () => {
  const beat = running.find((p) => p.name.endsWith('/beat'))!;
  const check = async (maxAge: number) => await pods.beat.exec('beat', beatCheck(maxAge), 10_000);
  expect(await check(60)).toMatchObject({ code: 0, output: '' });
  const maxAge = 2;
  beat.signal('SIGSTOP'); // hung: the process is there, the scheduler does not tick
  try {
    await sleep((BEAT_PERIOD_SECONDS + maxAge + 1.5) * 1000);
    const hung = await check(maxAge);
    expect({ code: hung.code, output: hung.output }).toMatchObject({
      code: 1,
      output: expect.stringMatching(/^beat is \d+s late/),
    });
  } finally {
    beat.signal('SIGCONT');
  }
  await sleep((BEAT_PERIOD_SECONDS + 1) * 1000);
  expect(await check(maxAge)).toMatchObject({ code: 0 });
});

step('beat: SIGTERM stops it within its grace period, and its liveness command then fails', async () => {
  const beat = running.find((p) => p.name.endsWith('/beat'))!;
  const started = Date.now();
  beat.signal('SIGTERM');
  const exit = await beat.waitForExit(gracePeriod(pods.beat) * 1000);
  expect({ exit, seconds: (Date.now() - started) / 1000 }).toMatchObject({ exit: { code: 0 } });
  const after = await pods.beat.exec('beat', beatCheck(60), 10_000);
  expect({ code: after.code, output: after.output }).toMatchObject({
    code: 1,
    output: expect.stringContaining('is missing'),
  });
});

step(
  'worker: SIGTERM is a warm shutdown (with example/, a running task finishes), the process exits in time, liveness then fails',
  async () => {
    const worker = running.find((p) => p.name.endsWith('/worker'))!;
    const rows = async () => (extras.warmShutdown ? query(pg, extras.warmShutdown.rowsSql) : []);
    if (extras.warmShutdown) {
      // Enqueue like `kubectl exec` into the worker would, then wait until the task is running.
      const enqueue = await pods.worker.exec('worker', ['python', '-c', extras.warmShutdown.enqueueCode(6)], 60_000);
      expect(enqueue.code).toBe(0);
      const deadline = Date.now() + 30_000;
      while ((await rows()).length === 0 && Date.now() < deadline) await sleep(200);
      expect(await rows()).toEqual([[expect.any(String), 'f']]);
    }

    const started = Date.now();
    worker.signal('SIGTERM');
    const exit = await worker.waitForExit(gracePeriod(pods.worker) * 1000);
    const seconds = (Date.now() - started) / 1000;
    expect({ exit, seconds, log: failWith(worker).slice(-1500) }).toMatchObject({ exit: { code: 0, signal: null } });
    if (extras.warmShutdown) expect(await rows()).toEqual([[expect.any(String), 't']]);
    expect(seconds).toBeLessThanOrEqual(gracePeriod(pods.worker));

    const liveness = probe(pods.worker, 'worker', 'livenessProbe');
    expect(await probeOnce(liveness, pods.worker.probeTarget('worker'))).toMatchObject({ ok: false, status: 1 });
    // A worker that died without cleaning up leaves a stale file: the age check catches that too.
    const file = heartbeatFile();
    writeFileSync(file, '');
    const old = Date.now() / 1000 - 3600;
    utimesSync(file, old, old);
    expect(await probeOnce(liveness, pods.worker.probeTarget('worker'))).toMatchObject({ ok: false, status: 1 });
  },
);

step('web: preStop, then SIGTERM: gunicorn exits cleanly within its grace period', async () => {
  const web = running.find((p) => p.name.endsWith('/web'))!;
  const spec = containerNamed(pods.web.workload.pod, 'web');
  const started = Date.now();
  const preStop = spec.lifecycle?.preStop?.exec?.command;
  if (preStop) {
    const hook = await pods.web.exec('web', preStop, gracePeriod(pods.web) * 1000);
    expect(hook.code).toBe(0);
  }
  // Still serving during preStop: endpoints are being updated meanwhile.
  expect(web.running).toBe(true);
  web.signal('SIGTERM');
  const remaining = gracePeriod(pods.web) * 1000 - (Date.now() - started);
  const exit = await web.waitForExit(remaining);
  expect({ exit, log: failWith(web).slice(-1500) }).toMatchObject({ exit: { code: 0, signal: null } });
});
