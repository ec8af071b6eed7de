/**
 * The example image under `docker run`, exactly as dist/staging specifies each container: command, args,
 * env, securityContext (UID 10001, read-only root, all capabilities dropped), memory limit and the /tmp
 * emptyDir, against real PostgreSQL and Redis. Where test/contract runs the app as local processes, this
 * runs the built image, so a wrong WORKDIR, a missing binary or a write outside /tmp fails here.
 */
import { jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { workloadByComponent } from '../../checkapp/kube/manifests.js';
import { probeOnce, runStartupProbe } from '../../checkapp/kube/prober.js';
import type { Probe } from '../../checkapp/kube/types.js';
import { startPostgres, type PostgresServer } from '../../checkapp/services/postgres.js';
import { startRedis, type RedisServer } from '../../checkapp/services/redis.js';
import { query } from '../../checkapp/services/sql.js';
import { fixtureSecrets, stagingManifests, type Manifests } from '../contract/staging-fixture.js';
import { bridgeNetwork, docker, DockerPod, type RunningContainer } from './docker-pod.js';

jest.setTimeout(420_000);

/** The one deliberate deviation from the manifests, as in test/contract: beat ticks every 3 s. */
const TICK_SECONDS = 3;
const image = () => {
  const name = process.env.PONYSHOP_TEST_IMAGE_OVERRIDE ?? process.env.PONYEXPRESS_TEST_APP_IMAGE;
  if (!name)
    throw new Error(
      'PONYEXPRESS_TEST_APP_IMAGE is unset: run through `npm run test:container` (its globalSetup builds the image)',
    );
  return name;
};

let pg: PostgresServer;
let redis: RedisServer;
let manifests: Manifests;
const pods = {} as Record<'migrate' | 'web' | 'worker' | 'beat', DockerPod>;
const main = {} as Record<'web' | 'worker' | 'beat', RunningContainer>;

let failedStep: string | undefined;
function step(name: string, body: () => Promise<void>): void {
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
const probe = (pod: DockerPod, container: string, kind: 'startupProbe' | 'readinessProbe' | 'livenessProbe'): Probe => {
  const p = pod.spec(container)[kind];
  if (!p) throw new Error(`${container} has no ${kind}`);
  return p;
};
const logOf = (c: RunningContainer) => `container output:\n${c.output().slice(-4000)}`;

beforeAll(async () => {
  const net = bridgeNetwork();
  [pg, redis] = await Promise.all([
    startPostgres({ listen: { host: net.gateway, clientCidr: net.subnet } }),
    startRedis(net.gateway),
  ]);
  manifests = stagingManifests();
  const secrets = fixtureSecrets(manifests.config, pg, redis);
  for (const component of ['migrate', 'web', 'worker', 'beat'] as const) {
    pods[component] = new DockerPod({
      name: `ponyshop-${component}-0`,
      workload: workloadByComponent(manifests.objects, component),
      objects: manifests.objects,
      secrets,
      image: process.env.PONYSHOP_TEST_IMAGE_OVERRIDE,
      requireCommand: true,
      extraEnv: component === 'beat' ? { beat: { PONYSHOP_TICK_INTERVAL_SECONDS: String(TICK_SECONDS) } } : undefined,
    });
  }
});

afterAll(async () => {
  for (const pod of Object.values(pods)) pod.destroy();
  await Promise.all([pg?.destroy(), redis?.destroy()]);
  manifests?.cleanup();
});

step(
  'every container runs the image the manifest names, as UID 10001 on a read-only root with no capabilities',
  async () => {
    for (const pod of Object.values(pods)) {
      for (const c of [...(pod.workload.pod.initContainers ?? []), ...pod.workload.pod.containers]) {
        expect({ container: c.name, image: c.image }).toEqual({
          container: c.name,
          image: process.env.PONYEXPRESS_TEST_APP_IMAGE,
        });
      }
    }
    // What the process really gets: its ids, its capability sets, and a root it cannot write.
    const r = pods.migrate.start('migrate', [
      'sh',
      '-c',
      'id -u; id -g; grep -E "^Cap(Eff|Prm|Bnd)" /proc/self/status; touch /app/x 2>&1; pwd',
    ]).process;
    await r.waitForExit(60_000);
    const out = r.output();
    expect(out).toMatch(/^10001\n10001\n/);
    expect(out).toMatch(/CapPrm:\s+0{16}/);
    expect(out).toMatch(/CapEff:\s+0{16}/);
    expect(out).toMatch(/touch: cannot touch '\/app\/x': Read-only file system/);
    expect(out.trim().split('\n').pop()).toBe('/app');
  },
);

step(
  'wait-for-migrations blocks on the empty database, the migrate Job migrates, then the init containers pass',
  async () => {
    const blocked = pods.web.start('wait-for-migrations');
    await sleep(8_000);
    expect({ running: blocked.running, output: blocked.output() }).toMatchObject({ running: true });

    const migrate = await pods.migrate.run('migrate', 300_000);
    expect({ code: migrate.code, output: migrate.output }).toMatchObject({ code: 0 });
    expect(migrate.output).toMatch(/Applying shop\.0001_initial\.\.\. OK/);

    expect(await blocked.waitForExit(30_000)).toEqual({ code: 0, signal: null });
    for (const pod of [pods.worker, pods.beat]) {
      const init = await pod.run('wait-for-migrations', 60_000);
      expect({ code: init.code, output: init.output }).toEqual({ code: 0, output: '' });
    }
  },
);

step('web: gunicorn passes its startup, readiness and liveness probes at the container IP', async () => {
  main.web = pods.web.start('web');
  const target = await pods.web.probeTarget('web', main.web);
  const startup = await runStartupProbe(probe(pods.web, 'web', 'startupProbe'), target, () => !main.web.running);
  const readyAfterMs = Date.now() - main.web.startedAt;
  expect({ ...startup.result, log: startup.result.ok ? '' : logOf(main.web) }).toMatchObject({ ok: true, status: 200 });
  expect(await probeOnce(probe(pods.web, 'web', 'readinessProbe'), target)).toMatchObject({ ok: true, status: 200 });
  expect(await probeOnce(probe(pods.web, 'web', 'livenessProbe'), target)).toMatchObject({ ok: true, status: 200 });
  // Measured, not asserted (bench/ holds performance): docker run to the first passing startup probe.
  process.stderr.write(
    `[container] web: docker run -> startup probe passed in ${readyAfterMs} ms (probe period ${probe(pods.web, 'web', 'startupProbe').periodSeconds ?? 10} s)\n`,
  );
});

step('web: readiness is 503 while PostgreSQL is down and 200 when it is back; liveness stays 200', async () => {
  const target = await pods.web.probeTarget('web', main.web);
  await pg.stop();
  try {
    expect(await probeOnce(probe(pods.web, 'web', 'readinessProbe'), target)).toMatchObject({ ok: false, status: 503 });
    expect(await probeOnce(probe(pods.web, 'web', 'livenessProbe'), target)).toMatchObject({ ok: true, status: 200 });
  } finally {
    await pg.start();
  }
  expect(await probeOnce(probe(pods.web, 'web', 'readinessProbe'), target)).toMatchObject({ ok: true, status: 200 });
});

step(
  'worker: its exec startup and liveness probes pass inside the container, the heartbeat lives in the /tmp emptyDir',
  async () => {
    main.worker = pods.worker.start('worker');
    const target = await pods.worker.probeTarget('worker', main.worker);
    const startup = await runStartupProbe(
      probe(pods.worker, 'worker', 'startupProbe'),
      target,
      () => !main.worker.running,
    );
    expect({ ...startup.result, log: startup.result.ok ? '' : logOf(main.worker) }).toMatchObject({ ok: true });
    expect(await probeOnce(probe(pods.worker, 'worker', 'livenessProbe'), target)).toMatchObject({
      ok: true,
      status: 0,
    });
    const file = pods.worker.resolve('worker').env.CELERY_WORKER_HEARTBEAT_FILE;
    expect(file.startsWith('/tmp/')).toBe(true);
    expect(existsSync(join(pods.worker.volumeDir('tmp'), file.slice('/tmp/'.length)))).toBe(true);
  },
);

step('beat: the scheduled task runs in the worker about once per period', async () => {
  main.beat = pods.beat.start('beat');
  const periods = 5;
  await sleep(periods * TICK_SECONDS * 1000 + 4_000);
  const rows = await query(pg, "SELECT count(*) FROM shop_tick WHERE source = 'beat' AND finished_at IS NOT NULL");
  const count = Number(rows[0][0]);
  if (count < periods - 2 || count > periods + 2) {
    throw new Error(
      `expected ${periods} ± 2 finished ticks after ${periods} periods, found ${count}; beat ${logOf(main.beat)}`,
    );
  }
  const heartbeat = statSync(
    join(
      pods.worker.volumeDir('tmp'),
      pods.worker.resolve('worker').env.CELERY_WORKER_HEARTBEAT_FILE.slice('/tmp/'.length),
    ),
  );
  expect((Date.now() - heartbeat.mtimeMs) / 1000).toBeLessThan(10);
});

step('beat: its exec liveness probe passes while beat ticks and fails once it stops ticking', async () => {
  const target = await pods.beat.probeTarget('beat', main.beat);
  const liveness = probe(pods.beat, 'beat', 'livenessProbe');
  const startup = await runStartupProbe(probe(pods.beat, 'beat', 'startupProbe'), target, () => !main.beat.running);
  expect({ ...startup.result, log: startup.result.ok ? '' : logOf(main.beat) }).toMatchObject({ ok: true });
  expect(await probeOnce(liveness, target)).toMatchObject({ ok: true, status: 0 });
  // Hung, not gone: the process stays, the scheduler stops (SIGSTOP from outside reaches PID 1).
  main.beat.signal('SIGSTOP');
  const maxAge = Number(liveness.exec!.command!.at(-1));
  await sleep((maxAge + TICK_SECONDS + 3) * 1000);
  expect(await probeOnce(liveness, target)).toMatchObject({ ok: false, status: 1 });
  main.beat.signal('SIGCONT');
  let again = await probeOnce(liveness, target);
  for (let i = 0; i < 10 && !again.ok; i++) {
    await sleep(2_000);
    again = await probeOnce(liveness, target);
  }
  expect({ ...again, log: again.ok ? '' : logOf(main.beat) }).toMatchObject({ ok: true, status: 0 });
});

step('SIGTERM: beat, worker and web exit 0 within their grace periods', async () => {
  for (const component of ['beat', 'worker', 'web'] as const) {
    const c = main[component];
    const grace = pods[component].workload.pod.terminationGracePeriodSeconds ?? 30;
    c.signal('SIGTERM');
    const exit = await c.waitForExit(grace * 1000);
    expect({ component, exit, log: exit?.code === 0 ? '' : logOf(c) }).toMatchObject({ component, exit: { code: 0 } });
  }
});

describe('self-check: an image that disagrees with the manifests fails here', () => {
  // A derived image from a Dockerfile on stdin (no context); the classic builder, as scripts/images uses.
  const buildFrom = (suffix: string, lines: string) => {
    const tag = `${image()}-broken-${suffix}`;
    const r = spawnSync('docker', ['build', '-q', '-t', tag, '-'], {
      input: `FROM ${image()}\n${lines}\n`,
      encoding: 'utf8',
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    });
    if (r.status !== 0) throw new Error(`building ${tag} failed: ${r.stderr}`);
    return tag;
  };

  test('a WORKDIR other than /app: the migrate container cannot import the project', async () => {
    const tag = buildFrom('workdir', 'WORKDIR /');
    const pod = new DockerPod({
      name: 'broken-workdir',
      workload: pods.migrate.workload,
      objects: manifests.objects,
      secrets: fixtureSecrets(manifests.config, pg, redis),
      image: tag,
    });
    try {
      const r = await pod.run('migrate', 120_000);
      expect({ code: r.code, output: r.output }).toMatchObject({
        code: 1,
        output: expect.stringMatching(/No module named 'ponyshop'/),
      });
    } finally {
      pod.destroy();
      docker(['rmi', tag]);
    }
  });

  test('gunicorn missing from the image: the web container fails to start', async () => {
    const tag = buildFrom('nogunicorn', 'USER 0\nRUN rm /opt/venv/bin/gunicorn\nUSER 10001:10001');
    const pod = new DockerPod({
      name: 'broken-gunicorn',
      workload: pods.web.workload,
      objects: manifests.objects,
      secrets: fixtureSecrets(manifests.config, pg, redis),
      image: tag,
    });
    try {
      const r = await pod.run('web', 60_000);
      expect({ code: r.code, output: r.output }).toMatchObject({
        code: 127,
        output: expect.stringMatching(/gunicorn.*(not found|no such file)/i),
      });
    } finally {
      pod.destroy();
      docker(['rmi', tag]);
    }
  });
});
