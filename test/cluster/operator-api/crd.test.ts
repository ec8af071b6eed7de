// The Promotion CRD on a real kube-apiserver: it is established, defaults and prunes as documented,
// rejects every bad spec of test/operator/core/crd-cases.ts with the message users will read,
// prints the documented columns and keeps spec and status apart (status subresource).
import type { KubeClient } from '../../../operator/kube/client.js';
import type { PromotionObject } from '../../../operator/core/types.js';
import { adminKubeConfig, createTestNamespace, deleteTestNamespace, type ManifestObject } from '../harness/index.js';
import { BAD_SPECS, examplePromotion } from '../../operator/core/crd-cases.js';
import {
  adminClient,
  CRD_NAME,
  getWithAccept,
  installCrd,
  promotionsPath,
  rejection,
  uniquePrefix,
  waitUntilServed,
} from './support.js';

const prefix = uniquePrefix('crd');
const prod = `${prefix}-prod`;
let admin: KubeClient;

/** The repository's example, moved into this file's namespace. */
function example(name = 'ponyshop'): ManifestObject {
  const p = examplePromotion();
  p.metadata = { name, namespace: prod };
  p.spec.source.namespace = `${prefix}-staging`;
  p.spec.target.namespace = prod;
  return p;
}

const create = (body: ManifestObject, dryRun = false) =>
  admin.request<PromotionObject>('POST', promotionsPath(prod), { body, query: dryRun ? { dryRun: 'All' } : {} });
const get = (name: string) =>
  admin.request<PromotionObject & { metadata: { generation: number; resourceVersion: string } }>(
    'GET',
    `${promotionsPath(prod)}/${name}`,
  );

beforeAll(async () => {
  admin = await adminClient();
  await Promise.all([
    installCrd(admin),
    createTestNamespace(adminKubeConfig(), prod, { waitForDefaultServiceAccount: false }),
  ]);
  await waitUntilServed(admin, example());
});

afterAll(async () => {
  await deleteTestNamespace(adminKubeConfig(), prod, { wait: false });
});

test('the CRD is Established with the names, short name and category kubectl uses', async () => {
  const crd = await admin.request<{
    status: { conditions: { type: string; status: string }[]; acceptedNames: Record<string, unknown> };
  }>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD_NAME}`);
  const conditions = Object.fromEntries(crd.status.conditions.map((c) => [c.type, c.status]));
  expect(conditions).toMatchObject({ Established: 'True', NamesAccepted: 'True' });
  // Discovery is what `kubectl get promo` and `kubectl get ponyexpress` resolve against.
  const discovery = await admin.request<{
    resources: { name: string; shortNames?: string[]; categories?: string[]; namespaced: boolean; verbs: string[] }[];
  }>('GET', '/apis/ponyexpress.dev/v1alpha1');
  const byName = Object.fromEntries(discovery.resources.map((r) => [r.name, r]));
  expect(byName.promotions).toMatchObject({ namespaced: true, shortNames: ['promo'], categories: ['ponyexpress'] });
  expect(byName['promotions/status'].verbs.sort()).toEqual(['get', 'patch', 'update']);
});

test('the example Promotion is accepted, its Job template is kept whole and unknown spec fields are pruned', async () => {
  const body = example('example');
  body.spec = { ...(body.spec as object), notAField: 'dropped' };
  await create(body);
  const stored = await get('example');
  const template = stored.spec.target.migrationJobTemplate;
  // x-kubernetes-preserve-unknown-fields: the JobSpec fields the schema does not list survive.
  expect(template.backoffLimit).toBe(1);
  expect(template.template.spec.restartPolicy).toBe('Never');
  expect(template.template.spec.containers[0].command).toEqual(['python', 'manage.py', 'migrate', '--noinput']);
  expect(stored.spec).not.toHaveProperty('notAField');
  // Everything else round-trips as written; only the omitted `suspend` is defaulted.
  const spec = example().spec as { policy: object };
  expect(stored.spec).toEqual({ ...spec, policy: { ...spec.policy, drift: 'Revert' }, suspend: false });
});

test('a minimal Promotion gets every documented default from the apiserver', async () => {
  const body = example('minimal');
  const spec = body.spec as PromotionObject['spec'] & Record<string, unknown>;
  delete spec.source.soakSeconds;
  delete spec.target.waves;
  delete spec.target.rolloutTimeoutSeconds;
  delete spec.policy;
  delete spec.historyLimit;
  await create(body);
  const stored = await get('minimal');
  expect(stored.spec.source.soakSeconds).toBe(300);
  expect(stored.spec.target.waves).toEqual([['web', 'worker'], ['beat']]);
  expect(stored.spec.target.rolloutTimeoutSeconds).toBe(600);
  expect(stored.spec.policy).toEqual({ approval: 'Automatic', drift: 'Revert' });
  expect(stored.spec.suspend).toBe(false);
  expect(stored.spec.historyLimit).toBe(10);
});

describe('bad specs are rejected with a message a human can act on', () => {
  test.each(BAD_SPECS.map((bad) => [bad.name, bad] as const))('%s', async (_name, bad) => {
    const body = example(`bad-${BAD_SPECS.indexOf(bad)}`);
    bad.mutate(body);
    const { code, message } = await rejection(create(body, true));
    expect(code).toBe(422);
    expect(message).toContain(bad.message);
  });

  test('a name longer than 63 characters (it labels the migration Jobs)', async () => {
    const { code, message } = await rejection(create(example('p'.repeat(64)), true));
    expect(code).toBe(422);
    expect(message).toContain('metadata.name must be at most 63 characters');
  });

  test('an update that breaks a valid Promotion is rejected too, and the stored object is unchanged', async () => {
    await create(example('updated'));
    const stored = await get('updated');
    const broken = {
      ...stored,
      spec: { ...stored.spec, target: { ...stored.spec.target, waves: [['beat'], ['web']] } },
    };
    const { code, message } = await rejection(
      admin.request('PUT', `${promotionsPath(prod)}/updated`, { body: broken }),
    );
    expect(code).toBe(422);
    expect(message).toContain('beat must be alone in the last wave');
    expect((await get('updated')).spec.target.waves).toEqual([['web', 'worker'], ['beat']]);
  });
});

describe('status subresource', () => {
  const status = {
    observedGeneration: 1,
    phase: 'Waiting',
    staging: { tag: '1.5.0', image: 'ghcr.io/ponyexpress/ponyshop:1.5.0', verified: true },
    production: { tag: '1.4.0', image: 'ghcr.io/ponyexpress/ponyshop:1.4.0' },
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'AwaitingApproval',
        message: 'waiting for approval of 1.5.0',
        lastTransitionTime: '2026-11-22T00:00:00Z',
      },
    ],
  };

  beforeAll(async () => {
    await create(example('subresource'));
  });

  test('a status write stores the status and ignores a changed spec; the generation stays', async () => {
    const before = await get('subresource');
    const body = { ...before, spec: { ...before.spec, historyLimit: 99 }, status };
    await admin.request('PUT', `${promotionsPath(prod)}/subresource/status`, { body });
    const after = await get('subresource');
    expect(after.status).toEqual(status);
    expect(after.spec.historyLimit).toBe(10);
    expect(after.metadata.generation).toBe(before.metadata.generation);
  });

  test('a spec write changes the spec and generation and ignores the status it carries', async () => {
    const before = await get('subresource');
    const body = { ...before, spec: { ...before.spec, historyLimit: 20 }, status: { ...status, phase: 'Failed' } };
    await admin.request('PUT', `${promotionsPath(prod)}/subresource`, { body });
    const after = await get('subresource');
    expect(after.spec.historyLimit).toBe(20);
    expect(after.metadata.generation).toBe(before.metadata.generation + 1);
    expect(after.status).toEqual(status);
  });

  test('the status schema is enforced: an unknown phase is rejected', async () => {
    const before = await get('subresource');
    const { code, message } = await rejection(
      admin.request('PUT', `${promotionsPath(prod)}/subresource/status`, {
        body: { ...before, status: { ...status, phase: 'Sleeping' } },
      }),
    );
    expect(code).toBe(422);
    // Errors on the status subresource name the field relative to status.
    expect(message).toContain('phase: Unsupported value: "Sleeping"');
  });

  test('kubectl get shows the Staging, Production, Phase and Age columns (Ready and Message with -o wide)', async () => {
    const res = await getWithAccept(
      admin,
      `${promotionsPath(prod)}/subresource`,
      'application/json;as=Table;v=v1;g=meta.k8s.io',
    );
    expect(res.status).toBe(200);
    const table = JSON.parse(res.body) as {
      kind: string;
      columnDefinitions: { name: string; priority: number }[];
      rows: { cells: unknown[] }[];
    };
    expect(table.kind).toBe('Table');
    const columns = table.columnDefinitions.map((c) => `${c.name}:${c.priority}`);
    expect(columns).toEqual(['Name:0', 'Staging:0', 'Production:0', 'Phase:0', 'Age:0', 'Ready:1', 'Message:1']);
    const [name, staging, production, phase, age, ready, message] = table.rows[0].cells;
    expect([name, staging, production, phase, ready, message]).toEqual([
      'subresource',
      '1.5.0',
      '1.4.0',
      'Waiting',
      'False',
      'waiting for approval of 1.5.0',
    ]);
    expect(age).toMatch(/^\d+[smh]/); // kubectl-style age, e.g. 4s
  });

  test('the status can also be server-side applied (schemaless Job template fields in the spec do not get in the way)', async () => {
    const body = {
      apiVersion: 'ponyexpress.dev/v1alpha1',
      kind: 'Promotion',
      metadata: { name: 'subresource', namespace: prod },
      status: { ...status, phase: 'Held' },
    };
    await admin.request('PATCH', `${promotionsPath(prod)}/subresource/status`, {
      body,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'ponyexpress-operator', force: 'true' },
    });
    expect((await get('subresource')).status?.phase).toBe('Held');
  });
});

test('a GitOps tool can server-side apply a Promotion (schemaless Job template fields included)', async () => {
  const body = example('applied');
  const path = `${promotionsPath(prod)}/applied`;
  const query = { fieldManager: 'gitops', force: 'true' };
  await admin.request('PATCH', path, { body, contentType: 'application/apply-patch+yaml', query });
  (body.spec as PromotionObject['spec']).source.soakSeconds = 60;
  await admin.request('PATCH', path, { body, contentType: 'application/apply-patch+yaml', query });
  const stored = await get('applied');
  expect(stored.spec.source.soakSeconds).toBe(60);
  expect(stored.spec.target.migrationJobTemplate.backoffLimit).toBe(1);
});
