import { expandCommand, resolveEnv, type EnvSources } from '../../checkapp/kube/container-env.js';
import type { Container } from '../../checkapp/kube/types.js';

const sources: EnvSources = {
  configMaps: new Map([['app-config', { DJANGO_SETTINGS_MODULE: 'ponyshop.settings', FEATURE: 'on', 'bad-key': 'x' }]]),
  secrets: { 'db-app': { host: 'db', port: '5432', password: 'pw' } },
  pod: {
    name: 'web-abc',
    namespace: 'staging',
    uid: 'u-1',
    podIP: '10.0.0.7',
    hostIP: '192.168.1.2',
    nodeName: 'node-1',
    serviceAccountName: 'web',
    labels: { 'app.kubernetes.io/name': 'ponyshop' },
    annotations: {},
  },
};

const container = (c: Partial<Container>): Container => ({ name: 'web', ...c });

test('envFrom first, then env in order; later names win', () => {
  const env = resolveEnv(
    container({
      envFrom: [{ configMapRef: { name: 'app-config' } }, { prefix: 'DB_', secretRef: { name: 'db-app' } }],
      env: [
        { name: 'FEATURE', value: 'off' },
        { name: 'PGHOST', valueFrom: { secretKeyRef: { name: 'db-app', key: 'host' } } },
      ],
    }),
    sources,
  );
  expect(Object.fromEntries(env)).toEqual({
    DJANGO_SETTINGS_MODULE: 'ponyshop.settings',
    FEATURE: 'off',
    'bad-key': 'x',
    DB_host: 'db',
    DB_port: '5432',
    DB_password: 'pw',
    PGHOST: 'db',
  });
});

test('literal values expand against earlier variables only; valueFrom is never expanded', () => {
  const env = resolveEnv(
    container({
      env: [
        { name: 'BEFORE', value: '$(PGPORT)' },
        { name: 'PGPORT', valueFrom: { secretKeyRef: { name: 'db-app', key: 'port' } } },
        { name: 'URL', value: 'postgres://$(PGHOST):$(PGPORT)/$$(literal)' },
        { name: 'PGHOST', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'FEATURE' } } },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app.kubernetes.io/name']" } } },
        { name: 'EMPTY' },
      ],
    }),
    sources,
  );
  expect(env.get('BEFORE')).toBe('$(PGPORT)');
  expect(env.get('URL')).toBe('postgres://$(PGHOST):5432/$(literal)');
  expect(env.get('POD')).toBe('web-abc');
  expect(env.get('APP')).toBe('ponyshop');
  expect(env.get('EMPTY')).toBe('');
});

test('a missing Secret key fails loudly and names what exists', () => {
  expect(() =>
    resolveEnv(
      container({ env: [{ name: 'PGUSER', valueFrom: { secretKeyRef: { name: 'db-app', key: 'username' } } }] }),
      sources,
    ),
  ).toThrow('container web: PGUSER references key "username" of Secret "db-app", which has only: host, port, password');
});

test('a missing Secret or ConfigMap fails unless optional', () => {
  expect(() =>
    resolveEnv(container({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }), sources),
  ).toThrow('Secret "nope", which does not exist');
  expect(() => resolveEnv(container({ envFrom: [{ configMapRef: { name: 'nope' } }] }), sources)).toThrow(
    'ConfigMap "nope" does not exist',
  );
  const env = resolveEnv(
    container({
      envFrom: [{ configMapRef: { name: 'nope', optional: true } }],
      env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'db-app', key: 'missing', optional: true } } }],
    }),
    sources,
  );
  expect(env.has('X')).toBe(false);
});

test('command and args expand against the final environment', () => {
  const c = container({
    command: ['sh', '-c', 'echo $(GREETING) $$(GREETING) $HOME'],
    args: ['$(LATER)', '$(UNSET)'],
    env: [
      { name: 'GREETING', value: 'hi' },
      { name: 'LATER', value: 'late' },
    ],
  });
  expect(expandCommand(c, resolveEnv(c, sources))).toEqual({
    command: ['sh', '-c', 'echo hi $(GREETING) $HOME'],
    args: ['late', '$(UNSET)'],
  });
});
