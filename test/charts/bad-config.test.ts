import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, synthesizeAll } from '../../charts/synth.js';
import { configDirWith, exampleConfig, tempDir } from './support.js';

type Mutation = (c: Record<string, any>) => void;

const INGRESS_FROM =
  "the ingress controller's pods as NetworkPolicy peers, e.g. [{namespaceSelector: {kubernetes.io/metadata.name: ingress-nginx}, podSelector: {app.kubernetes.io/name: ingress-nginx}}]";

/** [case, mutation of the staging example, exact problem line after `<dir>/staging.yaml: `] */
const CASES: [string, Mutation, string][] = [
  [
    'image without tag or digest',
    (c) => {
      delete c.image.tag;
    },
    'image.tag: found nothing, expected a tag or image.digest (the image must be pinned)',
  ],
  [
    'image tag latest',
    (c) => {
      c.image.tag = 'latest';
    },
    'image.tag: found "latest", expected a pinned tag, not "latest"',
  ],
  [
    'malformed digest',
    (c) => {
      c.image.digest = 'sha256:abc';
    },
    'image.digest: found "sha256:abc", expected a digest "sha256:<64 hex digits>"',
  ],
  [
    'negative replicas',
    (c) => {
      c.web.replicas = -1;
    },
    'web.replicas: found -1, expected an integer from 0 to 1000',
  ],
  [
    'replicas as a word',
    (c) => {
      c.worker.replicas = 'two';
    },
    'worker.replicas: found "two", expected an integer from 0 to 1000',
  ],
  [
    'unknown database provider',
    (c) => {
      c.database.provider = 'mysql';
    },
    'database.provider: found "mysql", expected one of "cloudnative-pg", "crunchy", "zalando", "external-secrets", "generic"',
  ],
  [
    'CloudNativePG without a cluster',
    (c) => {
      delete c.database.cluster;
    },
    'database.cluster: found nothing (the field is required), expected a DNS label (lowercase letters, digits and "-", at most 63 characters)',
  ],
  [
    'verify-full without a CA',
    (c) => {
      c.database.sslMode = 'verify-full';
    },
    'database.caSecret: found nothing, expected a CA Secret reference, because sslMode is verify-full',
  ],
  [
    'unknown sslMode',
    (c) => {
      c.database.sslMode = 'on';
    },
    'database.sslMode: found "on", expected one of "disable", "allow", "prefer", "require", "verify-ca", "verify-full"',
  ],
  [
    'memory limit below request',
    (c) => {
      c.web.resources.limits.memory = '128Mi';
    },
    'web.resources.limits.memory: found "128Mi", expected at least requests.memory (256Mi)',
  ],
  [
    'misspelt field',
    (c) => {
      c.web.replica = 2;
    },
    'web.replica: found an unknown field (did you mean "replicas"?), expected one of replicas, server, application, workers, timeoutSeconds, gracefulTimeoutSeconds, probes, command, args, env, preStopSleepSeconds, terminationGracePeriodSeconds, resources, autoscaling, ingress',
  ],
  [
    'two beat replicas',
    (c) => {
      c.beat.replicas = 2;
    },
    'beat.replicas: found 2, expected 1 (beat is a singleton: two schedulers would send every task twice)',
  ],
  [
    'HPA min above max',
    (c) => {
      c.worker.autoscaling = { enabled: true, minReplicas: 5, maxReplicas: 2 };
    },
    'worker.autoscaling.minReplicas: found 5, expected at most maxReplicas (2)',
  ],
  [
    'grace period shorter than the drain',
    (c) => {
      c.web.terminationGracePeriodSeconds = 10;
    },
    'web.terminationGracePeriodSeconds: found 10, expected at least preStopSleepSeconds + gracefulTimeoutSeconds (30)',
  ],
  [
    'setting that the charts own',
    (c) => {
      c.settings.DATABASE_URL = 'postgres://x';
    },
    'settings.DATABASE_URL: found "postgres://x", expected a name the charts do not set: DATABASE_URL is theirs (the charts set it from `database`; for a differently named Secret key use `database.provider: generic` with `keys.DATABASE_URL`)',
  ],
  [
    'lower-case settings key',
    (c) => {
      c.settings.debug = 'true';
    },
    'settings.debug: found the key "debug", expected an UPPER_SNAKE_CASE environment variable name (A-Z, 0-9, _), because settings keys become environment variables (did you mean "DEBUG"?)',
  ],
  [
    'kebab-case env key',
    (c) => {
      c.env = { 'redis-url': 'x' };
    },
    'env.redis-url: found the key "redis-url", expected an UPPER_SNAKE_CASE environment variable name (A-Z, 0-9, _), because env keys become environment variables (did you mean "REDIS_URL"?)',
  ],
  [
    'capitalised top-level section',
    (c) => {
      c.Web = c.web;
      delete c.web;
    },
    'Web: found an unknown field (did you mean "web"?), expected one of app, namespace, domain, image, django, settings, env, celery, broker, database, web, worker, beat, migrations, promotion, follow, features',
  ],
  [
    'probe for probes',
    (c) => {
      c.web.probe = { liveness: { path: '/health/' } };
    },
    'web.probe: found an unknown field (did you mean "probes"?), expected one of replicas, server, application, workers, timeoutSeconds, gracefulTimeoutSeconds, probes, command, args, env, preStopSleepSeconds, terminationGracePeriodSeconds, resources, autoscaling, ingress',
  ],
  [
    'unknown field far from every known one',
    (c) => {
      c.web.probes = { liveness: { tcpSocket: 8000 } };
    },
    'web.probes.liveness.tcpSocket: found an unknown field, expected one of path, port, initialDelaySeconds, periodSeconds, timeoutSeconds, failureThreshold',
  ],
  [
    'probe path without a slash',
    (c) => {
      c.web.probes = { readiness: { path: 'ready' } };
    },
    'web.probes.readiness.path: found "ready", expected a URL path starting with "/" (no query, no spaces), e.g. "/healthz"',
  ],
  [
    'liveness and readiness on one path',
    (c) => {
      c.web.probes = { readiness: { path: '/healthz/' }, liveness: { path: '/healthz/' } };
    },
    'web.probes.readiness.path: found "/healthz/", expected a path other than the liveness path (/healthz/): the helper answers each with a different check',
  ],
  [
    'unknown worker liveness method',
    (c) => {
      c.worker.liveness = 'ping';
    },
    'worker.liveness: found "ping", expected one of "heartbeat", "inspect-ping", "none"',
  ],
  [
    'env entry with a half-written Secret reference',
    (c) => {
      c.env = { REDIS_URL: { secretKeyRef: { name: 'ponyshop-redis' } } };
    },
    'env.REDIS_URL.secretKeyRef.key: found nothing (the field is required), expected a Secret key (letters, digits, "-", "_" and ".")',
  ],
  [
    'env entry of an unknown shape',
    (c) => {
      c.web.env = { SENTRY_DSN: { secret: 'sentry' } };
    },
    'web.env.SENTRY_DSN: found a mapping, expected a string, {secretKeyRef: {name, key}} or {configMapKeyRef: {name, key}} (a Secret or ConfigMap in the app namespace)',
  ],
  [
    'env name the charts set',
    (c) => {
      c.worker.env = { CELERY_BROKER_URL: 'redis://other' };
    },
    'worker.env.CELERY_BROKER_URL: found "redis://other", expected a name the charts do not set: CELERY_BROKER_URL is theirs (the charts set it from `broker.url`; to read it under another name add that name to `broker.aliases`)',
  ],
  [
    'probe path set as a setting',
    (c) => {
      c.settings.PONYEXPRESS_LIVENESS_PATH = '/alive';
    },
    'settings.PONYEXPRESS_LIVENESS_PATH: found "/alive", expected a name the charts do not set: PONYEXPRESS_LIVENESS_PATH is theirs (set `web.probes.liveness.path`; the charts pass it on to the app)',
  ],
  [
    'broker alias the charts own',
    (c) => {
      c.broker.aliases = ['REDIS_URL', 'DATABASE_URL'];
    },
    'broker.aliases[1]: found "DATABASE_URL", expected a name the charts do not set: DATABASE_URL is theirs (the charts set it from `database`; for a differently named Secret key use `database.provider: generic` with `keys.DATABASE_URL`)',
  ],
  [
    'env name also in settings',
    (c) => {
      c.env = { DJANGO_DEBUG: 'true' };
    },
    'env.DJANGO_DEBUG: found "true", expected a name not also in settings (env would silently win over the ConfigMap); keep one of settings.DJANGO_DEBUG and env.DJANGO_DEBUG',
  ],
  [
    'reference to a variable defined later',
    (c) => {
      c.env = { RESULT_BACKEND: '$(CACHE_URL)/1', CACHE_URL: 'redis://cache' };
    },
    'env.RESULT_BACKEND: found "$(CACHE_URL)/1", expected $(CACHE_URL) to name a variable defined before it (settings, the charts\' own, or earlier in env), or $$(CACHE_URL) for the literal text: Kubernetes leaves an unknown $(CACHE_URL) as it is',
  ],
  [
    'Celery app path with a slash',
    (c) => {
      c.celery = { app: 'config/celery_app' };
    },
    'celery.app: found "config/celery_app", expected a Celery app path: a module, optionally with ":<attribute>", e.g. "config.celery_app"',
  ],
  [
    'empty command',
    (c) => {
      c.beat.command = [];
    },
    'beat.command: found a list of 0, expected a list of non-empty strings, e.g. ["gunicorn", "config.asgi:application"]',
  ],
  [
    'Argo CD enabled without a repository',
    (c) => {
      delete c.features.argocd.repoURL;
    },
    'features.argocd.repoURL: found nothing, expected a Git repository URL, because argocd.enabled is true',
  ],
  [
    'backoffLimit above 2',
    (c) => {
      c.migrations.backoffLimit = 5;
    },
    'migrations.backoffLimit: found 5, expected an integer from 0 to 2',
  ],
  [
    'namespace with capitals',
    (c) => {
      c.namespace = 'Ponyshop_Staging';
    },
    'namespace: found "Ponyshop_Staging", expected a DNS label (lowercase letters, digits and "-", at most 63 characters)',
  ],
  [
    'missing resources',
    (c) => {
      delete c.worker.resources;
    },
    'worker.resources: found nothing (the field is required), expected a mapping',
  ],
  [
    'CPU with a space',
    (c) => {
      c.web.resources.requests.cpu = '100 m';
    },
    'web.resources.requests.cpu: found "100 m", expected a CPU quantity such as "250m" or "1"',
  ],
  [
    'an Ingress without its controller',
    (c) => {
      delete c.web.ingress.from;
    },
    `web.ingress.from: found nothing (the field is required), expected ${INGRESS_FROM}`,
  ],
  [
    'an Ingress admitting no one',
    (c) => {
      c.web.ingress.from = [];
    },
    `web.ingress.from: found a list of 0, expected ${INGRESS_FROM}`,
  ],
  [
    'a peer that is neither',
    (c) => {
      c.web.ingress.from = [{ namespace: 'ingress-nginx' }];
    },
    'web.ingress.from[0]: found a mapping, expected {cidr} or {podSelector, namespaceSelector}',
  ],
];

/** An output folder that already holds a previous synth plus a sentinel, to prove nothing is touched. */
function populatedOutDir(): { dir: string; snapshot: () => Record<string, string> } {
  const dir = path.join(tempDir('out'), 'dist');
  mkdirSync(path.join(dir, 'staging'), { recursive: true });
  writeFileSync(path.join(dir, 'SENTINEL'), 'do not touch\n');
  writeFileSync(path.join(dir, 'staging', '50-deployment-old.yaml'), 'kind: Deployment\n');
  const snapshot = () => {
    const entries = readdirSync(path.dirname(dir), { recursive: true, encoding: 'utf8' }).sort();
    return Object.fromEntries(
      entries.map((e) => {
        const full = path.join(path.dirname(dir), e);
        return [e, existsSync(full) && !readdirSafe(full) ? readFileSync(full, 'utf8') : '<dir>'];
      }),
    );
  };
  return { dir, snapshot };
}

function readdirSafe(p: string): boolean {
  try {
    readdirSync(p);
    return true;
  } catch {
    return false;
  }
}

function expectConfigError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, synth succeeded');
}

test.each(CASES)('%s: one exact message, output untouched', (_, mutate, expected) => {
  const staging = exampleConfig('staging');
  mutate(staging);
  const configDir = configDirWith({ 'staging.yaml': staging, 'production.yaml': exampleConfig('production') });
  const out = populatedOutDir();
  const before = out.snapshot();
  const err = expectConfigError(() => synthesizeAll({ configDir, outDir: out.dir }));
  expect(err.lines).toEqual([`${path.join(configDir, 'staging.yaml')}: ${expected}`]);
  expect(out.snapshot()).toEqual(before);
});

test('every problem of every file is reported at once, and nothing is written', () => {
  const staging = exampleConfig('staging');
  staging.image.tag = 'latest';
  staging.web.replicas = -1;
  const production = exampleConfig('production');
  production.database.provider = 'mysql';
  const configDir = configDirWith({ 'staging.yaml': staging, 'production.yaml': production });
  const out = populatedOutDir();
  const before = out.snapshot();
  // Asking for staging alone still validates production: a broken sibling must not slip through.
  const err = expectConfigError(() => synthesizeAll({ configDir, outDir: out.dir, only: ['staging'] }));
  expect(err.lines).toEqual([
    `${path.join(configDir, 'production.yaml')}: database.provider: found "mysql", expected one of "cloudnative-pg", "crunchy", "zalando", "external-secrets", "generic"`,
    `${path.join(configDir, 'staging.yaml')}: image.tag: found "latest", expected a pinned tag, not "latest"`,
    `${path.join(configDir, 'staging.yaml')}: web.replicas: found -1, expected an integer from 0 to 1000`,
  ]);
  expect(err.message).toBe(`invalid environment configuration (3 problems):\n${err.lines.join('\n')}`);
  expect(out.snapshot()).toEqual(before);
});

test('malformed YAML and duplicate keys name the line', () => {
  const configDir = configDirWith({ 'staging.yaml': 'app: ponyshop\nnamespace: a\nnamespace: b\n' });
  const out = populatedOutDir();
  const before = out.snapshot();
  const err = expectConfigError(() => synthesizeAll({ configDir, outDir: out.dir }));
  expect(err.lines).toEqual([
    `${path.join(configDir, 'staging.yaml')}: line 3, column 1: found invalid YAML (Map keys must be unique), expected well-formed YAML`,
  ]);
  expect(out.snapshot()).toEqual(before);
});

test('an empty file, a duplicate namespace and a bad file name are each reported', () => {
  const production = exampleConfig('production');
  production.namespace = 'ponyshop-staging';
  const configDir = configDirWith({
    'empty.yaml': '',
    'production.yaml': production,
    'staging.yaml': exampleConfig('staging'),
    'Bad_Name.yaml': exampleConfig('staging'),
  });
  const err = expectConfigError(() => synthesizeAll({ configDir, outDir: populatedOutDir().dir }));
  const file = (f: string) => path.join(configDir, f);
  expect(err.lines).toEqual([
    `${file('Bad_Name.yaml')}: (file name): found "Bad_Name", expected a DNS label, because it names dist/<environment>`,
    `${file('empty.yaml')}: (root): found null, expected a mapping of environment settings`,
    `${file('staging.yaml')}: namespace: found "ponyshop-staging", expected a namespace no other environment uses (${file('production.yaml')} has it)`,
  ]);
});

test('a missing config folder or environment is a ConfigError too', () => {
  const missing = path.join(os.tmpdir(), 'ponyexpress-no-such-dir');
  expect(expectConfigError(() => synthesizeAll({ configDir: missing })).lines).toEqual([
    `${missing}: (file): found no such directory, expected a directory of <environment>.yaml files`,
  ]);
  const configDir = configDirWith({ 'staging.yaml': exampleConfig('staging') });
  expect(expectConfigError(() => synthesizeAll({ configDir, only: ['qa'] })).lines).toEqual([
    `${path.join(configDir, 'qa.yaml')}: (file): found no such file, expected an environment file for the requested environment`,
  ]);
});

describe('operator.yaml (the operator chart settings)', () => {
  const OPERATOR_CASES: [string, Record<string, unknown>, string][] = [
    ['a latest tag', { image: { tag: 'latest' } }, 'image.tag: found "latest", expected a pinned tag, not "latest"'],
    ['no replica', { replicas: 0 }, 'replicas: found 0, expected an integer from 1 to 10'],
    [
      'a misspelt field',
      { namespce: 'ops' },
      'namespce: found an unknown field (did you mean "namespace"?), expected one of namespace, image, watchScope, replicas, resources, apiServer, metrics, webhook',
    ],
    [
      'a memory limit the heap outgrows',
      { resources: { limits: { memory: '128Mi' } } },
      'resources.limits.memory: found "128Mi", expected at least 256Mi: the operator\'s heap may grow to 160 MiB (--max-old-space-size) and more lives beside it',
    ],
    [
      'a memory limit under the request',
      { resources: { requests: { memory: '512Mi' }, limits: { memory: '300Mi' } } },
      'resources.limits.memory: found "300Mi", expected at least requests.memory (512Mi)',
    ],
    [
      'a CPU request typo',
      { resources: { requests: { cpu: '250mc' } } },
      'resources.requests.cpu: found "250mc", expected a CPU quantity such as "250m" or "1"',
    ],
    [
      'an API server CIDR typo',
      { apiServer: { cidrs: ['10.0.0.1'] } },
      'apiServer.cidrs[0]: found "10.0.0.1", expected a CIDR such as "10.0.0.0/16"',
    ],
    [
      'a scrape source that is no peer',
      { metrics: { scrapeFrom: ['prometheus'] } },
      'metrics.scrapeFrom[0]: found "prometheus", expected {cidr} or {podSelector, namespaceSelector}',
    ],
  ];

  test.each(OPERATOR_CASES)('%s: one exact message, output untouched', (_, operator, expected) => {
    const configDir = configDirWith({
      'staging.yaml': exampleConfig('staging'),
      'production.yaml': exampleConfig('production'),
      'operator.yaml': operator,
    });
    const out = populatedOutDir();
    const before = out.snapshot();
    const err = expectConfigError(() => synthesizeAll({ configDir, outDir: out.dir }));
    expect(err.lines).toEqual([`${path.join(configDir, 'operator.yaml')}: ${expected}`]);
    expect(out.snapshot()).toEqual(before);
  });

  test('asking for dist/operator/ with no pipeline says why there is none', () => {
    const { promotion: _none, ...production } = exampleConfig('production');
    const configDir = configDirWith({ 'staging.yaml': exampleConfig('staging'), 'production.yaml': production });
    expect(
      expectConfigError(() => synthesizeAll({ configDir, outDir: populatedOutDir().dir, only: ['operator'] })).lines,
    ).toEqual([
      `${configDir}: (file): found no environment with a promotion: section, expected one, because dist/operator/ serves the pipelines`,
    ]);
  });
});
