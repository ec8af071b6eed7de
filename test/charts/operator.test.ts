// The operator chart: least privilege, token only where needed, restricted pods, and a snapshot.
import { renderOperator } from '../../charts/synth.js';
import type { OperatorPipeline } from '../../charts/operator/props.js';
import { operatorSettingsSchema } from '../../charts/config/operator-schema.js';
import { loadK8sValidator } from './k8s-schema.js';
import { OPERATOR_COMMAND } from '../../contract/index.js';

type Obj = { kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any };

const PIPELINES: OperatorPipeline[] = [
  { app: 'ponyshop', stagingNamespace: 'ponyshop-staging', productionNamespace: 'ponyshop-production' },
  {
    app: 'billing',
    stagingNamespace: 'billing-staging',
    productionNamespace: 'billing-production',
    smokeUrl: 'http://billing-web.billing-staging.svc:8000/healthz',
  },
];
const settings = (raw: Record<string, unknown> = {}) => operatorSettingsSchema.parse(raw);
const objects = (pipelines = PIPELINES, raw?: Record<string, unknown>) =>
  renderOperator({ pipelines, settings: settings(raw) }).files.map((f) => f.object as Obj);
const ofKind = (kind: string, list = objects()) => list.filter((o) => o.kind === kind);

describe('RBAC', () => {
  const roles = ofKind('Role');

  test('is namespaced only: no ClusterRole or ClusterRoleBinding', () => {
    expect(objects().filter((o) => o.kind.startsWith('Cluster'))).toEqual([]);
  });

  test('watchScope cluster: one read-only ClusterRole for the watches, writes still per namespace, the env set', () => {
    const all = renderOperator({ pipelines: PIPELINES, settings: settings({ watchScope: 'cluster' }) }).files.map(
      (f) => f.object as Obj,
    );
    const [role] = ofKind('ClusterRole', all);
    expect(role.metadata.name).toBe('ponyexpress-operator-read-ponyexpress-system');
    for (const rule of role.rules) expect(rule.verbs).toEqual(['get', 'list', 'watch']);
    expect(role.rules.flatMap((r: { resources: string[] }) => r.resources).sort()).toEqual(
      ['deployments', 'jobs', 'namespaces', 'pods', 'promotions', 'statefulsets'].sort(),
    );
    const [binding] = ofKind('ClusterRoleBinding', all);
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role.metadata.name,
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'ponyexpress-operator', namespace: 'ponyexpress-system' },
    ]);
    // The staging Roles are covered by the ClusterRole; production keeps its write Role.
    const roles = ofKind('Role', all).map((r) => `${r.metadata.namespace}/${r.metadata.name}`);
    expect(roles).not.toContain('ponyshop-staging/ponyexpress-operator-staging');
    expect(roles).toContain('ponyshop-production/ponyexpress-operator-production');
    const env = ofKind('Deployment', all)[0].spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'PONYEXPRESS_WATCH_SCOPE', value: 'cluster' });
  });

  test('never grants Secrets, wildcards or escalation verbs', () => {
    for (const rule of roles.flatMap((r) => r.rules)) {
      expect(rule.resources).not.toContain('secrets');
      expect([...rule.resources, ...rule.verbs, ...rule.apiGroups]).not.toContain('*');
      expect(rule.verbs).not.toEqual(expect.arrayContaining(['escalate']));
      expect(rule.verbs).not.toEqual(expect.arrayContaining(['bind']));
      expect(rule.verbs).not.toEqual(expect.arrayContaining(['impersonate']));
    }
  });

  test('one Role per namespace and purpose, each bound to the operator ServiceAccount only', () => {
    expect(roles.map((r) => `${r.metadata.namespace}/${r.metadata.name}`).sort()).toEqual([
      'billing-production/ponyexpress-operator-production',
      'billing-staging/ponyexpress-operator-staging',
      'ponyexpress-system/ponyexpress-operator-leader-election',
      'ponyshop-production/ponyexpress-operator-production',
      'ponyshop-staging/ponyexpress-operator-staging',
    ]);
    for (const binding of ofKind('RoleBinding')) {
      expect(binding.roleRef).toEqual({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: binding.metadata.name,
      });
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'ponyexpress-operator', namespace: 'ponyexpress-system' },
      ]);
    }
  });

  const grants = (namespace: string) =>
    roles
      .filter((r) => r.metadata.namespace === namespace)
      .flatMap((r) => r.rules)
      .flatMap((rule: any) =>
        rule.resources.flatMap((res: string) =>
          rule.verbs.map(
            (v: string) =>
              `${rule.apiGroups[0] || 'core'}/${res}${rule.resourceNames ? `[${rule.resourceNames}]` : ''}:${v}`,
          ),
        ),
      )
      .sort();

  test('staging is read-only', () => {
    expect(grants('ponyshop-staging')).toEqual([
      'apps/deployments:get',
      'apps/deployments:list',
      'apps/deployments:watch',
      'apps/statefulsets:get',
      'apps/statefulsets:list',
      'apps/statefulsets:watch',
      'batch/jobs:get',
      'batch/jobs:list',
      'batch/jobs:watch',
      'core/pods:get',
      'core/pods:list',
      'core/pods:watch',
    ]);
  });

  test('production: patch workloads, create Jobs, read Promotions, write their status and Events', () => {
    expect(grants('ponyshop-production')).toEqual([
      'apps/deployments:get',
      'apps/deployments:list',
      'apps/deployments:patch',
      'apps/deployments:watch',
      'apps/statefulsets:get',
      'apps/statefulsets:list',
      'apps/statefulsets:patch',
      'apps/statefulsets:watch',
      'batch/jobs:create',
      'batch/jobs:get',
      'batch/jobs:list',
      'batch/jobs:watch',
      'core/events:create',
      'core/events:patch',
      'ponyexpress.dev/promotions/status:patch',
      'ponyexpress.dev/promotions/status:update',
      'ponyexpress.dev/promotions:get',
      'ponyexpress.dev/promotions:list',
      'ponyexpress.dev/promotions:watch',
    ]);
  });

  test('own namespace: its Lease (by name where RBAC allows) and Events', () => {
    expect(grants('ponyexpress-system')).toEqual([
      'coordination.k8s.io/leases:create',
      'coordination.k8s.io/leases[ponyexpress-operator]:get',
      'coordination.k8s.io/leases[ponyexpress-operator]:update',
      'core/events:create',
      'core/events:patch',
    ]);
  });

  test('pipelines sharing namespaces share Roles', () => {
    const shared = objects([
      ...PIPELINES,
      { app: 'ponyshop-admin', stagingNamespace: 'ponyshop-staging', productionNamespace: 'ponyshop-production' },
    ]);
    expect(ofKind('Role', shared)).toHaveLength(5);
  });
});

describe('Deployment', () => {
  const [deployment] = ofKind('Deployment');
  const pod = deployment.spec.template.spec;

  test('2 replicas with leader election, watching exactly the production namespaces RBAC grants', () => {
    expect(deployment.spec.replicas).toBe(2);
    const env = Object.fromEntries(
      pod.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom.fieldRef.fieldPath]),
    );
    expect(env).toMatchObject({
      POD_NAME: 'metadata.name',
      POD_NAMESPACE: 'metadata.namespace',
      PONYEXPRESS_LEADER_ELECTION: 'true',
      PONYEXPRESS_LEASE_NAME: 'ponyexpress-operator',
      PONYEXPRESS_WATCH_NAMESPACES: 'billing-production,ponyshop-production',
    });
  });

  test("runs the operator's command, with the V8 flags Node refuses in NODE_OPTIONS", () => {
    expect(pod.containers[0].command).toEqual([...OPERATOR_COMMAND]);
  });

  test('requests 50m CPU and 96Mi with a 256Mi limit and no CPU limit; environments/operator.yaml changes one field alone', () => {
    const resources = (raw?: Record<string, unknown>) =>
      ofKind('Deployment', objects(PIPELINES, raw))[0].spec.template.spec.containers[0].resources;
    expect(resources()).toMatchObject({ requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '256Mi' } });
    expect(resources().limits.cpu).toBeUndefined();
    expect(resources({ resources: { requests: { cpu: '250m' } } })).toMatchObject({
      requests: { cpu: '250m', memory: '96Mi' },
      limits: { memory: '256Mi' },
    });
    expect(resources({ resources: { limits: { memory: '512Mi', cpu: '1' } } })).toMatchObject({
      requests: { cpu: '50m', memory: '96Mi' },
      limits: { memory: '512Mi', cpu: '1' },
    });
  });

  test('only the operator pod mounts a token; the ServiceAccount itself does not', () => {
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.serviceAccountName).toBe('ponyexpress-operator');
    expect(ofKind('ServiceAccount')[0].automountServiceAccountToken).toBe(false);
  });

  test('meets Pod Security "restricted" with a read-only root filesystem', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    for (const c of pod.containers) {
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: 65532,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.resources.requests).toBeDefined();
      expect(c.resources.limits.memory).toBeDefined();
      expect([c.resources.requests['ephemeral-storage'], c.resources.limits['ephemeral-storage']]).toEqual([
        '16Mi',
        '16Mi',
      ]);
      expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }]);
      expect(c.image).toMatch(/^ghcr\.io\/ponyexpress\/operator:\d+\.\d+\.\d+$/);
    }
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(ofKind('Namespace')[0].metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'latest',
    });
  });

  test('probes hit /healthz and /readyz on the metrics port, which the Service exposes', () => {
    const c = pod.containers[0];
    expect([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path]).toEqual(['/healthz', '/readyz']);
    expect(ofKind('Service')[0].spec.ports).toEqual([{ name: 'metrics', port: 8080, targetPort: 'metrics' }]);
  });

  test('a PDB keeps one replica through drains', () => {
    expect(ofKind('PodDisruptionBudget')[0].spec).toEqual({ minAvailable: 1, selector: deployment.spec.selector });
  });

  test('refuses "latest" and accepts a digest', () => {
    expect(operatorSettingsSchema.safeParse({ image: { tag: 'latest' } }).error?.issues.map((i) => i.message)).toEqual([
      'a pinned tag, not "latest"',
    ]);
    const digest = `sha256:${'e'.repeat(64)}`;
    const [d] = renderOperator({ pipelines: PIPELINES, settings: settings({ image: { digest } }) })
      .files.map((f) => f.object as Obj)
      .filter((o) => o.kind === 'Deployment');
    expect(d.spec.template.spec.containers[0].image).toBe(`ghcr.io/ponyexpress/operator@${digest}`);
  });
});

test('NetworkPolicy: ingress only to metrics, from the configured scrape source; none by default', () => {
  const [closed] = ofKind('NetworkPolicy');
  expect(closed.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  expect(closed.spec.ingress).toBeUndefined();
  const prometheus = {
    namespaceSelector: { 'kubernetes.io/metadata.name': 'monitoring' },
    podSelector: { 'app.kubernetes.io/name': 'prometheus' },
  };
  const [open] = renderOperator({
    pipelines: PIPELINES,
    settings: settings({ metrics: { scrapeFrom: [prometheus] } }),
  }).objects.filter((o) => o.kind === 'NetworkPolicy') as Obj[];
  expect(open.spec.ingress).toEqual([
    {
      from: [
        {
          namespaceSelector: { matchLabels: prometheus.namespaceSelector },
          podSelector: { matchLabels: prometheus.podSelector },
        },
      ],
      ports: [{ protocol: 'TCP', port: 8080 }],
    },
  ]);
});

test('NetworkPolicy: egress to the API server, DNS and in-cluster smoke URLs', () => {
  const [policy] = ofKind('NetworkPolicy');
  expect(policy.spec.egress).toEqual([
    {
      ports: [
        { protocol: 'TCP', port: 443 },
        { protocol: 'TCP', port: 6443 },
      ],
    },
    expect.objectContaining({
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    }),
    {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'billing-staging' } } }],
      ports: [
        { protocol: 'TCP', port: 8000 },
        { protocol: 'TCP', port: 'http' },
      ],
    },
  ]);
  const narrowed = renderOperator({
    pipelines: PIPELINES,
    settings: settings({ apiServer: { cidrs: ['10.0.0.1/32'], ports: [6443] } }),
  })
    .files.map((f) => f.object as Obj)
    .find((o) => o.kind === 'NetworkPolicy')!;
  expect(narrowed.spec.egress[0]).toEqual({
    to: [{ ipBlock: { cidr: '10.0.0.1/32' } }],
    ports: [{ protocol: 'TCP', port: 6443 }],
  });
});

test('every object, the CRD included, validates strictly against Kubernetes 1.27', () => {
  const validator = loadK8sValidator();
  const problems = objects().flatMap((o) =>
    validator.validate(o as any).map((e) => `${o.kind}/${o.metadata.name}: ${e}`),
  );
  expect(problems).toEqual([]);
});

test('refuses to render with no pipeline (an empty watch list would mean every namespace)', () => {
  expect(() => renderOperator({ pipelines: [], settings: settings() }).files).toThrow(/at least one pipeline/);
});

test('ships the CRD, and the namespace and CRD sort first', () => {
  const files = renderOperator({ pipelines: PIPELINES, settings: settings() }).files;
  expect(files.slice(0, 2).map((f) => f.object.kind)).toEqual(['Namespace', 'CustomResourceDefinition']);
  expect(files[1].object.metadata.name).toBe('promotions.ponyexpress.dev');
});

test('snapshot', () => {
  const files = renderOperator({ pipelines: PIPELINES.slice(0, 1), settings: settings() }).files.filter(
    (f) => f.object.kind !== 'CustomResourceDefinition',
  );
  expect(Object.fromEntries(files.map((f) => [f.path, f.content]))).toMatchSnapshot();
});
