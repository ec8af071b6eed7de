// `env:` (environment-wide and per component) and the names the charts reserve for themselves.
import { z } from 'zod';
import { APP_ENV, PG_ENV } from '../../contract/index.js';
import { dnsSubdomain, secretKey } from './common-schema.js';

const ENV_NAME_RULE = 'an UPPER_SNAKE_CASE environment variable name (A-Z, 0-9, _)';
/** Keys of `settings` and `env`: what Django settings modules read with os.environ. */
export const envVarName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, ENV_NAME_RULE);

/** `debug` → `DEBUG`, `redis-url` → `REDIS_URL`: the name the user probably meant, when it is one. */
export function envNameFor(key: string): string | undefined {
  const upper = key.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[A-Z_][A-Z0-9_]*$/.test(upper) && upper !== key ? upper : undefined;
}

const keyRef = z.strictObject({
  name: dnsSubdomain,
  key: secretKey,
  /** The container starts without the variable when the object or key is missing. @default false */
  optional: z.boolean().optional(),
});

const ENV_VALUE =
  'a string, {secretKeyRef: {name, key}} or {configMapKeyRef: {name, key}} (a Secret or ConfigMap in the app namespace)';

/** One variable: a literal (`$(VAR)` expands against variables defined before it), or a key of a Secret or ConfigMap. */
export const envValue = z.union(
  [z.string(), z.strictObject({ secretKeyRef: keyRef }), z.strictObject({ configMapKeyRef: keyRef })],
  ENV_VALUE,
);
export type EnvValue = z.infer<typeof envValue>;

/** Variables in the order written; later entries may refer to earlier ones with `$(NAME)`. @default {} */
export const envMap = z.record(envVarName, envValue).default({});
export type EnvMap = z.infer<typeof envMap>;

/** Names the charts set themselves, each with where the value comes from instead. */
export const RESERVED_ENV: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    PG_ENV.map((name) => [name, "the charts set it from `database` (the provider's Secret, sslMode, caSecret)"]),
  ),
  [APP_ENV.databaseUrl]:
    'the charts set it from `database`; for a differently named Secret key use `database.provider: generic` with `keys.DATABASE_URL`',
  [APP_ENV.brokerUrl]:
    'the charts set it from `broker.url`; to read it under another name add that name to `broker.aliases`',
  [APP_ENV.djangoSecretKey]: 'set `django.secretKey` ({name, key} of its Secret)',
  [APP_ENV.djangoSettingsModule]: 'set `django.settingsModule`',
  [APP_ENV.djangoAllowedHosts]: 'set `domain` and `django.allowedHosts`',
  [APP_ENV.serviceBindingRoot]: 'set `database.serviceBinding`',
  [APP_ENV.workerHeartbeatFile]: "the charts set it for the worker's liveness probe (`worker.liveness`)",
  [APP_ENV.beatTickFile]: "the charts set it for beat's liveness probe (`beat.liveness`)",
  [APP_ENV.livenessPath]: 'set `web.probes.liveness.path`; the charts pass it on to the app',
  [APP_ENV.readinessPath]: 'set `web.probes.readiness.path`; the charts pass it on to the app',
};

/** `$(NAME)` references in a literal value, `$$(` escapes excluded (Kubernetes' expansion syntax). */
export function references(value: string): string[] {
  const out: string[] = [];
  for (const m of value.matchAll(/\$(\$|\(([A-Za-z_][A-Za-z0-9_]*)\))/g)) if (m[2]) out.push(m[2]);
  return out;
}
