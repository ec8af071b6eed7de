// The options that fit existing apps (issue 9): probes, liveness methods, env and aliases, commands, Zalando's
// DATABASE_URL. Each asserts the fields that matter in the synthesised objects; exec probes run for real.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { APP_ENV } from '../../contract/index.js';
import { kubeletEnv } from './kubelet-env.js';
import { allContainers, byKind, exampleConfig, find, render, repoRoot, tempDir } from './support.js';

const deployment = (r: ReturnType<typeof render>, component: string) =>
  find(r.objects, 'Deployment', `ponyshop-${component}`).spec.template.spec;
const main = (r: ReturnType<typeof render>, component: string) => deployment(r, component).containers[0];
const configData = (r: ReturnType<typeof render>) => find(r.objects, 'ConfigMap', 'ponyshop-config').data;
const HELPER_SRC = path.join(repoRoot, 'ponyexpress-django', 'src');

describe('web.probes', () => {
  const c = exampleConfig();
  c.web.probes = {
    liveness: { path: '/health/live/', periodSeconds: 20, failureThreshold: 5 },
    readiness: { path: '/health/ready/', port: 8001, timeoutSeconds: 4, initialDelaySeconds: 2 },
    startup: { failureThreshold: 90 },
  };
  const r = render(c);
  const web = main(r, 'web');

  test('paths, ports and timings reach the probes; unset timings keep their defaults', () => {
    expect(web.livenessProbe).toMatchObject({
      httpGet: { path: '/health/live/', port: 'http' },
      periodSeconds: 20,
      timeoutSeconds: 3,
      failureThreshold: 5,
    });
    expect(web.readinessProbe).toMatchObject({
      httpGet: { path: '/health/ready/', port: 8001 },
      initialDelaySeconds: 2,
      periodSeconds: 10,
      timeoutSeconds: 4,
      failureThreshold: 3,
    });
    // The startup probe follows the liveness path unless it names its own.
    expect(web.startupProbe).toMatchObject({
      httpGet: { path: '/health/live/' },
      periodSeconds: 5,
      failureThreshold: 90,
    });
  });

  test('the app is told the same paths (the helper reads them), so app and probe agree', () => {
    expect(configData(r)[APP_ENV.livenessPath]).toBe(web.livenessProbe.httpGet.path);
    expect(configData(r)[APP_ENV.readinessPath]).toBe(web.readinessProbe.httpGet.path);
  });

  test('every probe says HTTPS was used, so SECURE_SSL_REDIRECT cannot turn it into a passing 301', () => {
    for (const probe of [web.startupProbe, web.livenessProbe, web.readinessProbe]) {
      expect(probe.httpGet.httpHeaders).toEqual([
        { name: 'Host', value: 'staging.ponyshop.example.com' },
        { name: 'X-Forwarded-Proto', value: 'https' },
      ]);
    }
  });
});

/** Runs an exec probe's argv with python3 and the helper's source on the path; returns [exit code, output]. */
function runProbe(argv: string[], env: Record<string, string>): [number, string] {
  const [program, ...args] = argv;
  const r = spawnSync(program === 'python' ? 'python3' : program, args, {
    env: { PATH: process.env.PATH ?? '', PYTHONPATH: HELPER_SRC, ...env },
    encoding: 'utf8',
  });
  return [r.status ?? -1, `${r.stdout}${r.stderr}`.trim()];
}

describe('beat liveness', () => {
  const r = render(exampleConfig());
  const beat = main(r, 'beat');

  test('startup and liveness exec the helper check with --max-age and the tick file from the ConfigMap', () => {
    expect(beat.livenessProbe.exec.command).toEqual([
      'python',
      '-m',
      'ponyexpress_django.check',
      'beat',
      '--max-age',
      '60',
    ]);
    expect(beat.startupProbe.exec.command).toEqual(beat.livenessProbe.exec.command);
    expect(configData(r)[APP_ENV.beatTickFile]).toBe('/tmp/celery-beat-ticks');
  });

  // The manifest's own command, run by the helper package against a real file named by the same variable.
  test('passes while beat ticks, fails once it is late for its announced tick, and when the file is gone', () => {
    const file = path.join(tempDir('beat-ticks'), 'celery-beat-ticks');
    const env = { [APP_ENV.beatTickFile]: file };
    const probe = () => runProbe(beat.livenessProbe.exec.command, env);
    expect(probe()).toEqual([1, expect.stringContaining('is missing')]);
    writeFileSync(file, '5.000\n'); // ticked just now, next tick in 5 s
    expect(probe()).toEqual([0, '']);
    const stale = Date.now() / 1000 - 120; // beat stopped ticking two minutes ago
    utimesSync(file, stale, stale);
    const [code, message] = probe();
    expect(code).toBe(1);
    // About 115 s late (two minutes since the tick, 5 s announced), more on a slow machine.
    expect(message).toMatch(/^beat is 1[1-9][0-9]s late \(max 60s\): .*hung or stopped$/);
  });

  test('tickMaxAgeSeconds sets the max age; liveness none drops both probes', () => {
    const c = exampleConfig();
    c.beat.tickMaxAgeSeconds = 300;
    expect(main(render(c), 'beat').livenessProbe.exec.command.slice(-2)).toEqual(['--max-age', '300']);
    c.beat.liveness = 'none';
    const none = main(render(c), 'beat');
    expect([none.livenessProbe, none.startupProbe]).toEqual([undefined, undefined]);
  });
});

describe('worker liveness', () => {
  test('heartbeat is the default: the inline file-age check', () => {
    const worker = main(render(exampleConfig()), 'worker');
    expect(worker.livenessProbe.exec.command[2]).toContain(`os.environ["${APP_ENV.workerHeartbeatFile}"]`);
  });

  test("inspect-ping pings only this pod's own node, every 60 s, with the Celery app path", () => {
    const c = exampleConfig();
    c.worker.liveness = 'inspect-ping';
    c.celery = { app: 'config.celery_app' };
    const worker = main(render(c), 'worker');
    expect(worker.livenessProbe).toMatchObject({ periodSeconds: 60, timeoutSeconds: 20, failureThreshold: 3 });
    const [sh, flag, script] = worker.livenessProbe.exec.command;
    expect([sh, flag]).toEqual(['sh', '-c']);
    // Exec probes are not $(VAR)-expanded; the shell expands $HOSTNAME (the pod name, celery's default node name).
    // A stand-in `celery` prints the argv the shell hands it.
    const bin = tempDir('fake-celery');
    writeFileSync(path.join(bin, 'celery'), '#!/bin/sh\nprintf "%s\\n" "$@"\n');
    chmodSync(path.join(bin, 'celery'), 0o755);
    const argv = execFileSync('sh', ['-c', script], {
      env: { PATH: `${bin}:/usr/bin:/bin`, HOSTNAME: 'ponyshop-worker-7d9f-abcde' },
      encoding: 'utf8',
    });
    expect(argv.trim().split('\n')).toEqual([
      '--app',
      'config.celery_app',
      'inspect',
      'ping',
      '--destination',
      'celery@ponyshop-worker-7d9f-abcde',
      '--timeout',
      '10',
    ]);
  });

  test('none: no startup or liveness probe', () => {
    const c = exampleConfig();
    c.worker.liveness = 'none';
    const worker = main(render(c), 'worker');
    expect([worker.livenessProbe, worker.startupProbe]).toEqual([undefined, undefined]);
  });
});

describe('env and aliases', () => {
  const c = exampleConfig();
  c.broker.aliases = ['REDIS_URL', 'CELERY_RESULT_BACKEND'];
  c.env = {
    SENTRY_DSN: { secretKeyRef: { name: 'sentry', key: 'dsn' } },
    FEATURE_FLAGS: { configMapKeyRef: { name: 'flags', key: 'all', optional: true } },
    CACHE_URL: '$(CELERY_BROKER_URL)/1',
    LOG_LEVEL: 'INFO',
  };
  c.web.env = { LOG_LEVEL: 'WARNING', WEB_CONCURRENCY: '3' };
  c.migrations.env = { MIGRATION_LOCK_TIMEOUT: '30s' };
  const r = render(c);
  const secrets = { 'ponyshop-redis': { url: 'redis://redis:6379/0' }, sentry: { dsn: 'https://key@sentry/1' } };

  test('aliases are the broker Secret key under more names (a real secretKeyRef, not a literal)', () => {
    const env = main(r, 'worker').env;
    const broker = env.find((e: any) => e.name === APP_ENV.brokerUrl).valueFrom;
    for (const alias of ['REDIS_URL', 'CELERY_RESULT_BACKEND'])
      expect(env.find((e: any) => e.name === alias).valueFrom).toEqual(broker);
  });

  test('literal, secretKeyRef and configMapKeyRef entries reach every app container; the component wins', () => {
    for (const component of ['web', 'worker', 'beat']) {
      for (const container of allContainers(deployment(r, component))) {
        const env = kubeletEnv(container, { 'ponyshop-config': configData(r) }, secrets);
        expect([container.name, env.get('SENTRY_DSN')]).toEqual([container.name, 'https://key@sentry/1']);
        expect(env.get('LOG_LEVEL')).toBe(component === 'web' ? 'WARNING' : 'INFO');
        expect(env.has('WEB_CONCURRENCY')).toBe(component === 'web');
        expect(env.has('MIGRATION_LOCK_TIMEOUT')).toBe(false);
        expect(container.env.find((e: any) => e.name === 'FEATURE_FLAGS').valueFrom).toEqual({
          configMapKeyRef: { name: 'flags', key: 'all', optional: true },
        });
        // One entry per name: a list with a name twice breaks server-side apply.
        const names = container.env.map((e: any) => e.name);
        expect(new Set(names).size).toBe(names.length);
      }
    }
    const job = byKind(r.objects, 'Job')[0].spec.template.spec.containers[0];
    expect(kubeletEnv(job, {}, secrets).get('MIGRATION_LOCK_TIMEOUT')).toBe('30s');
  });

  test('$(CELERY_BROKER_URL) in a literal really expands: the broker URL is defined earlier in the same list', () => {
    const worker = main(r, 'worker');
    const names = worker.env.map((e: any) => e.name);
    expect(names.indexOf(APP_ENV.brokerUrl)).toBeLessThan(names.indexOf('CACHE_URL'));
    expect(kubeletEnv(worker, {}, secrets).get('CACHE_URL')).toBe('redis://redis:6379/0/1');
  });
});

describe('commands', () => {
  test('celery.app drives worker and beat; the default is django.module', () => {
    expect(main(render(exampleConfig()), 'worker').command.slice(0, 3)).toEqual(['celery', '--app', 'ponyshop']);
    const c = exampleConfig();
    c.celery = { app: 'config.celery_app' };
    const r = render(c);
    for (const component of ['worker', 'beat'])
      expect(main(r, component).command.slice(0, 4)).toEqual(['celery', '--app', 'config.celery_app', component]);
  });

  test('ASGI: gunicorn with uvicorn workers, or uvicorn; args append flags; command replaces', () => {
    const c = exampleConfig();
    c.web.server = 'gunicorn-uvicorn';
    c.web.args = ['--max-requests', '1000'];
    let web = main(render(c), 'web');
    expect(web.command.slice(0, 2)).toEqual(['gunicorn', 'ponyshop.asgi:application']);
    expect(web.command.join(' ')).toContain('--worker-class uvicorn.workers.UvicornWorker');
    expect(web.args).toEqual(['--max-requests', '1000']);

    c.web.server = 'uvicorn';
    c.web.application = 'config.asgi:application';
    web = main(render(c), 'web');
    expect(web.command).toEqual([
      'uvicorn',
      'config.asgi:application',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
      '--workers',
      '2',
      '--timeout-graceful-shutdown',
      '25',
    ]);

    c.beat.command = [
      'celery',
      '--app',
      'config.celery_app',
      'beat',
      '--scheduler',
      'django_celery_beat.schedulers:DatabaseScheduler',
    ];
    expect(main(render(c), 'beat').command).toEqual(c.beat.command);
  });
});

describe('Zalando DATABASE_URL', () => {
  const c = exampleConfig();
  c.database = { provider: 'zalando', cluster: 'acid-shop', user: 'shop', database: 'shop', sslMode: 'require' };
  const r = render(c);
  const secrets = {
    'shop.acid-shop.credentials.postgresql.acid.zalan.do': { username: 'shop', password: 'Xy7pQ2' },
    'ponyshop-redis': { url: 'redis://r' },
  };

  test('is built from the parts by $(VAR) expansion, each part defined before it, in every container', () => {
    const containers = [
      ...['web', 'worker', 'beat'].flatMap((component) => allContainers(deployment(r, component))),
      byKind(r.objects, 'Job')[0].spec.template.spec.containers[0],
    ];
    for (const container of containers) {
      const env = kubeletEnv(container, { 'ponyshop-config': configData(r) }, secrets);
      expect([container.name, env.get(APP_ENV.databaseUrl)]).toEqual([
        container.name,
        'postgresql://shop:Xy7pQ2@acid-shop:5432/shop?sslmode=require',
      ]);
    }
  });

  test('expansion does not percent-encode: a password with "/" or "%" gives a wrong URL (documented)', () => {
    const parsed = (password: string) => {
      const credentials = { username: 'shop', password };
      const env = kubeletEnv(
        main(r, 'web'),
        { 'ponyshop-config': configData(r) },
        {
          ...secrets,
          'shop.acid-shop.credentials.postgresql.acid.zalan.do': credentials,
        },
      );
      try {
        const url = new URL(env.get(APP_ENV.databaseUrl)!);
        return { host: url.hostname, password: decodeURIComponent(url.password) };
      } catch {
        return 'unparseable';
      }
    };
    expect(parsed('Xy7pQ2')).toEqual({ host: 'acid-shop', password: 'Xy7pQ2' });
    expect(parsed('a/b')).not.toEqual({ host: 'acid-shop', password: 'a/b' });
    expect(parsed('p%40ss')).not.toEqual({ host: 'acid-shop', password: 'p%40ss' });
  });
});

describe('the helper package reads the names contract/ gives', () => {
  // Parsed, not imported: conf.py imports Django, which the test machine's python3 need not have.
  const pythonNames = JSON.parse(
    execFileSync(
      'python3',
      [
        '-c',
        [
          'import ast, json, sys',
          'sys.path.insert(0, sys.argv[1])',
          'from ponyexpress_django import files',
          'tree = ast.parse(open(sys.argv[1] + "/ponyexpress_django/conf.py").read())',
          'conf = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "DEFAULTS")',
          'print(json.dumps({"worker": files.WORKER_FILE_ENV, "beat": files.BEAT_FILE_ENV, "conf": [k.value for k in conf.value.keys]}))',
        ].join('\n'),
        HELPER_SRC,
      ],
      { encoding: 'utf8' },
    ),
  );

  test('heartbeat and tick files, probe paths', () => {
    expect(pythonNames.worker).toBe(APP_ENV.workerHeartbeatFile);
    expect(pythonNames.beat).toBe(APP_ENV.beatTickFile);
    expect(pythonNames.conf).toEqual(expect.arrayContaining([APP_ENV.livenessPath, APP_ENV.readinessPath]));
  });
});
