// The charts' `external-secrets` database provider, bound through the real External Secrets Operator
// (scripts/kind/eso.sh: our slim build of ESO's controllers with its Kubernetes provider). In both
// environments a SecretStore reads the PostgreSQL stand-in's Secret and the charts' ExternalSecret makes the
// Secret the app binds; the migrate Job and the web pods must run on that Secret, never on the source.
import { BatchV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig, type V1PodSpec } from '@kubernetes/client-node';
import { externalSecretTargetName } from '../../charts/postgres/provider-secrets.js';
import { DB_SOURCE_SECRET, PRODUCTION_NS, STAGING_NS } from './kind-env.js';
import { isReady, kindKubeConfig, waitFor } from './support.js';

const APP = 'ponyshop';
const TARGET = externalSecretTargetName(APP);
let kc: KubeConfig;

beforeAll(() => {
  kc = kindKubeConfig();
});

const decode = (data: Record<string, string> | undefined) =>
  Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

/** The Secret names a pod spec's app containers read PG* variables from. */
const pgSecretNames = (spec: V1PodSpec | undefined) =>
  new Set(
    [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].flatMap((c) =>
      (c.env ?? [])
        .filter((e) => e.name.startsWith('PG') && e.valueFrom?.secretKeyRef)
        .map((e) => e.valueFrom!.secretKeyRef!.name),
    ),
  );

async function readExternalSecret(namespace: string) {
  return (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: 'external-secrets.io',
    version: 'v1',
    namespace,
    plural: 'externalsecrets',
    name: TARGET,
  })) as { metadata: { uid: string }; status?: { conditions?: { type: string; status: string; message?: string }[] } };
}

describe('kind: the database Secret comes from External Secrets Operator', () => {
  it.each([STAGING_NS, PRODUCTION_NS])(
    '%s: ESO made it from the stand-in Secret, and the migrate Job and web pods use it',
    async (namespace) => {
      const core = kc.makeApiClient(CoreV1Api);
      const es = await readExternalSecret(namespace);
      expect(es.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });

      const made = await core.readNamespacedSecret({ name: TARGET, namespace });
      expect(made.metadata?.labels?.['reconcile.external-secrets.io/managed']).toBe('true');
      expect(made.metadata?.ownerReferences).toContainEqual(
        expect.objectContaining({ kind: 'ExternalSecret', name: TARGET, uid: es.metadata.uid, controller: true }),
      );
      const source = decode((await core.readNamespacedSecret({ name: DB_SOURCE_SECRET, namespace })).data);
      const values = decode(made.data);
      for (const key of ['host', 'port', 'username', 'password', 'dbname'])
        expect([key, values[key]]).toEqual([key, source[key]]);
      const q = encodeURIComponent;
      expect(values.uri).toBe(
        `postgresql://${q(source.username)}:${q(source.password)}@${source.host}:${source.port}/${source.dbname}`,
      );

      const jobs = await kc.makeApiClient(BatchV1Api).listNamespacedJob({
        namespace,
        labelSelector: `app.kubernetes.io/name=${APP},app.kubernetes.io/component=migrate`,
      });
      const migrated = jobs.items.filter((j) => (j.status?.succeeded ?? 0) > 0);
      expect(migrated.length).toBeGreaterThan(0);
      for (const job of migrated)
        expect([job.metadata?.name, [...pgSecretNames(job.spec?.template.spec)]]).toEqual([
          job.metadata?.name,
          [TARGET],
        ]);

      // web's readiness checks the database, so a Ready pod has connected with these credentials.
      const web = (
        await core.listNamespacedPod({
          namespace,
          labelSelector: `app.kubernetes.io/name=${APP},app.kubernetes.io/component=web`,
        })
      ).items.filter(isReady);
      expect(web.length).toBeGreaterThan(0);
      for (const pod of web)
        expect([pod.metadata?.name, [...pgSecretNames(pod.spec)]]).toEqual([pod.metadata?.name, [TARGET]]);
    },
    30_000,
  );

  it('ESO makes the Secret again when it is deleted (the operator is live, not a one-off copy)', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const before = await core.readNamespacedSecret({ name: TARGET, namespace: STAGING_NS });
    await core.deleteNamespacedSecret({ name: TARGET, namespace: STAGING_NS });
    const after = await waitFor(
      `ESO to make ${STAGING_NS}/${TARGET} again`,
      async () => {
        const s = await core.readNamespacedSecret({ name: TARGET, namespace: STAGING_NS }).catch(() => undefined);
        return s && s.metadata?.uid !== before.metadata?.uid ? s : undefined;
      },
      60_000,
      async () => JSON.stringify((await readExternalSecret(STAGING_NS)).status, null, 1),
    );
    expect(decode(after.data)).toEqual(decode(before.data));
  }, 90_000);
});
