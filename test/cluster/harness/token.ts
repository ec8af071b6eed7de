// ServiceAccount tokens (TokenRequest API) and KubeConfigs that authenticate with them,
// so a test can act exactly as a workload's ServiceAccount (e.g. to prove its RBAC).
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

export interface TokenOptions {
  /** @default 3600 (the API's minimum is 600) */
  expirationSeconds?: number;
  /** @default the apiserver's own audience */
  audiences?: string[];
}

export async function mintServiceAccountToken(
  kc: KubeConfig,
  namespace: string,
  serviceAccount: string,
  options: TokenOptions = {},
): Promise<string> {
  const response = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: { spec: { expirationSeconds: options.expirationSeconds ?? 3600, audiences: options.audiences ?? [] } },
  });
  const token = response.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);
  return token;
}

/** A KubeConfig for the same cluster as `admin` that authenticates with `token`. */
export function kubeConfigForToken(admin: KubeConfig, token: string, namespace?: string): KubeConfig {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('admin KubeConfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'service-account', token }],
    contexts: [{ name: 'service-account', cluster: cluster.name, user: 'service-account', namespace }],
    currentContext: 'service-account',
  });
  return kc;
}

/** Mints a token for the ServiceAccount and returns a KubeConfig acting as it. */
export async function kubeConfigForServiceAccount(
  admin: KubeConfig,
  namespace: string,
  serviceAccount: string,
  options: TokenOptions = {},
): Promise<KubeConfig> {
  return kubeConfigForToken(admin, await mintServiceAccountToken(admin, namespace, serviceAccount, options), namespace);
}
