// Waiting for workloads to settle: Job completion and Deployment rollout.
import { AppsV1Api, BatchV1Api, type KubeConfig, type V1Deployment, type V1Job } from '@kubernetes/client-node';
import { StopWaiting, waitUntil } from './readiness.js';

/** @default 120000 ms for every wait below. */
const DEFAULT_TIMEOUT_MS = 120_000;

function condition(job: V1Job, type: string) {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** Waits for the Job's Complete condition; throws at once with the reason if it Fails. */
export async function waitForJobComplete(
  kc: KubeConfig,
  namespace: string,
  name: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<V1Job> {
  const api = kc.makeApiClient(BatchV1Api);
  let job: V1Job | undefined;
  await waitUntil(
    async () => {
      job = await api.readNamespacedJob({ name, namespace });
      const failed = condition(job, 'Failed');
      if (failed) throw new StopWaiting(`Job ${namespace}/${name} failed: ${failed.reason}: ${failed.message}`);
      return Boolean(condition(job, 'Complete'));
    },
    { what: `Job ${namespace}/${name} Complete`, timeoutMs, intervalMs: 200 },
  );
  return job!;
}

/** Waits for the Job's Failed condition (e.g. pods labelled ponyexpress.dev/test-outcome=fail). */
export async function waitForJobFailed(
  kc: KubeConfig,
  namespace: string,
  name: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<V1Job> {
  const api = kc.makeApiClient(BatchV1Api);
  let job: V1Job | undefined;
  await waitUntil(
    async () => {
      job = await api.readNamespacedJob({ name, namespace });
      return Boolean(condition(job, 'Failed'));
    },
    { what: `Job ${namespace}/${name} Failed`, timeoutMs, intervalMs: 200 },
  );
  return job!;
}

/** kubectl's definition of a finished rollout: observed, and updated = available = desired (and no old pods left). */
export function rolloutComplete(d: V1Deployment): boolean {
  const desired = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  return (
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
    (s.updatedReplicas ?? 0) === desired &&
    (s.availableReplicas ?? 0) === desired &&
    (s.replicas ?? 0) === desired
  );
}

export async function waitForRollout(
  kc: KubeConfig,
  namespace: string,
  name: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<V1Deployment> {
  const api = kc.makeApiClient(AppsV1Api);
  let deployment: V1Deployment | undefined;
  await waitUntil(
    async () => {
      deployment = await api.readNamespacedDeployment({ name, namespace });
      return rolloutComplete(deployment);
    },
    { what: `Deployment ${namespace}/${name} rollout complete`, timeoutMs, intervalMs: 200 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last status: ${JSON.stringify(deployment?.status)}`);
  });
  return deployment!;
}
