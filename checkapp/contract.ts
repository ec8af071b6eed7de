// The contract any app must meet, as steps: the app runs with exactly the commands, env and probes of the
// synthesised manifests of one environment, against real PostgreSQL and Redis, in the order Kubernetes
// would start them. Probes and commands are read from the manifests generically (httpGet path/port/headers,
// exec commands, command/args, env/envFrom), never from what charts/ happens to emit today.
import { existsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import type { Extras } from './extras.js';
import { fixtureSecrets, manifestsFor, type Manifests, type ManifestSource } from './fixture.js';
import { LocalPod } from './kube/local-pod.js';
import { containerNamed, workloadByComponent } from './kube/manifests.js';
import { probeOnce, runStartupProbe, type ProbeResult } from './kube/prober.js';
import type { Probe } from './kube/types.js';
import { freePort } from './services/free-port.js';
import type { ManagedProcess } from './services/managed-process.js';
import { startPostgres, type PostgresServer } from './services/postgres.js';
import { startRedis, type RedisServer } from './services/redis.js';
import { CheckFailure, runSteps, type Step, type StepResult } from './steps.js';

export interface CheckOptions extends ManifestSource {
  /** The image's /app: the directory the app's commands run in. */
  appDir: string;
  /** A virtualenv with the app's requirements (its bin/ plays the image's PATH). */
  venv: string;
  /** Variables layered over the manifests', per container. Every entry is a deliberate deviation. */
  extraEnv?: Record<string, Record<string, string>>;
  /** Checks only a particular app can pass (example/'s task and tick table). @default none */
  extras?: Extras;
  /** Cap on every startup-probe wait, in seconds. @default the manifest's own budget */
  maxStartupSeconds?: number;
  /** Called as each step ends (the CLI prints progress). */
  onResult?: (result: StepResult) => void;
}

/** Beat wakes at least this often: `celery beat` reads CELERY_BEAT_MAX_INTERVAL as `--max-interval`. */
export const BEAT_MAX_INTERVAL_SECONDS = 3;
/** ponyexpress-django's default worker heartbeat interval (PONYEXPRESS_WORKER_HEARTBEAT_INTERVAL). */
const HEARTBEAT_INTERVAL_SECONDS = 5;
/** Beat's liveness command when the manifest has no beat probe (ponyexpress-django's). */
const BEAT_CHECK = ['python', '-m', 'ponyexpress_django.check', 'beat', '--max-age', '60'];
type Component = 'migrate' | 'web' | 'worker' | 'beat';

interface Ctx {
  options: CheckOptions;
  extras: Extras;
  manifests: Manifests;
  pg: PostgresServer;
  redis: RedisServer;
  pods: Record<Component, LocalPod>;
  procs: Partial<Record<'init' | 'web' | 'worker' | 'beat', ManagedProcess>>;
  beatPeriod: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tail = (p: ManagedProcess | undefined, lines = 25) => p?.output().split('\n').slice(-lines).join('\n');
/** The last non-empty line of some output (a traceback's exception), for the one-line reason. */
const lastLine = (output: string) => output.trim().split('\n').filter(Boolean).pop()?.trim() ?? '';
const grace = (pod: LocalPod) => pod.workload.pod.terminationGracePeriodSeconds ?? 30;
const kinds = ['startupProbe', 'readinessProbe', 'livenessProbe'] as const;

function probeOf(pod: LocalPod, container: string, kind: (typeof kinds)[number]): Probe | undefined {
  return containerNamed(pod.workload.pod, container)[kind];
}
function describe(p: Probe): string {
  if (p.httpGet) {
    const headers = (p.httpGet.httpHeaders ?? []).map((h) => `${h.name}: ${h.value}`).join(', ');
    return `GET ${p.httpGet.path ?? '/'} :${p.httpGet.port}${headers ? ` [${headers}]` : ''}`;
  }
  if (p.exec) return `exec ${(p.exec.command ?? []).join(' ').slice(0, 80)}`;
  return JSON.stringify(p);
}
/** A served 3xx or 4xx will not turn into a 200 by waiting: stop the startup probe there. */
const hopeless = (r: ProbeResult) =>
  typeof r.status === 'number' && r.status >= 300 && r.status < 500 && !!r.detail.startsWith('GET');

async function once(ctx: Ctx, c: 'web' | 'worker' | 'beat', kind: (typeof kinds)[number]): Promise<string> {
  const p = probeOf(ctx.pods[c], c, kind);
  if (!p) return `${kind}: none in the manifest`;
  const r = await probeOnce(p, ctx.pods[c].probeTarget(c), { redirectIsFailure: true });
  if (!r.ok) throw new CheckFailure(`${c} ${kind} (${describe(p)}) failed: ${r.detail}`, tail(ctx.procs[c]));
  return `${kind} ${describe(p)}: ${r.detail.slice(0, 60)}`;
}

async function startup(ctx: Ctx, c: 'web' | 'worker' | 'beat'): Promise<string> {
  const p = probeOf(ctx.pods[c], c, 'startupProbe');
  if (!p) return 'no startupProbe in the manifest';
  const proc = ctx.procs[c]!;
  const started = Date.now();
  const { result, attempts } = await runStartupProbe(p, ctx.pods[c].probeTarget(c), () => !proc.running, {
    redirectIsFailure: true,
    hopeless,
    maxWaitMs: ctx.options.maxStartupSeconds === undefined ? undefined : ctx.options.maxStartupSeconds * 1000,
  });
  if (!result.ok)
    throw new CheckFailure(
      `${c} startupProbe (${describe(p)}) failed after ${attempts} attempts: ${result.detail}`,
      tail(proc),
    );
  return `startupProbe ${describe(p)} passed after ${attempts} attempt(s), ${((Date.now() - started) / 1000).toFixed(0)}s`;
}

/** The heartbeat file the manifest points the worker at, localised into the pod's emptyDir, if any. */
const heartbeatFile = (ctx: Ctx) =>
  ctx.pods.worker.container('worker').env.CELERY_WORKER_HEARTBEAT_FILE as string | undefined;

/** Beat's liveness command: the manifest's exec probe, else ponyexpress-django's. */
function beatCheck(ctx: Ctx, maxAge?: number): { argv: string[]; from: string } | undefined {
  const p = probeOf(ctx.pods.beat, 'beat', 'livenessProbe');
  const argv = p ? p.exec?.command : BEAT_CHECK;
  if (!argv) return undefined;
  const out = [...argv];
  const i = out.indexOf('--max-age');
  if (maxAge !== undefined) {
    if (i < 0 || i + 1 >= out.length) return undefined;
    out[i + 1] = String(maxAge);
  }
  return { argv: out, from: p ? 'the manifest' : 'ponyexpress-django (the manifest has no beat probe)' };
}

const STEPS: Step<Ctx>[] = [
  {
    id: 'env',
    title: "every container's env resolves against the Secrets and ConfigMaps",
    async run(ctx) {
      let n = 0;
      for (const [component, pod] of Object.entries(ctx.pods)) {
        const names = component === 'migrate' ? ['migrate'] : ['wait-for-migrations', component];
        for (const name of names) {
          try {
            pod.container(name);
          } catch (err) {
            throw new CheckFailure(`${pod.workload.object.metadata.name}: ${(err as Error).message}`);
          }
          n++;
        }
      }
      return `${n} containers resolve (DB, broker, secret key from the Secrets the manifests name)`;
    },
  },
  {
    id: 'init-gate',
    title: 'wait-for-migrations blocks on an empty database',
    needs: ['env'],
    async run(ctx) {
      const init = ctx.pods.web.start('wait-for-migrations');
      ctx.procs.init = init;
      await sleep(6_000);
      if (!init.running)
        throw new CheckFailure(
          `wait-for-migrations exited (code ${init.exitCode}) before any migration ran: ${lastLine(init.output())}`,
          tail(init),
        );
      // Waiting means `migrate --check` saying "unapplied" quietly; anything printed is the gate itself failing.
      if (init.output().trim())
        throw new CheckFailure(
          `wait-for-migrations loops on an error, not on the migrations: ${lastLine(init.output())}`,
          tail(init),
        );
      return 'still waiting after 6s on the unmigrated database';
    },
  },
  {
    id: 'migrate',
    title: "the migrate Job's command migrates, and a re-run is a no-op",
    needs: ['env'],
    async run(ctx) {
      const pod = ctx.pods.migrate;
      // The Job's own deadline, as Kubernetes would enforce it (a large app's first migrate takes minutes).
      const deadlineSeconds =
        (pod.workload.object.spec as { activeDeadlineSeconds?: number } | undefined)?.activeDeadlineSeconds ?? 600;
      const deadline = deadlineSeconds * 1000;
      const first = await pod.exec('migrate', pod.container('migrate').argv, deadline);
      if (first.code !== 0)
        throw new CheckFailure(
          `migrate exited ${first.timedOut ? 'on timeout' : first.code}`,
          first.output.slice(-3000),
        );
      const applied = first.output.match(/Applying \S+\.\.\. OK/g) ?? [];
      if (ctx.extras.migrationApplied && !ctx.extras.migrationApplied.test(first.output))
        throw new CheckFailure(`extra: no ${ctx.extras.migrationApplied} in the output`, first.output.slice(-3000));
      const again = await pod.exec('migrate', pod.container('migrate').argv, 120_000);
      if (again.code !== 0 || !/No migrations to apply/.test(again.output))
        throw new CheckFailure(`the second run was not a no-op (exit ${again.code})`, again.output.slice(-3000));
      return `${applied.length} migrations applied; re-run: "No migrations to apply"`;
    },
  },
  {
    id: 'init-pass',
    title: 'wait-for-migrations passes once migrated',
    needs: ['init-gate', 'migrate'],
    async run(ctx) {
      const exit = await ctx.procs.init!.waitForExit(20_000);
      if (exit?.code !== 0)
        throw new CheckFailure(
          `the blocked init container did not exit 0 within 20s (${JSON.stringify(exit)})`,
          tail(ctx.procs.init),
        );
      for (const pod of [ctx.pods.worker, ctx.pods.beat]) {
        const r = await pod.exec('wait-for-migrations', pod.container('wait-for-migrations').argv, 60_000);
        if (r.code !== 0)
          throw new CheckFailure(`${pod.name}'s init container exited ${r.code}`, r.output.slice(-3000));
      }
      return 'the blocked one exited 0; fresh ones pass at once';
    },
  },
  {
    id: 'web-startup',
    title: "gunicorn (the manifest's command) passes its startup probe",
    needs: ['init-pass'],
    async run(ctx) {
      ctx.procs.web = ctx.pods.web.start('web');
      return startup(ctx, 'web');
    },
  },
  {
    id: 'web-readiness',
    title: 'readinessProbe passes',
    needs: ['web-startup'],
    run: (ctx) => once(ctx, 'web', 'readinessProbe'),
  },
  {
    id: 'web-liveness',
    title: 'livenessProbe passes',
    needs: ['web-startup'],
    run: (ctx) => once(ctx, 'web', 'livenessProbe'),
  },
  {
    id: 'web-host',
    title: "the probes' headers are accepted on every path (no DisallowedHost)",
    needs: ['web-startup'],
    async run(ctx) {
      const seen: string[] = [];
      for (const kind of kinds) {
        const p = probeOf(ctx.pods.web, 'web', kind);
        if (!p?.httpGet) continue;
        // Not a probe: an ordinary page (an app's first `/` may render for seconds), so not the probe's timeout.
        const r = await probeOnce(
          { ...p, timeoutSeconds: Math.max(p.timeoutSeconds ?? 1, 30), httpGet: { ...p.httpGet, path: '/' } },
          ctx.pods.web.probeTarget('web'),
        );
        const accepted = r.status !== undefined && r.status !== null && r.status !== 400 && r.status < 500;
        if (!accepted || (ctx.extras.indexAnswers200 && r.status !== 200))
          throw new CheckFailure(`GET / with ${kind}'s headers: ${r.detail}`, tail(ctx.procs.web));
        seen.push(String(r.status));
      }
      return `GET / answered ${[...new Set(seen)].join(', ') || 'n/a (no httpGet probes)'}`;
    },
  },
  {
    id: 'web-db-down',
    title: 'readiness is 503 while PostgreSQL is down, 200 again after',
    needs: ['web-readiness', 'web-liveness'],
    async run(ctx) {
      const readiness = probeOf(ctx.pods.web, 'web', 'readinessProbe');
      const liveness = probeOf(ctx.pods.web, 'web', 'livenessProbe');
      if (!readiness)
        throw new CheckFailure('web has no readinessProbe: an outage would not take pods out of the Service');
      const target = ctx.pods.web.probeTarget('web');
      let down: ProbeResult;
      await ctx.pg.stop();
      try {
        down = await probeOnce(readiness, target);
        if (down.ok) throw new CheckFailure(`readiness passed with the database down: ${down.detail}`);
        if (liveness) {
          const live = await probeOnce(liveness, target);
          if (!live.ok)
            throw new CheckFailure(
              `liveness failed with the database down (it would restart every pod): ${live.detail}`,
            );
        }
      } finally {
        await ctx.pg.start();
      }
      const back = await probeOnce(readiness, target);
      if (!back.ok) throw new CheckFailure(`readiness did not recover after the database came back: ${back.detail}`);
      return `down: ${down.detail.slice(0, 70)}`;
    },
  },
  {
    id: 'worker-probes',
    title: "the worker (the manifest's command) passes its startup and liveness probes, and stays alive",
    needs: ['init-pass'],
    async run(ctx) {
      const worker = (ctx.procs.worker = ctx.pods.worker.start('worker'));
      const file = heartbeatFile(ctx);
      try {
        const s = await startup(ctx, 'worker');
        await sleep((HEARTBEAT_INTERVAL_SECONDS + 1) * 1000);
        const l = await once(ctx, 'worker', 'livenessProbe');
        if (file && (Date.now() - statSync(file).mtimeMs) / 1000 > HEARTBEAT_INTERVAL_SECONDS + 2)
          throw new CheckFailure(
            `the heartbeat file ${file} is not re-touched every ${HEARTBEAT_INTERVAL_SECONDS}s`,
            tail(worker),
          );
        return `${s}; ${l}`;
      } catch (err) {
        if (file && !existsSync(file) && worker.running)
          throw new CheckFailure(
            `the worker runs but never wrote its heartbeat file (CELERY_WORKER_HEARTBEAT_FILE): no heartbeat step; add ponyexpress_django.celery.install(app) (docs/bring-your-own-app.md) or choose a liveness that needs none`,
            tail(worker),
          );
        throw err;
      }
    },
  },
  {
    id: 'beat-ticks',
    title: 'beat runs and ticks: its liveness passes',
    needs: ['init-pass'],
    async run(ctx) {
      const beat = (ctx.procs.beat = ctx.pods.beat.start('beat'));
      const check = beatCheck(ctx);
      // First tick: like a startup probe (the manifest's, if beat has one; else every 2 s for up to 120 s).
      const startupProbe = probeOf(ctx.pods.beat, 'beat', 'startupProbe');
      const started = Date.now();
      let first: { code: number | null; output: string } = { code: null, output: '' };
      if (startupProbe) {
        const s = await startup(ctx, 'beat');
        first = { code: 0, output: s };
      } else if (check) {
        const budget = Math.min(120, ctx.options.maxStartupSeconds ?? 120) * 1000;
        while (beat.running && Date.now() - started < budget) {
          first = await ctx.pods.beat.exec('beat', check.argv, 10_000);
          if (first.code === 0) break;
          await sleep(2_000);
        }
      }
      if (!beat.running)
        throw new CheckFailure(`beat exited (code ${beat.exitCode}): ${lastLine(beat.output())}`, tail(beat));
      if (!check) return "runs; the manifest's beat liveness is not an exec probe, not checked";
      if (first.code !== 0)
        throw new CheckFailure(
          `beat's liveness (${check.from}) never passed in ${((Date.now() - started) / 1000).toFixed(0)}s: ${first.output.trim()}`,
          tail(beat),
        );
      // Then it must keep ticking.
      const runSeconds = (ctx.extras.ticks ? 5 : 3) * ctx.beatPeriod;
      await sleep(runSeconds * 1000 + 1_500);
      const r = await ctx.pods.beat.exec('beat', check.argv, 10_000);
      if (r.code !== 0)
        throw new CheckFailure(`beat's liveness (${check.from}) exited ${r.code}: ${r.output.trim()}`, tail(beat));
      if (ctx.extras.ticks) await ctx.extras.ticks.verify(ctx.pg, runSeconds);
      return `liveness from ${check.from} passes from the first tick (${((Date.now() - started) / 1000 - runSeconds).toFixed(0)}s) and ${runSeconds}s on${ctx.extras.ticks ? '; extra: one task run per period' : ''}`;
    },
  },
  {
    id: 'beat-hung',
    title: 'beat liveness fails while beat is hung (SIGSTOP) and passes again after',
    needs: ['beat-ticks'],
    async run(ctx) {
      const maxAge = 2;
      const check = beatCheck(ctx, maxAge);
      if (!check) return 'not applicable: the beat liveness command takes no --max-age';
      const beat = ctx.procs.beat!;
      beat.signal('SIGSTOP');
      let hung;
      try {
        await sleep((ctx.beatPeriod + maxAge + 1.5) * 1000);
        hung = await ctx.pods.beat.exec('beat', check.argv, 10_000);
      } finally {
        beat.signal('SIGCONT');
      }
      if (hung.code === 0) throw new CheckFailure('beat liveness passed while beat was stopped: it detects no hang');
      // Resumed, it must tick again within a period or two (polled: a loaded machine is slow to reschedule it).
      let again = hung;
      const deadline = Date.now() + (3 * ctx.beatPeriod + 10) * 1000;
      while (Date.now() < deadline) {
        await sleep(1_000);
        again = await ctx.pods.beat.exec('beat', check.argv, 10_000);
        if (again.code === 0) break;
      }
      if (again.code !== 0)
        throw new CheckFailure(`beat did not recover after SIGCONT: ${again.output.trim()}`, tail(beat));
      return `hung: exit ${hung.code} "${hung.output.trim().slice(0, 60)}"; recovered`;
    },
  },
  {
    id: 'beat-sigterm',
    title: 'beat exits 0 on SIGTERM within its grace period',
    needs: ['beat-ticks'],
    async run(ctx) {
      const beat = ctx.procs.beat!;
      const started = Date.now();
      beat.signal('SIGTERM');
      const exit = await beat.waitForExit(grace(ctx.pods.beat) * 1000);
      if (exit?.code !== 0)
        throw new CheckFailure(
          `beat ${exit ? `exited ${JSON.stringify(exit)}` : `still ran after ${grace(ctx.pods.beat)}s`}`,
          tail(beat),
        );
      return `exited 0 in ${((Date.now() - started) / 1000).toFixed(1)}s (grace ${grace(ctx.pods.beat)}s)`;
    },
  },
  {
    id: 'worker-sigterm',
    title: 'the worker shuts down warm on SIGTERM within its grace period; liveness then fails',
    needs: ['worker-probes'],
    async run(ctx) {
      const worker = ctx.procs.worker!;
      const warm = ctx.extras.warmShutdown;
      if (warm) await warm.start(ctx.pods.worker, ctx.pg);
      const started = Date.now();
      worker.signal('SIGTERM');
      const exit = await worker.waitForExit(grace(ctx.pods.worker) * 1000);
      const seconds = (Date.now() - started) / 1000;
      if (exit?.code !== 0)
        throw new CheckFailure(
          `worker ${exit ? `exited ${JSON.stringify(exit)}` : `still ran after ${grace(ctx.pods.worker)}s`}`,
          tail(worker),
        );
      if (warm) await warm.verify(ctx.pg);
      const liveness = probeOf(ctx.pods.worker, 'worker', 'livenessProbe');
      if (liveness) {
        const after = await probeOnce(liveness, ctx.pods.worker.probeTarget('worker'));
        if (after.ok) throw new CheckFailure('the worker liveness probe still passes after the worker exited');
        const file = heartbeatFile(ctx);
        if (file) {
          // A worker that died without cleaning up leaves a stale file: the age check must catch that too.
          writeFileSync(file, '');
          const old = Date.now() / 1000 - 3600;
          utimesSync(file, old, old);
          const stale = await probeOnce(liveness, ctx.pods.worker.probeTarget('worker'));
          if (stale.ok) throw new CheckFailure('the worker liveness probe passes on an hour-old heartbeat file');
        }
      }
      return `exited 0 in ${seconds.toFixed(1)}s (grace ${grace(ctx.pods.worker)}s)${warm ? '; extra: the running task finished' : ''}`;
    },
  },
  {
    id: 'web-sigterm',
    title: 'preStop, then SIGTERM: gunicorn exits 0 within its grace period',
    needs: ['web-startup'],
    async run(ctx) {
      const web = ctx.procs.web!;
      const started = Date.now();
      const preStop = containerNamed(ctx.pods.web.workload.pod, 'web').lifecycle?.preStop?.exec?.command;
      if (preStop) {
        const hook = await ctx.pods.web.exec('web', preStop, grace(ctx.pods.web) * 1000);
        if (hook.code !== 0) throw new CheckFailure(`preStop ${preStop.join(' ')} exited ${hook.code}: ${hook.output}`);
      }
      if (!web.running) throw new CheckFailure('gunicorn died during preStop', tail(web));
      web.signal('SIGTERM');
      const exit = await web.waitForExit(grace(ctx.pods.web) * 1000 - (Date.now() - started));
      if (exit?.code !== 0)
        throw new CheckFailure(
          `gunicorn ${exit ? `exited ${JSON.stringify(exit)}` : 'outlived its grace period'}`,
          tail(web),
        );
      return `exited 0, ${((Date.now() - started) / 1000).toFixed(1)}s after preStop began`;
    },
  },
];

/** Runs the whole contract and cleans up every process and temp dir it made. */
export async function checkApp(options: CheckOptions): Promise<StepResult[]> {
  const manifests = manifestsFor(options);
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  const ctx = { options, extras: options.extras ?? {}, manifests, pg, redis, procs: {} } as Ctx;
  const pods: Partial<Record<Component, LocalPod>> = {};
  try {
    ctx.beatPeriod = ctx.extras.ticks?.periodSeconds ?? BEAT_MAX_INTERVAL_SECONDS;
    const secrets = fixtureSecrets(manifests.config, pg, redis);
    // Every port the web container declares is served on a free local one (the pod IP is loopback).
    const webPorts = containerNamed(workloadByComponent(manifests.objects, 'web').pod, 'web').ports ?? [];
    const portMap = new Map<number, number>();
    for (const p of webPorts) portMap.set(p.containerPort, await freePort());
    // Here the probes come from 127.0.0.1, which gunicorn trusts for X-Forwarded-Proto by default; in a
    // cluster the kubelet's address is not trusted, so Django sees plain HTTP. Mirror that (TEST-NET-1).
    const untrustedProbes = { FORWARDED_ALLOW_IPS: '192.0.2.1' };
    const extraEnv = {
      ...(options.extraEnv ?? { beat: { CELERY_BEAT_MAX_INTERVAL: String(BEAT_MAX_INTERVAL_SECONDS) } }),
    };
    extraEnv.web = { ...untrustedProbes, ...extraEnv.web };
    for (const component of ['migrate', 'web', 'worker', 'beat'] as const) {
      pods[component] = new LocalPod({
        objects: manifests.objects,
        secrets,
        appDir: options.appDir,
        venv: options.venv,
        extraEnv,
        name: `${manifests.config.app}-${component}-0`,
        workload: workloadByComponent(manifests.objects, component),
        portMap: component === 'web' ? portMap : undefined,
      });
    }
    ctx.pods = pods as Record<Component, LocalPod>;
    return await runSteps(STEPS, ctx, options.onResult);
  } finally {
    await Promise.all(Object.values(ctx.procs).map((p) => p?.stop(5_000)));
    await Promise.all([pg.destroy(), redis.destroy()]);
    for (const pod of Object.values(pods)) pod.destroy();
    manifests.cleanup();
  }
}
