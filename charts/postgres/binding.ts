import { k8s } from 'cdk8s-plus-27';
import { peerFromConfig, podsInNamespace } from '../network-peers.js';
import { POSTGRES_PORT, type DatabaseConfig } from '../config/database-schema.js';
import { providerSecret, type PgVariable } from './provider-secrets.js';
import { APP_ENV } from '../../contract/index.js';

export const CA_MOUNT_DIR = '/etc/postgres-ca';
export const BINDINGS_ROOT = '/bindings';

/** servicebinding.io well-known entry names, per libpq variable. */
const BINDING_ENTRY: Record<PgVariable, string> = {
  PGHOST: 'host',
  PGPORT: 'port',
  PGUSER: 'username',
  PGPASSWORD: 'password',
  PGDATABASE: 'database',
  DATABASE_URL: 'uri',
};
const ENV_ORDER: PgVariable[] = ['PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGDATABASE', 'DATABASE_URL'];

/** Everything an app container needs to reach Postgres, derived from the environment's `database` block. */
export interface PostgresBinding {
  /** `PG*` (and DATABASE_URL) from secretKeyRef only, plus PGSSLMODE/PGSSLROOTCERT/SERVICE_BINDING_ROOT. */
  env: k8s.EnvVar[];
  /** Non-secret values for the app ConfigMap (Zalando's host, port and database). */
  configData: Record<string, string>;
  volumes: k8s.Volume[];
  mounts: k8s.VolumeMount[];
  /** The servicebinding.io ConfigMap (`type`, `provider`, …) when the projection is on. */
  bindingConfigMap?: { name: string; data: Record<string, string> };
  egressPort: number;
  egressTo: k8s.NetworkPolicyPeer[];
}

/**
 * Zalando's Secret has no URI, so DATABASE_URL is assembled by the kubelet's `$(VAR)` expansion from variables
 * defined before it: PGUSER/PGPASSWORD (secretKeyRef, above) and PGHOST/PGPORT/PGDATABASE (the ConfigMap,
 * which `envFrom` defines first). The expansion copies bytes and never percent-encodes: a password with
 * `@ : / ? # %` gives a broken URL (docs/charts.md says what to do). The operator's generated passwords are
 * alphanumeric.
 */
export function zalandoDatabaseUrl(sslMode?: string): string {
  const url = 'postgresql://$(PGUSER):$(PGPASSWORD)@$(PGHOST):$(PGPORT)/$(PGDATABASE)';
  return sslMode ? `${url}?sslmode=${sslMode}` : url;
}

export function postgresBinding(db: DatabaseConfig, app: string, namespace: string): PostgresBinding {
  const source = providerSecret(db, app);
  const env: k8s.EnvVar[] = [];
  for (const variable of ENV_ORDER) {
    const key = source.keys[variable];
    if (key) env.push({ name: variable, valueFrom: { secretKeyRef: { name: source.secretName, key } } });
  }
  if (db.sslMode) env.push({ name: 'PGSSLMODE', value: db.sslMode });
  if (db.provider === 'zalando') env.push({ name: APP_ENV.databaseUrl, value: zalandoDatabaseUrl(db.sslMode) });
  const volumes: k8s.Volume[] = [];
  const mounts: k8s.VolumeMount[] = [];
  if (db.caSecret) {
    volumes.push({
      name: 'postgres-ca',
      secret: { secretName: db.caSecret.name, items: [{ key: db.caSecret.key, path: 'ca.crt' }] },
    });
    mounts.push({ name: 'postgres-ca', mountPath: CA_MOUNT_DIR, readOnly: true });
    env.push({ name: 'PGSSLROOTCERT', value: `${CA_MOUNT_DIR}/ca.crt` });
  }
  let bindingConfigMap: PostgresBinding['bindingConfigMap'];
  if (db.serviceBinding) {
    const name = db.serviceBinding.name;
    const cmName = `${app}-binding-${name}`;
    const data: Record<string, string> = { type: 'postgresql', provider: db.provider };
    for (const [variable, value] of Object.entries(source.plain)) data[BINDING_ENTRY[variable as PgVariable]] = value;
    bindingConfigMap = { name: cmName, data };
    const secretItems = ENV_ORDER.filter((v) => source.keys[v]).map((v) => ({
      key: source.keys[v]!,
      path: BINDING_ENTRY[v],
    }));
    volumes.push({
      name: `binding-${name}`,
      projected: {
        sources: [
          { secret: { name: source.secretName, items: secretItems } },
          {
            configMap: {
              name: cmName,
              items: Object.keys(data)
                .sort()
                .map((k) => ({ key: k, path: k })),
            },
          },
        ],
      },
    });
    mounts.push({ name: `binding-${name}`, mountPath: `${BINDINGS_ROOT}/${name}`, readOnly: true });
    env.push({ name: 'SERVICE_BINDING_ROOT', value: BINDINGS_ROOT });
  }
  const egressTo: k8s.NetworkPolicyPeer[] = db.egress
    ? db.egress.to.map(peerFromConfig)
    : Object.keys(source.podLabels).length > 0
      ? [podsInNamespace(namespace, source.podLabels)]
      : [];
  return {
    env,
    configData: { ...source.plain },
    volumes,
    mounts,
    ...(bindingConfigMap ? { bindingConfigMap } : {}),
    egressPort: db.egress?.port ?? (db.provider === 'zalando' ? db.port : POSTGRES_PORT),
    egressTo,
  };
}
