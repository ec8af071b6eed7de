// Shared by the operator API-surface tests: raw JSON access to the apiserver (the operator's own
// KubeClient, as the admin or as any bearer token) and installing the Promotion CRD.
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { parse } from 'yaml';
import { KubeClient, KubeError } from '../../../operator/kube/client.js';
import { loadClusterAccess } from '../../../operator/kube/access.js';
import { Transport } from '../../../operator/kube/transport.js';
import { PROMOTION_GROUP, PROMOTION_PLURAL, PROMOTION_VERSION } from '../../../operator/core/types.js';
import { readState, waitUntil, type ManifestObject } from '../harness/index.js';
import { CRD_PATH } from '../../operator/core/crd-cases.js';

export const CRD_NAME = `${PROMOTION_PLURAL}.${PROMOTION_GROUP}`;
export const PROMOTION_API = `${PROMOTION_GROUP}/${PROMOTION_VERSION}`;

/** REST collection of Promotions in a namespace. */
export const promotionsPath = (namespace: string) =>
  `/apis/${PROMOTION_API}/namespaces/${namespace}/${PROMOTION_PLURAL}`;

/** The CRD exactly as the repository ships it. */
export function crdFromRepository(): ManifestObject {
  return parse(readFileSync(CRD_PATH, 'utf8')) as ManifestObject;
}

/** The cluster admin, through the operator's JSON client (no client-node model serialisation). */
export async function adminClient(): Promise<KubeClient> {
  return new KubeClient(new Transport(await loadClusterAccess({ KUBECONFIG: readState().kubeconfig })));
}

/** The same cluster, authenticated only by `token` (e.g. a ServiceAccount's TokenRequest token). */
export function tokenClient(admin: KubeClient, token: string): KubeClient {
  const { server, ca, insecureSkipTlsVerify } = admin.transport.access;
  return new KubeClient(new Transport({ server, ca, insecureSkipTlsVerify, token }));
}

/** HTTP status of a request: 2xx codes as 200/201, errors as their code (403, 404, 422, …). */
export async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (err) {
    if (err instanceof KubeError) return err.code;
    throw err;
  }
}

/** The rejection of a call that must fail: its HTTP code and the apiserver's message. */
export async function rejection(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof KubeError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('the apiserver accepted a request the test expected it to reject');
}

/**
 * Server-side applies a CRD as plain JSON and waits until it is Established. (The harness's
 * applyObjects goes through client-node's models, which drop `x-kubernetes-*` schema keys.)
 * Test files share the CRD, so this never deletes or changes it beyond the shipped content.
 */
export async function installCrd(admin: KubeClient, crd: ManifestObject = crdFromRepository()): Promise<void> {
  await admin.request('PATCH', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata!.name}`, {
    body: crd,
    contentType: 'application/apply-patch+yaml',
    query: { fieldManager: 'ponyexpress-test', force: 'true' },
  });
  await waitUntil(
    async () => {
      const current = await admin.request<{ status?: { conditions?: { type: string; status: string }[] } }>(
        'GET',
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata!.name}`,
      );
      return Boolean(current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'));
    },
    { what: `CRD ${crd.metadata!.name} Established`, timeoutMs: 30_000 },
  );
}

/**
 * Right after a CRD is created the apiserver may serve its resource a moment late or with a
 * stale schema (kubernetes#104090): wait until a dry-run create of `valid` succeeds.
 */
export async function waitUntilServed(admin: KubeClient, valid: ManifestObject): Promise<void> {
  let last: unknown;
  await waitUntil(
    async () => {
      try {
        await admin.request('POST', promotionsPath(valid.metadata!.namespace!), {
          body: valid,
          query: { dryRun: 'All' },
        });
        return true;
      } catch (err) {
        last = err;
        return false;
      }
    },
    { what: 'Promotions served', timeoutMs: 30_000, intervalMs: 250 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last error: ${String(last)}`);
  });
}

/** A namespace-name prefix unique to this run of a test file (files share one cluster). */
export function uniquePrefix(file: string): string {
  return `${file}-${Date.now().toString(36).slice(-5)}`;
}

/** A GET with an explicit Accept header (e.g. a server-side Table), outside KubeClient's JSON-only requests. */
export function getWithAccept(
  client: KubeClient,
  path: string,
  accept: string,
): Promise<{ status: number; body: string }> {
  const { ca, cert, key, token, insecureSkipTlsVerify } = client.transport.access;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      client.url(path),
      {
        method: 'GET',
        ca,
        cert,
        key,
        rejectUnauthorized: !insecureSkipTlsVerify,
        timeout: 10_000,
        headers: { accept, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
