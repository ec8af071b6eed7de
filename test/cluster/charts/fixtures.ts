// What the charts expect to exist but never create themselves: the provider Secrets
// (CloudNativePG's `<cluster>-app`, the broker URL, the Django secret key), and a stand-in
// for Argo CD's Application CRD so dist/<env>/argocd/ applies on a cluster without Argo CD.
import { ApiextensionsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { applyObjects, type ManifestObject } from '../harness/apply.js';
import { waitUntil } from '../harness/readiness.js';

/** Secrets shaped like the real providers' (keys as CloudNativePG writes them for `<cluster>-app`). */
export function providerSecrets(namespace: string, app = 'ponyshop', dbCluster = 'ponyshop-db'): ManifestObject[] {
  const password = 'test-only-password';
  const host = `${dbCluster}-rw.${namespace}.svc`;
  const secret = (name: string, stringData: Record<string, string>): ManifestObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: name, namespace },
    stringData,
  });
  return [
    secret(`${dbCluster}-app`, {
      username: app,
      user: app,
      password,
      dbname: app,
      host,
      port: '5432',
      uri: `postgresql://${app}:${password}@${host}:5432/${app}`,
      'jdbc-uri': `jdbc:postgresql://${host}:5432/${app}?password=${password}&user=${app}`,
      pgpass: `${host}:5432:${app}:${app}:${password}\n`,
    }),
    secret(`${app}-redis`, { url: `redis://${app}-redis.${namespace}.svc:6379/0` }),
    secret(`${app}-django`, { 'secret-key': 'test-only-django-secret-key-0123456789abcdef' }),
  ];
}

/**
 * A schemaless Application CRD (argoproj.io/v1alpha1): the real one is installed by Argo CD,
 * which this cluster does not run. It lets the test prove the object is well-formed enough
 * to be stored (apiVersion, kind, names), not that Argo CD would accept its spec.
 */
const anyObject = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

export async function installArgoApplicationStandIn(kc: KubeConfig): Promise<void> {
  await applyObjects(kc, [
    {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'applications.argoproj.io' },
      spec: {
        group: 'argoproj.io',
        scope: 'Namespaced',
        names: { kind: 'Application', listKind: 'ApplicationList', plural: 'applications', singular: 'application' },
        versions: [
          {
            name: 'v1alpha1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: anyObject, status: anyObject, operation: anyObject },
              },
            },
          },
        ],
      },
    },
  ]);
  const api = kc.makeApiClient(ApiextensionsV1Api);
  await waitUntil(
    async () => {
      const crd = await api.readCustomResourceDefinition({ name: 'applications.argoproj.io' });
      return Boolean(crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'));
    },
    { what: 'Application CRD established', timeoutMs: 30_000 },
  );
}
