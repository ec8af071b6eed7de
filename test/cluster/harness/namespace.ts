// Namespaces for tests, labelled for Pod Security Admission.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { applyObjects } from './apply.js';
import { waitUntil } from './readiness.js';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface NamespaceOptions {
  /** Enforced (and warned/audited) Pod Security level. @default 'restricted' */
  podSecurity?: PodSecurityLevel;
  /** Extra labels. @default none */
  labels?: Record<string, string>;
  /** Wait until the ServiceAccount controller created `default` (pods need it). @default true */
  waitForDefaultServiceAccount?: boolean;
}

/** Creates (or updates) a namespace with `pod-security.kubernetes.io/enforce: restricted` by default. */
export async function createTestNamespace(kc: KubeConfig, name: string, options: NamespaceOptions = {}): Promise<void> {
  const level = options.podSecurity ?? 'restricted';
  await applyObjects(kc, [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        labels: {
          ...options.labels,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': level,
          'pod-security.kubernetes.io/audit': level,
        },
      },
    },
  ]);
  if (options.waitForDefaultServiceAccount ?? true) {
    const core = kc.makeApiClient(CoreV1Api);
    await waitUntil(
      async () => Boolean(await core.readNamespacedServiceAccount({ name: 'default', namespace: name })),
      { what: `ServiceAccount ${name}/default`, timeoutMs: 30_000, intervalMs: 100 },
    );
  }
}

export interface DeleteNamespaceOptions {
  /** Wait until the namespace is gone (its contents deleted by the namespace controller). @default true */
  wait?: boolean;
  /** @default 120000 */
  timeoutMs?: number;
}

/** Deletes a namespace (ignoring "not found"), by default waiting until it is gone. */
export async function deleteTestNamespace(
  kc: KubeConfig,
  name: string,
  options: DeleteNamespaceOptions = {},
): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.deleteNamespace({ name }).catch((error: { code?: number }) => {
    if (error.code !== 404) throw error;
  });
  if (options.wait === false) return;
  const timeoutMs = options.timeoutMs ?? 120_000;
  await waitUntil(
    async () => {
      try {
        await core.readNamespace({ name });
        return false;
      } catch (error) {
        return (error as { code?: number }).code === 404;
      }
    },
    { what: `namespace ${name} deleted`, timeoutMs, intervalMs: 250 },
  );
}
