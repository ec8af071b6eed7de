import type { DatabaseConfig } from '../config/database-schema.js';

export type PgVariable = 'PGHOST' | 'PGPORT' | 'PGUSER' | 'PGPASSWORD' | 'PGDATABASE' | 'DATABASE_URL';

/** Where the credentials live for one provider: a Secret and which key feeds each libpq variable. */
export interface ProviderSecret {
  secretName: string;
  keys: Partial<Record<PgVariable, string>>;
  /** Non-secret connection facts the provider's Secret lacks (Zalando), delivered through the ConfigMap. */
  plain: Partial<Record<'PGHOST' | 'PGPORT' | 'PGDATABASE', string>>;
  /** Pods of the database, for the egress NetworkPolicy; empty when it lives outside the cluster. */
  podLabels: Record<string, string>;
}

/** Name of the Secret the ExternalSecret produces. */
export function externalSecretTargetName(app: string): string {
  return `${app}-db-credentials`;
}

/** The Secret each database operator creates (docs/charts.md, "Postgres providers"). */
export function providerSecret(db: DatabaseConfig, app: string): ProviderSecret {
  switch (db.provider) {
    case 'cloudnative-pg':
      return {
        secretName: `${db.cluster}-app`,
        keys: {
          PGHOST: 'host',
          PGPORT: 'port',
          PGUSER: 'username',
          PGPASSWORD: 'password',
          PGDATABASE: 'dbname',
          DATABASE_URL: 'uri',
        },
        plain: {},
        podLabels: { 'cnpg.io/cluster': db.cluster },
      };
    case 'crunchy': {
      const via = db.pgBouncer ? 'pgbouncer-' : '';
      return {
        secretName: `${db.cluster}-pguser-${db.user}`,
        keys: {
          PGHOST: `${via}host`,
          PGPORT: `${via}port`,
          PGUSER: 'user',
          PGPASSWORD: 'password',
          PGDATABASE: 'dbname',
          DATABASE_URL: `${via}uri`,
        },
        plain: {},
        podLabels: { 'postgres-operator.crunchydata.com/cluster': db.cluster },
      };
    }
    case 'zalando':
      return {
        secretName: `${db.user}.${db.cluster}.credentials.postgresql.acid.zalan.do`,
        keys: { PGUSER: 'username', PGPASSWORD: 'password' },
        plain: { PGHOST: db.cluster, PGPORT: String(db.port), PGDATABASE: db.database },
        podLabels: { 'cluster-name': db.cluster, application: 'spilo' },
      };
    case 'external-secrets':
      return {
        secretName: externalSecretTargetName(app),
        keys: {
          PGHOST: 'host',
          PGPORT: 'port',
          PGUSER: 'username',
          PGPASSWORD: 'password',
          PGDATABASE: 'dbname',
          DATABASE_URL: 'uri',
        },
        plain: {},
        podLabels: {},
      };
    case 'generic':
      return { secretName: db.secretName, keys: { ...db.keys }, plain: {}, podLabels: {} };
  }
}
