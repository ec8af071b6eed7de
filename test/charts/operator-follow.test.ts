// The operator chart when a staging environment follows its registry and the webhook is on: the follow Role
// (get on exactly the named credentials Secret), the ImageFollow CRD, the webhook Service, port, Secret mount
// and NetworkPolicy rule; and none of it when off.
import { renderOperator } from '../../charts/synth.js';
import type { OperatorPipeline } from '../../charts/operator/props.js';
import { operatorSettingsSchema } from '../../charts/config/operator-schema.js';
import { exampleConfig, render as renderEnv } from './support.js';

type Obj = { kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any };

const FOLLOWING: OperatorPipeline = {
  app: 'ponyshop',
  stagingNamespace: 'ponyshop-staging',
  productionNamespace: 'ponyshop-production',
  follow: { secretName: 'regcred' },
};
const render = (pipelines: OperatorPipeline[], raw: Record<string, unknown> = {}) =>
  renderOperator({ pipelines, settings: operatorSettingsSchema.parse(raw) }).files.map((f) => f.object as Obj);

describe('follow RBAC', () => {
  const objects = render([FOLLOWING]);
  const secretRules = objects
    .filter((o) => o.kind === 'Role')
    .flatMap((r) => r.rules.map((rule: any) => ({ role: `${r.metadata.namespace}/${r.metadata.name}`, ...rule })))
    .filter((rule) => rule.resources.includes('secrets'));

  it('grants get on the one named Secret, in the staging namespace, and nothing else on Secrets', () => {
    expect(secretRules).toEqual([
      {
        role: 'ponyshop-staging/ponyexpress-operator-follow',
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['regcred'],
        verbs: ['get'],
      },
    ]);
  });

  it('lets the follower write staging images, Jobs and ImageFollow status there, and ships the CRD', () => {
    const role = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'ponyexpress-operator-follow')!;
    expect(role.rules).toEqual(
      expect.arrayContaining([
        { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['patch'] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create'] },
        { apiGroups: ['ponyexpress.dev'], resources: ['imagefollows/status'], verbs: ['update', 'patch'] },
      ]),
    );
    expect(
      objects
        .filter((o) => o.kind === 'CustomResourceDefinition')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['imagefollows.ponyexpress.dev', 'promotions.ponyexpress.dev']);
    const env = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'PONYEXPRESS_FOLLOW_NAMESPACES', value: 'ponyshop-staging' });
  });

  it('without follow: no follow Role, no ImageFollow CRD, no Secret rule', () => {
    const plain = render([{ ...FOLLOWING, follow: undefined }]);
    expect(plain.filter((o) => o.metadata.name === 'ponyexpress-operator-follow')).toEqual([]);
    expect(plain.filter((o) => o.metadata.name === 'imagefollows.ponyexpress.dev')).toEqual([]);
  });
});

describe('webhook', () => {
  const from = [{ namespaceSelector: { 'kubernetes.io/metadata.name': 'registry' }, podSelector: { app: 'registry' } }];
  const on = render([FOLLOWING], { webhook: { enabled: true, secretName: 'px-webhook', from } });

  it('adds its Service, container port, the Secret key mounted read-only, and env', () => {
    expect(
      on.find((o) => o.kind === 'Service' && o.metadata.name === 'ponyexpress-operator-webhook')?.spec.ports,
    ).toEqual([{ name: 'webhook', port: 8081, targetPort: 'webhook' }]);
    const pod = on.find((o) => o.kind === 'Deployment')!.spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'webhook-secret',
      secret: { secretName: 'px-webhook', items: [{ key: 'secret', path: 'secret' }] },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: 'webhook-secret',
      mountPath: '/etc/ponyexpress/webhook',
      readOnly: true,
    });
    expect(pod.containers[0].env).toEqual(
      expect.arrayContaining([
        { name: 'PONYEXPRESS_WEBHOOK_PORT', value: '8081' },
        { name: 'PONYEXPRESS_WEBHOOK_SECRET_FILE', value: '/etc/ponyexpress/webhook/secret' },
      ]),
    );
  });

  it('opens only the webhook port, only to `from`, in the NetworkPolicy', () => {
    const policy = on.find((o) => o.kind === 'NetworkPolicy')!;
    expect(policy.spec.ingress).toEqual([
      {
        from: [
          expect.objectContaining({
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'registry' } },
          }),
        ],
        ports: [{ protocol: 'TCP', port: 8081 }],
      },
    ]);
  });

  it('is off by default, and enabled without a Secret is refused with the field named', () => {
    const off = render([FOLLOWING]);
    expect(off.filter((o) => o.metadata.name === 'ponyexpress-operator-webhook')).toEqual([]);
    const parsed = operatorSettingsSchema.safeParse({ webhook: { enabled: true } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'webhook.secretName: webhook.secretName is required when webhook.enabled is true (a Secret with key "secret")',
    ]);
  });
});

describe('webhook over HTTPS (webhook.tls.secretName)', () => {
  const tls = render([FOLLOWING], {
    webhook: { enabled: true, secretName: 'px-webhook', tls: { secretName: 'px-webhook-tls' } },
  });
  const pod = tls.find((o) => o.kind === 'Deployment')!.spec.template.spec;

  it('mounts the kubernetes.io/tls Secret read-only (tls.crt, tls.key only) and points the operator at both files', () => {
    expect(pod.volumes).toContainEqual({
      name: 'webhook-tls',
      secret: {
        secretName: 'px-webhook-tls',
        items: [
          { key: 'tls.crt', path: 'tls.crt' },
          { key: 'tls.key', path: 'tls.key' },
        ],
      },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: 'webhook-tls',
      mountPath: '/etc/ponyexpress/webhook-tls',
      readOnly: true,
    });
    expect(pod.containers[0].env).toEqual(
      expect.arrayContaining([
        { name: 'PONYEXPRESS_WEBHOOK_TLS_CERT_FILE', value: '/etc/ponyexpress/webhook-tls/tls.crt' },
        { name: 'PONYEXPRESS_WEBHOOK_TLS_KEY_FILE', value: '/etc/ponyexpress/webhook-tls/tls.key' },
      ]),
    );
    expect(
      tls.find((o) => o.kind === 'Service' && o.metadata.name === 'ponyexpress-operator-webhook')?.spec.ports,
    ).toEqual([{ name: 'webhook', port: 8081, targetPort: 'webhook', appProtocol: 'https' }]);
    expect({
      service: tls.find((o) => o.metadata.name === 'ponyexpress-operator-webhook'),
      container: pod.containers[0],
      volumes: pod.volumes,
    }).toMatchSnapshot();
  });

  it('without tls: plain HTTP, no TLS volume or env; tls without the webhook is refused', () => {
    const plain = render([FOLLOWING], { webhook: { enabled: true, secretName: 'px-webhook' } });
    const text = JSON.stringify(plain);
    expect(text).not.toContain('webhook-tls');
    expect(text).not.toContain('PONYEXPRESS_WEBHOOK_TLS');
    const parsed = operatorSettingsSchema.safeParse({ webhook: { tls: { secretName: 'px-webhook-tls' } } });
    expect(parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'webhook.tls: webhook.tls.secretName serves the webhook over HTTPS; set webhook.enabled: true (and webhook.secretName) too',
    ]);
  });
});

describe('the environment file', () => {
  it('follow: emits an ImageFollow for image.repository into follow/, selecting web/worker/beat and the migrate Jobs', () => {
    const raw: Record<string, any> = {
      ...exampleConfig('staging'),
      follow: { tags: { regex: '^sha-[0-9a-f]{7,40}$' }, credentials: { secretName: 'regcred' } },
    };
    const out = renderEnv(raw);
    const file = out.files.find((f) => (f.object as Obj).kind === 'ImageFollow')!;
    expect(file.path).toBe('follow/imagefollow-ponyshop.yaml');
    expect((file.object as Obj).spec).toEqual({
      repository: raw.image.repository,
      tags: { regex: '^sha-[0-9a-f]{7,40}$' },
      credentials: { secretName: 'regcred' },
      intervalSeconds: 300,
      selector: {
        matchLabels: { 'app.kubernetes.io/name': 'ponyshop', 'app.kubernetes.io/instance': 'ponyshop-staging' },
        matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['web', 'worker', 'beat'] }],
      },
      migrationJobSelector: {
        matchLabels: {
          'app.kubernetes.io/name': 'ponyshop',
          'app.kubernetes.io/instance': 'ponyshop-staging',
          'app.kubernetes.io/component': 'migrate',
        },
      },
      suspend: false,
    });
  });

  it('two tag policies at once are refused', () => {
    expect(() =>
      renderEnv({ ...exampleConfig('staging'), follow: { tags: { semver: '>=1', tag: 'latest' } } }),
    ).toThrow(/set exactly one of semver, regex or tag/);
  });
});

describe('Git mode (follow.writeBack.git): the same settings as a Promotion', () => {
  const git = {
    url: 'https://git.example.com/acme/fleet.git',
    path: 'clusters/shop/staging',
    secretRef: { name: 'fleet-git' },
  };

  it('the ImageFollow CRD carries the Promotion CRD spec.writeBack schema (one definition, grafted)', () => {
    const crds = render([FOLLOWING]).filter((o) => o.kind === 'CustomResourceDefinition');
    const writeBackOf = (name: string) =>
      crds.find((o) => o.metadata.name === name)!.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties
        .writeBack;
    const { description: _f, ...follow } = writeBackOf('imagefollows.ponyexpress.dev');
    const { description: _p, ...promotion } = writeBackOf('promotions.ponyexpress.dev');
    expect(follow).toEqual(promotion);
    expect(follow.properties.git.required).toEqual(['url', 'path', 'secretRef']);
    expect(follow.properties.git.properties.branch.default).toBe('main');
  });

  it('emits spec.writeBack and lets the operator get that Secret by name (and the registry one)', () => {
    const out = renderEnv({
      ...exampleConfig('staging'),
      follow: { tags: { regex: '^sha-[0-9a-f]{7,40}$' }, credentials: { secretName: 'regcred' }, writeBack: { git } },
    });
    const follow = out.files.find((f) => (f.object as Obj).kind === 'ImageFollow')!.object as Obj;
    expect(follow.spec.writeBack).toEqual({ git: { ...git, branch: 'main' } });
    const role = render([{ ...FOLLOWING, follow: { secretName: 'regcred', gitSecret: 'fleet-git' } }]).find(
      (o) => o.kind === 'Role' && o.metadata.name === 'ponyexpress-operator-follow',
    )!;
    expect(role.rules.filter((r: any) => r.resources.includes('secrets'))).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['fleet-git', 'regcred'], verbs: ['get'] },
    ]);
  });

  it("a bad writeBack is refused with the field named, by the Promotion's own rules", () => {
    expect(() =>
      renderEnv({
        ...exampleConfig('staging'),
        follow: { tags: { tag: 'latest' }, writeBack: { git: { ...git, secretRef: { name: 'Fleet_Git' } } } },
      }),
    ).toThrow(/"writeBack",\s*"git",\s*"secretRef",\s*"name"[\s\S]*a Secret name/);
  });
});
