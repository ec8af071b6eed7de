// The synthesised manifests against a real apiserver: everything in dist/staging and
// dist/production applies with server-side apply under Pod Security "restricted", the
// migration Job completes, web/worker/beat roll out; an image change rolls out with a new
// migration, without web dropping below its desired ready count and without ever two beat pods.
import { ApiextensionsV1Api, AppsV1Api, type V1Pod } from '@kubernetes/client-node';
import {
  adminKubeConfig,
  applyObjects,
  createTestNamespace,
  deleteTestNamespace,
  waitForJobComplete,
  waitForRollout,
  waitUntil,
  WatchRecorder,
  type ManifestObject,
} from './harness/index.js';
import { installArgoApplicationStandIn, providerSecrets } from './charts/fixtures.js';
import { SynthWorkspace, type SynthesizedFile } from './charts/synth-copy.js';

const ENVS = ['staging', 'production'] as const;
const APP = 'ponyshop';
const WORKLOADS = ['web', 'worker', 'beat'] as const;
const NEW_TAG = '9.9.9-cluster-test';

const kc = adminKubeConfig();
const apps = kc.makeApiClient(AppsV1Api);
const workspace = new SynthWorkspace();
let manifests: Record<string, SynthesizedFile[]>;
let operatorManifests: SynthesizedFile[];
const OPERATOR_NAMESPACE = 'ponyexpress-system';

const namespaceOf = (env: string) => `${APP}-${env}`;
const objectsOf = (env: string): ManifestObject[] => manifests[env].map((f) => f.object);
const migrationJobOf = (env: string): string => {
  const jobs = objectsOf(env).filter((o) => o.kind === 'Job');
  expect(jobs).toHaveLength(1);
  return jobs[0].metadata!.name!;
};

/**
 * Rollout complete, and when the environment has an HPA for the Deployment (production),
 * also scaled to at least its minReplicas: the charts leave replicas to the HPA there.
 */
async function settledRollout(env: string, workload: string) {
  const name = `${APP}-${workload}`;
  const hpa = objectsOf(env).find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata?.name === name) as
    { spec: { minReplicas?: number } } | undefined;
  const minReplicas = hpa?.spec.minReplicas ?? 0;
  await waitUntil(
    async () =>
      ((await apps.readNamespacedDeployment({ name, namespace: namespaceOf(env) })).spec?.replicas ?? 0) >= minReplicas,
    { what: `HPA scaled ${name} to ${minReplicas}`, timeoutMs: 60_000, intervalMs: 250 },
  );
  return waitForRollout(kc, namespaceOf(env), name, 120_000);
}

const isReady = (p: V1Pod) =>
  !p.metadata?.deletionTimestamp &&
  Boolean(p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
const podSummary = (p: V1Pod) =>
  `${p.metadata?.name}(${p.status?.phase ?? '-'}${isReady(p) ? ',ready' : ''}${p.metadata?.deletionTimestamp ? ',terminating' : ''})`;

async function waitForCrdEstablished(name: string) {
  const crds = kc.makeApiClient(ApiextensionsV1Api);
  await waitUntil(
    async () =>
      Boolean(
        (await crds.readCustomResourceDefinition({ name })).status?.conditions?.some(
          (c) => c.type === 'Established' && c.status === 'True',
        ),
      ),
    { what: `CRD ${name} Established`, timeoutMs: 30_000, intervalMs: 200 },
  );
}

beforeAll(async () => {
  manifests = workspace.synthesize([...ENVS]);
  operatorManifests = workspace.synthesizeOperator();
  await installArgoApplicationStandIn(kc);
  await createTestNamespace(kc, 'argocd', { podSecurity: 'restricted' });
  for (const env of ENVS) {
    await createTestNamespace(kc, namespaceOf(env), { podSecurity: 'restricted' });
    await applyObjects(kc, providerSecrets(namespaceOf(env)));
  }
});

afterAll(async () => {
  workspace.remove();
  // Not waiting: the namespace controller finishes on its own, and other files use other namespaces.
  for (const ns of [...ENVS.map(namespaceOf), 'argocd', OPERATOR_NAMESPACE])
    await deleteTestNamespace(kc, ns, { wait: false });
});

// dist/operator/ holds Roles in the app namespaces and the CRD the production Promotion needs, so it goes
// after the namespaces exist and before dist/production/promotion/.
describe('dist/operator on a real apiserver', () => {
  it('applies under Pod Security "restricted" and the operator Deployment rolls out with 2 replicas', async () => {
    const objects = operatorManifests.map((f) => f.object);
    expect(objects.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['CustomResourceDefinition', 'Deployment', 'Role', 'RoleBinding']),
    );
    await applyObjects(kc, objects, { fieldManager: 'ponyexpress-cluster-test' });
    await waitForCrdEstablished('promotions.ponyexpress.dev');
    const operator = await waitForRollout(kc, OPERATOR_NAMESPACE, 'ponyexpress-operator', 120_000);
    expect(operator.status?.readyReplicas).toBe(2);
  });
});

describe.each(ENVS)('dist/%s on a real apiserver', (env) => {
  const namespace = namespaceOf(env);

  it('applies every object with server-side apply; the migration completes and web, worker, beat roll out', async () => {
    const objects = objectsOf(env);
    expect(objects.length).toBeGreaterThan(10);
    if (env === 'production') expect(objects.filter((o) => o.kind === 'Promotion')).toHaveLength(1);
    const applied = await applyObjects(kc, objects, { fieldManager: 'ponyexpress-cluster-test' });
    expect(applied).toHaveLength(objects.length);

    await waitForJobComplete(kc, namespace, migrationJobOf(env), 120_000);
    for (const workload of WORKLOADS) {
      const d = await settledRollout(env, workload);
      expect(d.status?.updatedReplicas).toBe(d.spec?.replicas);
    }
  });

  it('rolls out a new image tag: new migration, web never below desired ready, never two beat pods', async () => {
    const oldJob = migrationJobOf(env);
    workspace.setImageTag(env, NEW_TAG);
    manifests = { ...manifests, ...workspace.synthesize([env]) };
    const newJob = migrationJobOf(env);
    expect(newJob).not.toBe(oldJob);

    // Production's web replicas come from its HPA: measure against the count in force now.
    const desiredWeb = (await settledRollout(env, 'web')).spec!.replicas!;
    const selector = (component: string) =>
      `app.kubernetes.io/instance=${namespace},app.kubernetes.io/component=${component}`;
    const web = await WatchRecorder.start<V1Pod>(kc, {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace,
      labelSelector: selector('web'),
    });
    const beat = await WatchRecorder.start<V1Pod>(kc, {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace,
      labelSelector: selector('beat'),
    });
    try {
      await applyObjects(kc, objectsOf(env), { fieldManager: 'ponyexpress-cluster-test' });
      await waitForJobComplete(kc, namespace, newJob, 120_000);
      for (const workload of WORKLOADS) await settledRollout(env, workload);
    } finally {
      await web.stop();
      await beat.stop();
    }

    const image = (p: V1Pod) => p.spec?.containers[0]?.image ?? '';
    // The watches really saw the rollouts: every pod now runs the new tag.
    expect(web.current().filter(isReady).map(image)).toEqual(
      Array(desiredWeb).fill(`ghcr.io/ponyexpress/ponyshop:${NEW_TAG}`),
    );
    expect(beat.current().map(image)).toEqual([`ghcr.io/ponyexpress/ponyshop:${NEW_TAG}`]);
    expect(beat.events.some((e) => e.type === 'DELETED')).toBe(true);

    expect({ minReadyWeb: web.minLive(isReady), timeline: web.describe(podSummary) }).toEqual({
      minReadyWeb: desiredWeb,
      timeline: expect.any(String),
    });
    expect({ maxBeatPods: beat.maxLive(), timeline: beat.describe(podSummary) }).toEqual({
      maxBeatPods: 1,
      timeline: expect.any(String),
    });
    const deployment = await apps.readNamespacedDeployment({ name: `${APP}-web`, namespace });
    expect(deployment.spec?.template.spec?.initContainers?.[0]?.image).toBe(`ghcr.io/ponyexpress/ponyshop:${NEW_TAG}`);
  });

  it('is enforced by Pod Security "restricted": the web pod made privileged is rejected', async () => {
    const webDeployment = objectsOf(env).find((o) => o.kind === 'Deployment' && o.metadata?.name === `${APP}-web`) as {
      spec: {
        template: { metadata: ManifestObject['metadata']; spec: { containers: { securityContext?: object }[] } };
      };
    } & ManifestObject;
    const pod = (name: string, privileged: boolean): ManifestObject => {
      const spec = structuredClone(webDeployment.spec.template.spec);
      // (privileged requires allowPrivilegeEscalation, or validation rejects it before admission)
      if (privileged)
        spec.containers[0].securityContext = {
          ...spec.containers[0].securityContext,
          privileged: true,
          allowPrivilegeEscalation: true,
        };
      return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { probe: 'psa' } }, spec };
    };
    // The template as synthesised is admitted (dry run), so the rejection below is the privilege's doing.
    await expect(applyObjects(kc, [pod('psa-probe-ok', false)], { dryRun: true })).resolves.toHaveLength(1);
    await expect(applyObjects(kc, [pod('psa-probe-privileged', true)], { dryRun: true })).rejects.toThrow(
      new RegExp(
        `rejected Pod/${namespace}/psa-probe-privileged: HTTP 403: .*violates PodSecurity "restricted:latest": .*` +
          'privileged \\(container "web" must not set securityContext.privileged=true\\)',
      ),
    );
  });
});
