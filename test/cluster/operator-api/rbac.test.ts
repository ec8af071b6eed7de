// The operator chart's RBAC, proven with the operator's own identity: a TokenRequest token of its
// ServiceAccount, used through the operator's own client (and its real leader election and event
// code). Real requests where they are cheap; a SelfSubjectRulesReview per namespace pins the
// complete grant, so a rule added later (say, on Secrets) fails here.
import type { KubeClient } from '../../../operator/kube/client.js';
import { EventRecorder } from '../../../operator/kube/events.js';
import { LeaderElector } from '../../../operator/kube/leader.js';
import { createLogger } from '../../../operator/runtime/log.js';
import type { PromotionObject } from '../../../operator/core/types.js';
import { operatorSettingsSchema } from '../../../charts/config/operator-schema.js';
import { renderOperator } from '../../../charts/synth.js';
import { OPERATOR_NAME } from '../../../charts/operator/props.js';
import {
  adminKubeConfig,
  applyObjects,
  createTestNamespace,
  deleteTestNamespace,
  mintServiceAccountToken,
  waitUntil,
  type ManifestObject,
} from '../harness/index.js';
import { examplePromotion } from '../../operator/core/crd-cases.js';
import {
  adminClient,
  crdFromRepository,
  installCrd,
  promotionsPath,
  statusOf,
  tokenClient,
  uniquePrefix,
  waitUntilServed,
} from './support.js';
import { restrictedDeployment, restrictedJob } from './workloads.js';

const prefix = uniquePrefix('rbac');
const ns = {
  system: `${prefix}-system`,
  staging: `${prefix}-staging`,
  prod: `${prefix}-prod`,
  other: `${prefix}-other`,
};
let admin: KubeClient;
let operator: KubeClient;

const deployments = (n: string) => `/apis/apps/v1/namespaces/${n}/deployments`;
const statefulsets = (n: string) => `/apis/apps/v1/namespaces/${n}/statefulsets`;
const pods = (n: string) => `/api/v1/namespaces/${n}/pods`;
const jobs = (n: string) => `/apis/batch/v1/namespaces/${n}/jobs`;
const secrets = (n: string) => `/api/v1/namespaces/${n}/secrets`;
const events = (n: string) => `/api/v1/namespaces/${n}/events`;
const leases = (n: string) => `/apis/coordination.k8s.io/v1/namespaces/${n}/leases`;

function promotion(): ManifestObject {
  const p = examplePromotion();
  p.metadata = { name: 'ponyshop', namespace: ns.prod };
  p.spec.source.namespace = ns.staging;
  p.spec.target.namespace = ns.prod;
  return p;
}

/** A watch the apiserver ends after one second: 200 when allowed. */
const watchStatus = (client: KubeClient, path: string) =>
  statusOf(client.watch(path, '0', () => {}, { signal: AbortSignal.timeout(10_000), timeoutSeconds: 1 }));

beforeAll(async () => {
  const kc = adminKubeConfig();
  admin = await adminClient();
  // The app namespaces exist before the operator is installed (the app charts create them).
  await Promise.all(
    [ns.staging, ns.prod, ns.other].map((n) => createTestNamespace(kc, n, { waitForDefaultServiceAccount: false })),
  );
  const chart = renderOperator({
    settings: operatorSettingsSchema.parse({ namespace: ns.system }),
    pipelines: [{ app: 'ponyshop', stagingNamespace: ns.staging, productionNamespace: ns.prod }],
  }).objects as unknown as ManifestObject[];
  const crds = chart.filter((o) => o.kind === 'CustomResourceDefinition');
  // The files of this project share the cluster's one CRD: whichever installs it, it is the same.
  expect(crds).toEqual([crdFromRepository()]);
  await installCrd(admin, crds[0]);
  // Its Deployment, PDB, Service and NetworkPolicy are not needed to prove what the identity may do.
  await applyObjects(
    kc,
    chart.filter((o) => ['Namespace', 'ServiceAccount', 'Role', 'RoleBinding'].includes(o.kind!)),
  );
  await waitUntilServed(admin, promotion());
  await admin.request('POST', promotionsPath(ns.prod), { body: promotion() });
  for (const n of [ns.staging, ns.prod, ns.other]) {
    await admin.request('POST', deployments(n), {
      body: restrictedDeployment('ponyshop-web', n, 'registry.example/ponyshop:1.0.0'),
    });
  }
  operator = tokenClient(
    admin,
    await mintServiceAccountToken(kc, ns.system, OPERATOR_NAME, { expirationSeconds: 600 }),
  );
});

afterAll(async () => {
  const kc = adminKubeConfig();
  await Promise.all(Object.values(ns).map((n) => deleteTestNamespace(kc, n, { wait: false })));
});

describe('staging: read only', () => {
  test.each([
    ['deployments', deployments],
    ['statefulsets', statefulsets],
    ['pods', pods],
    ['jobs', jobs],
  ] as const)('lists and watches %s', async (_r, path) => {
    expect(await statusOf(operator.list(path(ns.staging)))).toBe(200);
    expect(await watchStatus(operator, path(ns.staging))).toBe(200);
  });

  test('cannot change a Deployment, create a Job or delete anything', async () => {
    const image = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ponyshop-web' },
      spec: { template: { spec: { containers: [{ name: 'web', image: 'registry.example/ponyshop:2.0.0' }] } } },
    };
    expect(await statusOf(operator.apply(`${deployments(ns.staging)}/ponyshop-web`, image))).toBe(403);
    expect(await statusOf(operator.create(jobs(ns.staging), restrictedJob('ponyshop-migrate-x', ns.staging)))).toBe(
      403,
    );
    expect(await statusOf(operator.request('DELETE', `${deployments(ns.staging)}/ponyshop-web`))).toBe(403);
    expect(
      await statusOf(
        operator.create(events(ns.staging), {
          metadata: { generateName: 'x.' },
          involvedObject: { kind: 'Pod', name: 'x', namespace: ns.staging },
          reason: 'X',
          message: 'x',
        }),
      ),
    ).toBe(403);
  });
});

describe('production: what a promotion needs', () => {
  test('sets a Deployment image with server-side apply, but cannot replace or delete Deployments', async () => {
    const path = `${deployments(ns.prod)}/ponyshop-web`;
    const image = 'registry.example/ponyshop:2.0.0';
    await operator.apply(path, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ponyshop-web', namespace: ns.prod },
      spec: { template: { spec: { containers: [{ name: 'web', image }] } } },
    });
    const stored = await operator.request<{ spec: { template: { spec: { containers: { image: string }[] } } } }>(
      'GET',
      path,
    );
    expect(stored.spec.template.spec.containers[0].image).toBe(image);
    expect(await statusOf(operator.request('PUT', path, { body: stored }))).toBe(403);
    expect(await statusOf(operator.request('DELETE', path))).toBe(403);
    expect(await watchStatus(operator, deployments(ns.prod))).toBe(200);
    expect(await watchStatus(operator, statefulsets(ns.prod))).toBe(200);
  });

  test('creates, lists and watches migration Jobs, but cannot delete them', async () => {
    await operator.create(jobs(ns.prod), restrictedJob('ponyshop-migrate-0123456789', ns.prod));
    expect((await operator.list(jobs(ns.prod))).items.map((j) => j.metadata?.name)).toEqual([
      'ponyshop-migrate-0123456789',
    ]);
    expect(await watchStatus(operator, jobs(ns.prod))).toBe(200);
    expect(await statusOf(operator.request('DELETE', `${jobs(ns.prod)}/ponyshop-migrate-0123456789`))).toBe(403);
  });

  test('reads and watches Promotions and writes their status, but never their spec or annotations', async () => {
    const path = `${promotionsPath(ns.prod)}/ponyshop`;
    expect(await watchStatus(operator, promotionsPath(ns.prod))).toBe(200);
    const current = await operator.request<PromotionObject>('GET', path);
    const status = { observedGeneration: 1, phase: 'Idle' };
    await operator.request('PUT', `${path}/status`, { body: { ...current, status } });
    expect((await admin.request<PromotionObject>('GET', path)).status).toEqual(status);
    expect(
      await statusOf(operator.mergePatch(path, { metadata: { annotations: { 'ponyexpress.dev/hold': 'x' } } })),
    ).toBe(403);
    expect(await statusOf(operator.request('PUT', path, { body: await operator.request('GET', path) }))).toBe(403);
    expect(await statusOf(operator.request('DELETE', path))).toBe(403);
    expect(
      await statusOf(
        operator.create(promotionsPath(ns.prod), { ...promotion(), metadata: { name: 'another', namespace: ns.prod } }),
      ),
    ).toBe(403);
  });

  test("records Events on the Promotion (the operator's own event code)", async () => {
    const p = await admin.request<PromotionObject>('GET', `${promotionsPath(ns.prod)}/ponyshop`);
    const lines: string[] = [];
    const recorder = new EventRecorder({
      client: operator,
      identity: 'rbac-test',
      log: createLogger('warn', {}, (line) => lines.push(line)),
    });
    recorder.record(p, { type: 'Normal', reason: 'RbacTest', message: 'event written as the operator' });
    expect(await recorder.drain(30_000)).toBe(true);
    expect(lines).toEqual([]); // a refused create is only logged
    const list = await admin.request<{ items: { reason: string; involvedObject: { name: string } }[] }>(
      'GET',
      events(ns.prod),
    );
    expect(list.items.filter((e) => e.reason === 'RbacTest').map((e) => e.involvedObject.name)).toEqual(['ponyshop']);
  });
});

test("leader election works in its own namespace and nowhere else (the operator's LeaderElector)", async () => {
  let leading = false;
  const elector = new LeaderElector(operator, {
    namespace: ns.system,
    name: OPERATOR_NAME,
    identity: 'rbac-test',
    leaseDurationSeconds: 15,
    retrySeconds: 1,
    onStartedLeading: () => (leading = true),
    onStoppedLeading: () => (leading = false),
    log: createLogger('error', {}, () => {}),
  });
  elector.start();
  try {
    await waitUntil(async () => leading, { what: 'the operator identity to become leader', timeoutMs: 20_000 });
  } finally {
    await elector.stop();
  }
  // stop() released the Lease with get + update: a failure there would leave the holder set.
  const lease = await admin.request<{ spec: { holderIdentity?: string; leaseTransitions: number } }>(
    'GET',
    `${leases(ns.system)}/${OPERATOR_NAME}`,
  );
  expect(lease.spec.holderIdentity).toBeUndefined();
  // get/update are limited to the operator's Lease; create cannot be limited by name.
  expect(await statusOf(operator.request('GET', `${leases(ns.system)}/kube-scheduler`))).toBe(403);
  expect(
    await statusOf(operator.request('POST', leases(ns.prod), { body: { metadata: { name: OPERATOR_NAME } } })),
  ).toBe(403);
});

test('no Secrets anywhere, and nothing at all in namespaces outside the pipeline', async () => {
  for (const n of Object.values(ns)) {
    expect([n, await statusOf(operator.list(secrets(n)))]).toEqual([n, 403]);
    expect([n, await statusOf(operator.request('GET', `${secrets(n)}/anything`))]).toEqual([n, 403]);
  }
  expect(await statusOf(operator.request('GET', '/api/v1/secrets'))).toBe(403);
  for (const path of [
    deployments(ns.other),
    pods(ns.other),
    jobs(ns.other),
    promotionsPath(ns.other),
    leases(ns.other),
  ]) {
    expect([path, await statusOf(operator.list(path))]).toEqual([path, 403]);
  }
  expect(
    await statusOf(
      operator.apply(`${deployments(ns.other)}/ponyshop-web`, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'ponyshop-web' },
      }),
    ),
  ).toBe(403);
  // Cluster-wide lists: the operator watches its namespaces one by one.
  expect(await statusOf(operator.request('GET', '/apis/ponyexpress.dev/v1alpha1/promotions'))).toBe(403);
  expect(await statusOf(operator.request('GET', '/apis/apps/v1/deployments'))).toBe(403);
  expect(
    await statusOf(
      operator.request('PATCH', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/promotions.ponyexpress.dev', {
        body: {},
        contentType: 'application/merge-patch+json',
      }),
    ),
  ).toBe(403);
});

/** The identity's complete namespaced grant, as "group/resource[/name]: verbs", minus what every authenticated user has. */
async function grantIn(namespace: string): Promise<string[]> {
  const review = await operator.request<{
    status: {
      resourceRules: { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] }[];
    };
  }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } },
  });
  const everyone = new Set(['authorization.k8s.io', 'authentication.k8s.io']);
  return review.status.resourceRules
    .flatMap((r) =>
      (r.apiGroups ?? ['']).flatMap((g) =>
        (r.resources ?? []).flatMap((res) =>
          (r.resourceNames?.length ? r.resourceNames : ['']).map((name) => ({
            g,
            key: `${g || 'core'}/${res}${name ? `/${name}` : ''}: ${[...r.verbs].sort().join(',')}`,
          })),
        ),
      ),
    )
    .filter((x) => !everyone.has(x.g))
    .map((x) => x.key)
    .sort();
}

test('the complete grant per namespace is exactly the least privilege the design names', async () => {
  expect(await grantIn(ns.staging)).toEqual([
    'apps/deployments: get,list,watch',
    'apps/statefulsets: get,list,watch',
    'batch/jobs: get,list,watch',
    'core/pods: get,list,watch',
  ]);
  expect(await grantIn(ns.prod)).toEqual([
    'apps/deployments: get,list,patch,watch',
    'apps/statefulsets: get,list,patch,watch',
    'batch/jobs: create,get,list,watch',
    'core/events: create,patch',
    'ponyexpress.dev/promotions/status: patch,update',
    'ponyexpress.dev/promotions: get,list,watch',
  ]);
  expect(await grantIn(ns.system)).toEqual([
    `coordination.k8s.io/leases/${OPERATOR_NAME}: get,update`,
    'coordination.k8s.io/leases: create',
    'core/events: create,patch',
  ]);
  expect(await grantIn(ns.other)).toEqual([]);
});
