import { allContainers, byKind, exampleConfig, find, render } from './support.js';

const renders = [render(exampleConfig('staging')), render(exampleConfig('production'), 'production')];
const SHARED_KINDS = [
  'Namespace',
  'ServiceAccount',
  'ConfigMap',
  'NetworkPolicy',
  'ExternalSecret',
  'Application',
  'Promotion',
];
const workloads = (r: ReturnType<typeof render>) => [...byKind(r.objects, 'Deployment'), ...byKind(r.objects, 'Job')];

test.each(renders.map((r) => [r.name, r] as const))(
  '%s: every pod and container meets Pod Security "restricted" and more',
  (_, r) => {
    for (const w of workloads(r)) {
      const pod = w.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.serviceAccountName).toBe('ponyshop');
      expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } });
      for (const c of allContainers(pod)) {
        const where = `${w.metadata.name}/${c.name}`;
        // /tmp is the only writable path, so the container's ephemeral storage is exactly the emptyDir's size.
        expect([where, c.resources.requests['ephemeral-storage'], c.resources.limits['ephemeral-storage']]).toEqual([
          where,
          '256Mi',
          '256Mi',
        ]);
        expect([where, c.securityContext]).toEqual([
          where,
          {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        ]);
        expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
        expect(c.resources.requests.cpu).toBeDefined();
        expect(c.resources.requests.memory).toBeDefined();
        expect(c.resources.limits.memory).toBeDefined();
        expect(c.imagePullPolicy).toBe('IfNotPresent');
        expect(c.image).toMatch(/^ghcr\.io\/ponyexpress\/ponyshop:\d+\.\d+\.\d+$/);
        expect(c.envFrom).toEqual([{ configMapRef: { name: 'ponyshop-config' } }]);
      }
    }
  },
);

test('staging may run a newer tag than production', () => {
  const image = (r: ReturnType<typeof render>) =>
    find(r.objects, 'Deployment', 'ponyshop-web').spec.template.spec.containers[0].image;
  expect(image(renders[0])).toBe('ghcr.io/ponyexpress/ponyshop:1.5.0');
  expect(image(renders[1])).toBe('ghcr.io/ponyexpress/ponyshop:1.4.0');
});

test('a digest pins the image and wins over the tag', () => {
  const c = exampleConfig('staging');
  c.image.digest = `sha256:${'b'.repeat(64)}`;
  const web = find(render(c).objects, 'Deployment', 'ponyshop-web');
  expect(web.spec.template.spec.containers[0].image).toBe(
    `ghcr.io/ponyexpress/ponyshop:1.5.0@sha256:${'b'.repeat(64)}`,
  );
});

test.each(renders.map((r) => [r.name, r] as const))(
  '%s: recommended labels on every object, readable names, fixed container names',
  (env, r) => {
    for (const o of r.objects) {
      const labels = o.metadata.labels!;
      expect([
        o.kind,
        labels['app.kubernetes.io/name'],
        labels['app.kubernetes.io/instance'],
        labels['app.kubernetes.io/part-of'],
        labels['app.kubernetes.io/managed-by'],
      ]).toEqual([o.kind, 'ponyshop', `ponyshop-${env}`, 'ponyshop', 'ponyexpress']);
      expect(o.metadata.name).toMatch(/^ponyshop(-[a-z]+)*(-[0-9a-f]{10})?$/);
    }
    // A component's own objects carry its component and its name; app-wide objects carry none, so selecting
    // component=web never picks up the ServiceAccount or a ConfigMap.
    const componentOf = (o: (typeof r.objects)[number]) => o.metadata.labels!['app.kubernetes.io/component'];
    const shared = r.objects
      .filter((o) => componentOf(o) === undefined)
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();
    expect(shared).toEqual(
      r.objects
        .filter((o) => SHARED_KINDS.includes(o.kind) && o.metadata.name !== 'ponyshop-web-ingress')
        .map((o) => `${o.kind}/${o.metadata.name}`)
        .sort(),
    );
    expect(shared).toEqual(
      expect.arrayContaining([
        'ServiceAccount/ponyshop',
        'ConfigMap/ponyshop-config',
        'NetworkPolicy/ponyshop-default-deny',
      ]),
    );
    for (const o of r.objects.filter((x) => componentOf(x) !== undefined)) {
      expect([o.kind, o.metadata.name, componentOf(o)]).toEqual([
        o.kind,
        expect.stringMatching(`^ponyshop-${componentOf(o)}(-|$)`),
        expect.stringMatching(/^(web|worker|beat|migrate)$/),
      ]);
    }
    expect(
      find(r.objects, 'NetworkPolicy', 'ponyshop-web-ingress').metadata.labels['app.kubernetes.io/component'],
    ).toBe('web');
    const names = Object.fromEntries(
      workloads(r).map((w) => [
        w.metadata.labels['app.kubernetes.io/component'],
        allContainers(w.spec.template.spec).map((c: any) => c.name),
      ]),
    );
    expect(names).toEqual({
      web: ['wait-for-migrations', 'web'],
      worker: ['wait-for-migrations', 'worker'],
      beat: ['wait-for-migrations', 'beat'],
      migrate: ['migrate'],
    });
    for (const w of workloads(r)) expect(w.spec.template.metadata.labels).toEqual(w.metadata.labels);
  },
);

test('the namespace enforces Pod Security "restricted" (and audits and warns)', () => {
  const ns = find(renders[1].objects, 'Namespace', 'ponyshop-production');
  for (const mode of ['enforce', 'audit', 'warn'])
    expect(ns.metadata.labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
  expect(ns.metadata.namespace).toBeUndefined();
});

test('the ConfigMap carries the non-secret settings the app contract names', () => {
  const data = find(renders[1].objects, 'ConfigMap', 'ponyshop-config').data;
  expect(data).toMatchObject({
    DJANGO_SETTINGS_MODULE: 'ponyshop.settings',
    DJANGO_ALLOWED_HOSTS: 'ponyshop.example.com,www.ponyshop.example.com',
    CELERY_WORKER_HEARTBEAT_FILE: '/tmp/celery-worker-heartbeat',
  });
  expect(Object.keys(data).filter((k) => /SECRET|PASSWORD|URL/.test(k))).toEqual([]);
  expect(byKind(renders[1].objects, 'Secret')).toEqual([]);
});

describe('network policies', () => {
  const policies = (r: ReturnType<typeof render>) =>
    Object.fromEntries(byKind(r.objects, 'NetworkPolicy').map((p) => [p.metadata.name, p.spec]));

  const INGRESS_NGINX = {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
  };

  test('deny by default, allow ingress to web from the ingress controller only, egress to DNS, the database and the broker', () => {
    const p = policies(renders[0]);
    expect(p['ponyshop-default-deny']).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(p['ponyshop-web-ingress'].podSelector.matchLabels['app.kubernetes.io/component']).toBe('web');
    expect(p['ponyshop-web-ingress'].ingress).toEqual([
      { from: [INGRESS_NGINX], ports: [{ protocol: 'TCP', port: 8000 }] },
    ]);
    expect(Object.values(p).filter((s: any) => s.ingress)).toHaveLength(1);
    expect(p['ponyshop-egress-dns'].egress[0].ports.map((x: any) => `${x.protocol}/${x.port}`)).toEqual([
      'UDP/53',
      'TCP/53',
    ]);
    expect(p['ponyshop-egress-database'].egress).toEqual([
      {
        to: [
          {
            podSelector: { matchLabels: { 'cnpg.io/cluster': 'ponyshop-db' } },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ponyshop-staging' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
    ]);
    // The example names its Redis; the schema's default (any destination on 6379) is for files that do not.
    expect(p['ponyshop-egress-broker'].egress).toEqual([
      {
        to: [
          {
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ponyshop-staging' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 6379 }],
      },
    ]);
  });

  test("without an Ingress nothing but the operator's smoke check may reach web", () => {
    const c = exampleConfig('staging');
    delete c.web.ingress;
    expect(policies(render(c))['ponyshop-web-ingress']).toBeUndefined();
  });

  test('configured peers replace the defaults, and the switch turns policies off', () => {
    const c = exampleConfig('staging');
    c.database.egress = { port: 6432, to: [{ cidr: '10.0.0.0/16' }] };
    c.broker.egress = { port: 6380, to: [{ podSelector: { app: 'redis' }, namespaceSelector: { team: 'data' } }] };
    const p = policies(render(c));
    expect(p['ponyshop-egress-database'].egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ protocol: 'TCP', port: 6432 }] },
    ]);
    expect(p['ponyshop-egress-broker'].egress[0].to).toEqual([
      { podSelector: { matchLabels: { app: 'redis' } }, namespaceSelector: { matchLabels: { team: 'data' } } },
    ]);
    c.features.networkPolicies = false;
    expect(byKind(render(c).objects, 'NetworkPolicy')).toEqual([]);
  });
});
