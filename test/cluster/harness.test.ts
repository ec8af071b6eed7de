// The control plane itself: scheduling onto the kwok node, the kwok stages tests rely on,
// Pod Security enforcement, TokenRequest + RBAC, and an apiserver restart.
import { AppsV1Api, BatchV1Api, CoreV1Api, type V1Job, type V1Pod, type V1PodSpec } from '@kubernetes/client-node';
import {
  adminKubeConfig,
  apiErrorMessage,
  applyObjects,
  createTestNamespace,
  deleteTestNamespace,
  itWithLocalControlPlane,
  kubeConfigForServiceAccount,
  restartApiserver,
  TEST_OUTCOME_LABEL,
  waitForJobComplete,
  waitForJobFailed,
  waitForRollout,
  waitUntil,
  WatchRecorder,
} from './harness/index.js';

const NS = 'harness-test';
const kc = adminKubeConfig();
const core = kc.makeApiClient(CoreV1Api);

/** A pod spec that satisfies Pod Security "restricted". */
function restrictedPod(overrides: Partial<V1PodSpec> = {}): V1PodSpec {
  const container = {
    image: 'registry.example/app:1',
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  };
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    initContainers: [{ ...container, name: 'init' }],
    containers: [{ ...container, name: 'main' }],
    ...overrides,
  };
}

function job(name: string, labels: Record<string, string> = {}) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS },
    spec: {
      backoffLimit: 0,
      template: { metadata: { labels }, spec: restrictedPod({ restartPolicy: 'Never' }) },
    },
  };
}

beforeAll(async () => {
  await createTestNamespace(kc, NS);
});

describe('local control plane', () => {
  it('schedules pods onto the kwok node and makes them Ready (init containers included)', async () => {
    await applyObjects(kc, [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'hello', namespace: NS },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'hello' } },
          template: { metadata: { labels: { app: 'hello' } }, spec: restrictedPod() },
        },
      },
    ]);
    const deployment = await waitForRollout(kc, NS, 'hello', 60_000);
    expect(deployment.status?.readyReplicas).toBe(2);
    const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=hello' });
    expect(pods.items.map((p) => p.spec?.nodeName)).toEqual(['kwok-node-0', 'kwok-node-0']);
    expect(pods.items.every((p) => p.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode === 0)).toBe(true);
  });

  it('removes deleted pods for real, so the ReplicaSet replaces them', async () => {
    const [victim] = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=hello' })).items;
    await core.deleteNamespacedPod({ name: victim.metadata!.name!, namespace: NS });
    await waitUntil(
      async () => {
        const names = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=hello' })).items.map(
          (p) => p.metadata?.name,
        );
        return !names.includes(victim.metadata!.name);
      },
      { what: 'deleted pod gone', timeoutMs: 20_000 },
    );
    await waitForRollout(kc, NS, 'hello', 60_000);
  });

  it('records rollouts closely enough to see a dip in ready pods (so "never below" assertions can fail)', async () => {
    const isReady = (p: V1Pod) =>
      !p.metadata?.deletionTimestamp &&
      Boolean(p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    const pods = await WatchRecorder.start<V1Pod>(kc, {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: NS,
      labelSelector: 'app=hello',
    });
    try {
      // maxUnavailable 1, maxSurge 0: the controller must take a ready pod away before replacing it.
      await applyObjects(
        kc,
        [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'hello', namespace: NS },
            spec: {
              strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
              template: { metadata: { labels: { app: 'hello' }, annotations: { revision: '2' } } },
            },
          },
        ],
        { fieldManager: 'harness-rollout' },
      ); // a second manager: the first one's fields stay
      await waitForRollout(kc, NS, 'hello', 60_000);
    } finally {
      await pods.stop();
    }
    expect(pods.initial.filter(isReady)).toHaveLength(2);
    expect(pods.minLive(isReady)).toBe(1);
    expect(
      pods
        .current()
        .filter(isReady)
        .map((p) => p.metadata?.annotations?.revision),
    ).toEqual(['2', '2']);
  });

  it('completes Job pods', async () => {
    await applyObjects(kc, [job('succeeds')]);
    const done = await waitForJobComplete(kc, NS, 'succeeds', 60_000);
    expect(done.status?.succeeded).toBe(1);
  });

  it(`fails Job pods labelled ${TEST_OUTCOME_LABEL}=fail with exit code 1`, async () => {
    await applyObjects(kc, [job('fails', { [TEST_OUTCOME_LABEL]: 'fail' })]);
    const failed = await waitForJobFailed(kc, NS, 'fails', 60_000);
    expect(failed.status?.failed).toBe(1);
    await expect(waitForJobComplete(kc, NS, 'fails', 5_000)).rejects.toThrow(/Job harness-test\/fails failed/);
    const [pod] = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'job-name=fails' })).items;
    expect(pod.status?.phase).toBe('Failed');
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
  });

  it('enforces Pod Security "restricted": a privileged container is rejected with the apiserver message', async () => {
    const privileged = restrictedPod();
    privileged.containers[0].securityContext = { privileged: true };
    await expect(
      applyObjects(kc, [
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'root', namespace: NS }, spec: privileged },
      ]),
    ).rejects.toThrow(
      /apiserver rejected Pod\/harness-test\/root: HTTP 403: .*violates PodSecurity "restricted:latest": privileged/,
    );
  });

  it('mints ServiceAccount tokens (TokenRequest) that RBAC then governs', async () => {
    await applyObjects(kc, [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: NS } }]);
    const asReader = (await kubeConfigForServiceAccount(kc, NS, 'reader')).makeApiClient(CoreV1Api);
    const denied = await asReader.listNamespacedPod({ namespace: NS }).then(() => 'allowed', apiErrorMessage);
    expect(denied).toMatch(/HTTP 403: .*system:serviceaccount:harness-test:reader.* cannot list resource "pods"/);
    await applyObjects(kc, [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'pod-reader', namespace: NS },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'reader', namespace: NS },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: NS }],
      },
    ]);
    await waitUntil(async () => Boolean(await asReader.listNamespacedPod({ namespace: NS })), {
      what: 'RBAC grant',
      timeoutMs: 10_000,
    });
  });

  it('runs the root-CA controller (kube-root-ca.crt in every namespace)', async () => {
    await waitUntil(
      async () => Boolean(await core.readNamespacedConfigMap({ name: 'kube-root-ca.crt', namespace: NS })),
      { what: 'kube-root-ca.crt', timeoutMs: 10_000 },
    );
  });

  itWithLocalControlPlane(
    'restarts kube-apiserver with state intact, controllers and watches reconnecting',
    async () => {
      const jobs = await WatchRecorder.start<V1Job>(kc, { apiVersion: 'batch/v1', kind: 'Job', namespace: NS });
      try {
        const { unavailableMs } = await restartApiserver();
        console.log(`kube-apiserver restart: API unavailable for ${unavailableMs} ms`);
        expect(
          (await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'hello', namespace: NS })).spec?.replicas,
        ).toBe(2);
        // The controllers and kwok reconnect: a new Job still runs to completion.
        await applyObjects(kc, [job('after-restart')]);
        await waitForJobComplete(kc, NS, 'after-restart', 90_000);
        expect(
          (await kc.makeApiClient(BatchV1Api).readNamespacedJob({ name: 'after-restart', namespace: NS })).status
            ?.succeeded,
        ).toBe(1);
        // The recorder resumed its watch after the restart and saw the new Job finish.
        await waitUntil(
          async () => jobs.current().some((j) => j.metadata?.name === 'after-restart' && j.status?.succeeded === 1),
          { what: `recorder sees the Job (notes: ${jobs.notes.join('; ')})`, timeoutMs: 15_000 },
        );
      } finally {
        await jobs.stop();
      }
    },
  );

  it('deletes a namespace with running pods completely (namespace controller + kwok)', async () => {
    const started = Date.now();
    await deleteTestNamespace(kc, NS);
    console.log(`namespace ${NS} deleted in ${Date.now() - started} ms`);
  });
});
