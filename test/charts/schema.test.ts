import { environmentsDir, exampleConfig, render } from './support.js';
import { synthesizeEnvironment } from '../../charts/synth.js';
import { loadK8sValidator } from './k8s-schema.js';

const validator = loadK8sValidator();
/**
 * Kinds from CRDs outside Kubernetes 1.27; everything else must validate. Our own Promotion is validated by
 * the real apiserver against its CRD (test/cluster/charts.test.ts applies it with strict field validation).
 */
const CRD_KINDS = [
  'argoproj.io/v1alpha1/Application',
  'external-secrets.io/v1/ExternalSecret',
  'ponyexpress.dev/v1alpha1/Promotion',
];

function coreObjects<T extends { apiVersion: string; kind: string }>(objects: T[]): T[] {
  return objects.filter((o) => !CRD_KINDS.includes(`${o.apiVersion}/${o.kind}`));
}

describe.each(['staging', 'production'])('the %s example against Kubernetes 1.27', (env) => {
  const objects = synthesizeEnvironment(env, { configDir: environmentsDir }).objects;
  test.each(coreObjects(objects).map((o) => [`${o.kind}/${o.metadata.name}`, o] as const))('%s is valid', (_, obj) => {
    expect(validator.validate(obj)).toEqual([]);
  });
});

test('every provider and optional feature validates too', () => {
  const variants: Record<string, any>[] = [
    { provider: 'crunchy', cluster: 'hippo', user: 'ponyshop', pgBouncer: true },
    {
      provider: 'zalando',
      cluster: 'acid-ponyshop',
      user: 'ponyshop',
      database: 'ponyshop',
      serviceBinding: { name: 'db' },
    },
    {
      provider: 'external-secrets',
      secretStoreRef: { name: 'aws', kind: 'ClusterSecretStore' },
      remoteKey: 'rds/ponyshop',
      sslMode: 'verify-full',
      caSecret: { name: 'rds-ca', key: 'ca.pem' },
      egress: { port: 5432, to: [{ cidr: '10.20.0.0/16' }] },
    },
    { provider: 'generic', secretName: 'pg', keys: { PGHOST: 'h', PGUSER: 'u', PGPASSWORD: 'p', PGDATABASE: 'd' } },
  ];
  for (const database of variants) {
    const objects = render({ ...exampleConfig('production'), database }).objects;
    for (const obj of coreObjects(objects))
      expect([`${obj.kind}/${obj.metadata.name}`, validator.validate(obj)]).toEqual([
        `${obj.kind}/${obj.metadata.name}`,
        [],
      ]);
  }
});

test('the options for existing apps validate too (probes, liveness methods, env refs, aliases, commands)', () => {
  const c = exampleConfig('production');
  c.celery = { app: 'config.celery_app' };
  c.env = {
    SENTRY_DSN: { secretKeyRef: { name: 'sentry', key: 'dsn', optional: true } },
    FLAGS: { configMapKeyRef: { name: 'flags', key: 'all' } },
    CACHE_URL: '$(CELERY_BROKER_URL)/1',
  };
  c.broker.aliases = ['REDIS_URL'];
  c.web = {
    ...c.web,
    server: 'uvicorn',
    args: ['--proxy-headers'],
    env: { A: 'b' },
    probes: { readiness: { path: '/ht/', port: 8000, initialDelaySeconds: 3 } },
  };
  c.worker = { ...c.worker, liveness: 'inspect-ping', args: ['--queues', 'default'] };
  c.beat = { ...c.beat, liveness: 'tick', command: ['celery', '--app', 'config.celery_app', 'beat'] };
  c.migrations = { ...c.migrations, env: { B: 'c' } };
  for (const obj of coreObjects(render(c).objects))
    expect([`${obj.kind}/${obj.metadata.name}`, validator.validate(obj)]).toEqual([
      `${obj.kind}/${obj.metadata.name}`,
      [],
    ]);
});

test('the validator rejects unknown fields and wrong types (it can fail)', () => {
  const deployment = synthesizeEnvironment('staging', { configDir: environmentsDir }).objects.find(
    (o) => o.metadata.name === 'ponyshop-web' && o.kind === 'Deployment',
  )!;
  const typo = structuredClone(deployment) as any;
  typo.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
  expect(validator.validate(typo).join('\n')).toContain('must NOT have additional properties');
  const wrongType = structuredClone(deployment) as any;
  wrongType.spec.replicas = 'two';
  expect(validator.validate(wrongType).join('\n')).toContain('/spec/replicas must be integer');
  const intOrString = structuredClone(deployment) as any;
  intOrString.spec.strategy.rollingUpdate.maxSurge = 2;
  expect(validator.validate(intOrString)).toEqual([]);
});
