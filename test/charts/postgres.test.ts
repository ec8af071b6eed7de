import { allContainers, byKind, exampleConfig, find, render } from './support.js';

const withDatabase = (database: Record<string, unknown>) => render({ ...exampleConfig('staging'), database });
const webPod = (r: ReturnType<typeof render>) => find(r.objects, 'Deployment', 'ponyshop-web').spec.template.spec;
const envOf = (r: ReturnType<typeof render>) => webPod(r).containers[0].env as any[];
/** `{ PGHOST: 'secret/key', … }` for the secret-backed variables. */
const secretRefs = (r: ReturnType<typeof render>) =>
  Object.fromEntries(
    envOf(r)
      .filter((e) => e.valueFrom?.secretKeyRef && /^(PG|DATABASE_URL)/.test(e.name))
      .map((e) => [e.name, `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`]),
  );

test('CloudNativePG: <cluster>-app with username, dbname and uri', () => {
  expect(secretRefs(withDatabase({ provider: 'cloudnative-pg', cluster: 'ponyshop-db' }))).toEqual({
    PGHOST: 'ponyshop-db-app/host',
    PGPORT: 'ponyshop-db-app/port',
    PGUSER: 'ponyshop-db-app/username',
    PGPASSWORD: 'ponyshop-db-app/password',
    PGDATABASE: 'ponyshop-db-app/dbname',
    DATABASE_URL: 'ponyshop-db-app/uri',
  });
});

test('Crunchy PGO v5: <cluster>-pguser-<user>, through PgBouncer when asked', () => {
  const s = 'hippo-pguser-ponyshop';
  expect(secretRefs(withDatabase({ provider: 'crunchy', cluster: 'hippo', user: 'ponyshop' }))).toEqual({
    PGHOST: `${s}/host`,
    PGPORT: `${s}/port`,
    PGUSER: `${s}/user`,
    PGPASSWORD: `${s}/password`,
    PGDATABASE: `${s}/dbname`,
    DATABASE_URL: `${s}/uri`,
  });
  expect(
    secretRefs(withDatabase({ provider: 'crunchy', cluster: 'hippo', user: 'ponyshop', pgBouncer: true })),
  ).toMatchObject({
    PGHOST: `${s}/pgbouncer-host`,
    PGPORT: `${s}/pgbouncer-port`,
    DATABASE_URL: `${s}/pgbouncer-uri`,
  });
});

test('Zalando: credentials from its Secret, host/port/database (not secret) from the ConfigMap, no DATABASE_URL', () => {
  const r = withDatabase({ provider: 'zalando', cluster: 'acid-ponyshop', user: 'ponyshop', database: 'shop' });
  const s = 'ponyshop.acid-ponyshop.credentials.postgresql.acid.zalan.do';
  expect(secretRefs(r)).toEqual({ PGUSER: `${s}/username`, PGPASSWORD: `${s}/password` });
  expect(find(r.objects, 'ConfigMap', 'ponyshop-config').data).toMatchObject({
    PGHOST: 'acid-ponyshop',
    PGPORT: '5432',
    PGDATABASE: 'shop',
  });
});

test('External Secrets: an ExternalSecret templating the CloudNativePG key set, consumed by secretKeyRef', () => {
  const r = withDatabase({
    provider: 'external-secrets',
    secretStoreRef: { name: 'aws' },
    remoteKey: 'prod/rds/ponyshop',
  });
  const es = find(r.objects, 'ExternalSecret', 'ponyshop-db-credentials');
  expect(es.apiVersion).toBe('external-secrets.io/v1');
  expect(es.metadata.labels['app.kubernetes.io/component']).toBeUndefined(); // shared by every component
  expect(es.spec.secretStoreRef).toEqual({ name: 'aws', kind: 'SecretStore' });
  expect(es.spec.dataFrom).toEqual([{ extract: { key: 'prod/rds/ponyshop' } }]);
  expect(Object.keys(es.spec.target.template.data).sort()).toEqual([
    'dbname',
    'host',
    'password',
    'port',
    'uri',
    'username',
  ]);
  expect(es.spec.target.template.data.uri).toContain('urlquery');
  expect(secretRefs(r).PGPASSWORD).toBe('ponyshop-db-credentials/password');
  expect(r.files.find((f) => f.object.kind === 'ExternalSecret')!.path).toBe(
    '05-externalsecret-ponyshop-db-credentials.yaml',
  );
});

test('generic: any Secret with a key map; DATABASE_URL only when mapped', () => {
  const keys = { PGHOST: 'endpoint', PGUSER: 'login', PGPASSWORD: 'secret', PGDATABASE: 'db' };
  expect(secretRefs(withDatabase({ provider: 'generic', secretName: 'legacy-pg', keys }))).toEqual({
    PGHOST: 'legacy-pg/endpoint',
    PGUSER: 'legacy-pg/login',
    PGPASSWORD: 'legacy-pg/secret',
    PGDATABASE: 'legacy-pg/db',
  });
});

test('no PG* variable is ever a literal, in any container of any provider', () => {
  for (const database of [
    { provider: 'cloudnative-pg', cluster: 'db' },
    { provider: 'crunchy', cluster: 'db', user: 'u' },
    { provider: 'zalando', cluster: 'db', user: 'u', database: 'd' },
    { provider: 'external-secrets', secretStoreRef: { name: 's' }, remoteKey: 'k' },
    {
      provider: 'generic',
      secretName: 's',
      keys: { PGHOST: 'h', PGUSER: 'u', PGPASSWORD: 'p', PGDATABASE: 'd', DATABASE_URL: 'url' },
    },
  ]) {
    const r = withDatabase(database);
    for (const obj of [...byKind(r.objects, 'Deployment'), ...byKind(r.objects, 'Job')]) {
      for (const c of allContainers(obj.spec.template.spec)) {
        // Zalando's DATABASE_URL is a literal of $(VAR) references only: the kubelet fills in the Secret's values.
        const literal = c.env.filter(
          (e: any) =>
            /^(PGHOST|PGPORT|PGUSER|PGPASSWORD|PGDATABASE|DATABASE_URL)$/.test(e.name) &&
            e.value !== undefined &&
            e.value.replace(/\$\((PG[A-Z]+)\)/g, '') !== 'postgresql://:@:/',
        );
        expect([database.provider, c.name, literal]).toEqual([database.provider, c.name, []]);
      }
    }
  }
});

test('sslMode is a literal PGSSLMODE and a CA Secret is mounted as PGSSLROOTCERT', () => {
  const r = withDatabase({
    provider: 'cloudnative-pg',
    cluster: 'db',
    sslMode: 'verify-full',
    caSecret: { name: 'db-ca', key: 'ca.crt' },
  });
  const env = envOf(r);
  expect(env.find((e) => e.name === 'PGSSLMODE')).toEqual({ name: 'PGSSLMODE', value: 'verify-full' });
  expect(env.find((e) => e.name === 'PGSSLROOTCERT')).toEqual({
    name: 'PGSSLROOTCERT',
    value: '/etc/postgres-ca/ca.crt',
  });
  const pod = webPod(r);
  expect(pod.volumes).toContainEqual({
    name: 'postgres-ca',
    secret: { secretName: 'db-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
  });
  expect(pod.containers[0].volumeMounts).toContainEqual({
    name: 'postgres-ca',
    mountPath: '/etc/postgres-ca',
    readOnly: true,
  });
});

test('servicebinding.io projection at /bindings/<name> with type postgresql and well-known entry names', () => {
  const r = withDatabase({
    provider: 'zalando',
    cluster: 'acid',
    user: 'u',
    database: 'shop',
    serviceBinding: { name: 'db' },
  });
  const pod = webPod(r);
  const volume = pod.volumes.find((v: any) => v.name === 'binding-db');
  const [secret, configMap] = volume.projected.sources;
  expect(secret.secret.items).toEqual([
    { key: 'username', path: 'username' },
    { key: 'password', path: 'password' },
  ]);
  expect(configMap.configMap.name).toBe('ponyshop-binding-db');
  expect(find(r.objects, 'ConfigMap', 'ponyshop-binding-db').data).toEqual({
    database: 'shop',
    host: 'acid',
    port: '5432',
    provider: 'zalando',
    type: 'postgresql',
  });
  expect(pod.containers[0].volumeMounts).toContainEqual({
    name: 'binding-db',
    mountPath: '/bindings/db',
    readOnly: true,
  });
  expect(pod.containers[0].env).toContainEqual({ name: 'SERVICE_BINDING_ROOT', value: '/bindings' });
});
