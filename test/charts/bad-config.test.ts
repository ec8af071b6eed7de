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
    'web.replica: found an unknown field, expected one of replicas, workers, timeoutSeconds, gracefulTimeoutSeconds, preStopSleepSeconds, terminationGracePeriodSeconds, resources, autoscaling, ingress',
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
    'settings.DATABASE_URL: found "postgres://x", expected a key the charts do not set themselves',
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
      'namespce: found an unknown field, expected one of namespace, image, replicas, apiServer, metrics, webhook',
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
