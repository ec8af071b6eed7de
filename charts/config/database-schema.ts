import { z } from 'zod';
import { dnsLabel, integer, dnsSubdomain, egress, secretKey, secretKeyRef } from './common-schema.js';

/** libpq's default port, and the egress port when a provider names none. */
export const POSTGRES_PORT = 5432;

/** Fields every provider shares: TLS, the optional servicebinding.io projection and the egress rule. */
const common = {
  /** libpq `sslmode`, exported as the literal `PGSSLMODE` (it is not a secret). @default unset (libpq's own default) */
  sslMode: z.enum(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']).optional(),
  /** Secret key holding the CA bundle; mounted read-only and exported as `PGSSLROOTCERT`. @default none */
  caSecret: secretKeyRef.optional(),
  /** Project the credentials at `/bindings/<name>` (servicebinding.io workload projection). @default off */
  serviceBinding: z.strictObject({ name: dnsLabel }).optional(),
  /** Where the database lives, for the egress NetworkPolicy. @default the provider's pods in the app namespace, port 5432 */
  egress: egress.optional(),
};

const cloudNativePg = z.strictObject({
  provider: z.literal('cloudnative-pg'),
  /** `Cluster` name; its application Secret is `<cluster>-app`. */
  cluster: dnsLabel,
  ...common,
});

const crunchy = z.strictObject({
  provider: z.literal('crunchy'),
  /** `PostgresCluster` name. */
  cluster: dnsLabel,
  /** Database user from `spec.users`; its Secret is `<cluster>-pguser-<user>`. */
  user: dnsLabel,
  /** Connect through PgBouncer (`pgbouncer-host`/`pgbouncer-port`/`pgbouncer-uri`). @default false */
  pgBouncer: z.boolean().default(false),
  ...common,
});

const zalando = z.strictObject({
  provider: z.literal('zalando'),
  /** `postgresql` resource name; also the name of its primary Service. */
  cluster: dnsLabel,
  user: dnsLabel,
  /** The operator's Secret holds no database name, so it is configured here. */
  database: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Postgres database name'),
  /** @default 5432 */
  port: integer(1, 65_535).default(POSTGRES_PORT),
  ...common,
});

const externalSecrets = z.strictObject({
  provider: z.literal('external-secrets'),
  secretStoreRef: z.strictObject({
    name: dnsSubdomain,
    /** @default SecretStore */
    kind: z.enum(['SecretStore', 'ClusterSecretStore']).default('SecretStore'),
  }),
  /** Key of the remote secret (e.g. the RDS or Cloud SQL credentials secret). */
  remoteKey: z.string().min(1, 'a non-empty remote key'),
  /** Property names inside the remote secret. @default RDS's: username, password, host, port, dbname */
  properties: z
    .strictObject({
      host: z.string().default('host'),
      port: z.string().default('port'),
      username: z.string().default('username'),
      password: z.string().default('password'),
      dbname: z.string().default('dbname'),
    })
    .prefault({}),
  /** @default 1h */
  refreshInterval: z
    .string()
    .regex(/^([0-9]+(s|m|h))+$/, 'a duration such as "1h" or "15m"')
    .default('1h'),
  ...common,
});

const generic = z.strictObject({
  provider: z.literal('generic'),
  secretName: dnsSubdomain,
  /** Which key of `secretName` feeds each libpq variable. */
  keys: z.strictObject({
    PGHOST: secretKey,
    /** @default libpq's 5432 when unset */
    PGPORT: secretKey.optional(),
    PGUSER: secretKey,
    PGPASSWORD: secretKey,
    PGDATABASE: secretKey,
    /** @default no DATABASE_URL */
    DATABASE_URL: secretKey.optional(),
  }),
  ...common,
});

export const databaseSchema = z.discriminatedUnion('provider', [
  cloudNativePg,
  crunchy,
  zalando,
  externalSecrets,
  generic,
]);

export type DatabaseConfig = z.infer<typeof databaseSchema>;
