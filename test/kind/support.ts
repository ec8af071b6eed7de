// Reading the kind cluster for the promotion test: the Promotion, pods' imageIDs, the registry's own digest,
// and polling with a readable failure.
import { execFileSync } from 'node:child_process';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type KubernetesObject,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import { PROMOTION_GROUP, PROMOTION_PLURAL, PROMOTION_VERSION } from '../../contract/index.js';
import type { PromotionObject as Promotion } from '../../operator/core/resource.js';
import { CLUSTER, KUBECONFIG, PRODUCTION_NS } from './kind-env.js';

export function kindKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(KUBECONFIG);
  kc.setCurrentContext(`kind-${CLUSTER}`);
  return kc;
}

export async function readPromotion(kc: KubeConfig): Promise<Promotion> {
  const list = (await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
    group: PROMOTION_GROUP,
    version: PROMOTION_VERSION,
    namespace: PRODUCTION_NS,
    plural: PROMOTION_PLURAL,
  })) as { items: Promotion[] };
  if (list.items.length !== 1)
    throw new Error(`expected one Promotion in ${PRODUCTION_NS}, found ${list.items.length}`);
  return list.items[0];
}

export const condition = (p: Promotion, type: string) => p.status?.conditions?.find((c) => c.type === type);

export const component = (o: KubernetesObject) => o.metadata?.labels?.['app.kubernetes.io/component'];
export const imageOf = (d: V1Deployment) => d.spec?.template.spec?.containers[0]?.image ?? '';
export const isReady = (pod: V1Pod) =>
  !pod.metadata?.deletionTimestamp && !!pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
/** `ghcr.io/ponyexpress/ponyshop@sha256:…` as containerd reports it → `sha256:…`. */
export const digestOf = (imageID: string | undefined) => /@(sha256:[0-9a-f]{64})$/.exec(imageID ?? '')?.[1];

/** The app containers' digests (imageID) of the live pods of one component. */
export async function podDigests(kc: KubeConfig, namespace: string, comp: string): Promise<string[]> {
  const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({
    namespace,
    labelSelector: `app.kubernetes.io/component=${comp}`,
  });
  return pods.items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .flatMap((p) => (p.status?.containerStatuses ?? []).map((s) => s.imageID));
}

/** The manifest digest the cluster's registry serves for a tag (what a pull resolves the tag to). */
export function registryDigest(repository: string, tag: string): string {
  const port = execFileSync('docker', ['port', `${CLUSTER}-registry`, '5000/tcp'], { encoding: 'utf8' })
    .split('\n')
    .find((l) => l.startsWith('127.0.0.1:'))
    ?.split(':')[1];
  const path = repository.replace(/^[^/]+\//, '');
  const headers = execFileSync(
    'curl',
    [
      '-fsSI',
      '-H',
      'Accept: application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
      `http://127.0.0.1:${port}/v2/${path}/manifests/${tag}`,
    ],
    { encoding: 'utf8' },
  );
  const digest = /^docker-content-digest:\s*(sha256:[0-9a-f]{64})/im.exec(headers)?.[1];
  if (!digest) throw new Error(`the registry gave no digest for ${repository}:${tag}:\n${headers}`);
  return digest;
}

/** Polls until `check` returns a value; on timeout the error names what was awaited and the last state. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  describe: () => Promise<string> = async () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})` : ''}\n${await describe().catch(String)}`,
      );
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
