// Checks on variable names and values across the whole environment file: reserved names, names given twice,
// and `$(VAR)` references Kubernetes would leave unexpanded.
import { APP_ENV } from '../../contract/index.js';
import { providerSecret } from '../postgres/provider-secrets.js';
import { references, RESERVED_ENV, type EnvMap } from './app-env-schema.js';
import type { DatabaseConfig } from './database-schema.js';

/** The parts of an environment file these checks read. */
export interface EnvInputs {
  app: string;
  settings: Record<string, string>;
  env: EnvMap;
  broker: { aliases: string[] };
  database: DatabaseConfig;
  web: { env: EnvMap };
  worker: { env: EnvMap };
  beat: { env: EnvMap };
  migrations: { env: EnvMap };
}

/** Every variable the charts define in app containers for this config (ConfigMap and env). */
function chartEnvNames(c: EnvInputs): string[] {
  const db = providerSecret(c.database, c.app);
  return [
    ...Object.keys(db.keys),
    ...Object.keys(db.plain),
    ...(c.database.provider === 'zalando' ? [APP_ENV.databaseUrl] : []),
    ...(c.database.sslMode ? ['PGSSLMODE'] : []),
    ...(c.database.caSecret ? ['PGSSLROOTCERT'] : []),
    ...(c.database.serviceBinding ? [APP_ENV.serviceBindingRoot] : []),
    APP_ENV.brokerUrl,
    APP_ENV.djangoSecretKey,
    APP_ENV.djangoSettingsModule,
    APP_ENV.djangoAllowedHosts,
    APP_ENV.workerHeartbeatFile,
    APP_ENV.beatTickFile,
    APP_ENV.livenessPath,
    APP_ENV.readinessPath,
  ];
}

const COMPONENT_ENV = [
  ['web', 'env'],
  ['worker', 'env'],
  ['beat', 'env'],
  ['migrations', 'env'],
] as const;

/** Reserved names, names given twice, and `$(VAR)` references Kubernetes would leave unexpanded. */
export function envProblems(c: EnvInputs): { path: (string | number)[]; expected: string }[] {
  const out: { path: (string | number)[]; expected: string }[] = [];
  const reserved = (path: (string | number)[], name: string) => {
    const instead = RESERVED_ENV[name];
    if (instead) out.push({ path, expected: `a name the charts do not set: ${name} is theirs (${instead})` });
  };
  for (const key of Object.keys(c.settings)) reserved(['settings', key], key);
  c.broker.aliases.forEach((name, i) => {
    reserved(['broker', 'aliases', i], name);
    if (name in c.settings || name in c.env)
      out.push({ path: ['broker', 'aliases', i], expected: `a name not also set in settings or env (${name} is)` });
  });
  // What a literal may refer to: the ConfigMap (envFrom comes first), then the env list in order.
  const defined = new Set<string>([...Object.keys(c.settings), ...chartEnvNames(c), ...c.broker.aliases]);
  const lists: [(string | number)[], Record<string, unknown>][] = [
    [['env'], c.env],
    ...COMPONENT_ENV.map(
      ([component]) => [[component, 'env'], c[component].env] as [string[], Record<string, unknown>],
    ),
  ];
  for (const [where, env] of lists) {
    const seen = new Set(where.length === 1 ? defined : [...defined, ...Object.keys(c.env)]);
    for (const [name, value] of Object.entries(env)) {
      const path = [...where, name];
      reserved(path, name);
      if (name in c.settings)
        out.push({
          path,
          expected: `a name not also in settings (env would silently win over the ConfigMap); keep one of settings.${name} and ${where.join('.')}.${name}`,
        });
      if (typeof value === 'string') {
        for (const ref of references(value)) {
          if (!seen.has(ref))
            out.push({
              path,
              expected: `$(${ref}) to name a variable defined before it (settings, the charts' own, or earlier in env), or $$(${ref}) for the literal text: Kubernetes leaves an unknown $(${ref}) as it is`,
            });
        }
      }
      seen.add(name);
    }
  }
  return out;
}
