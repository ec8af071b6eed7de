import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../charts/config/load.js';
import type { EnvironmentConfig } from '../charts/config/environment-schema.js';
import { synthesizeAll } from '../charts/synth.js';
import { readManifestDir } from './kube/manifests.js';
import type { KubeObject, SecretFixtures } from './kube/types.js';
import type { PostgresServer } from './services/postgres.js';
import type { RedisServer } from './services/redis.js';

export interface Manifests {
  objects: KubeObject[];
  config: EnvironmentConfig;
  /** Where the YAML came from (a fresh temp dir unless manifestDir was given). */
  dir: string;
  cleanup(): void;
}

export interface ManifestSource {
  /** The folder holding `<env>.yaml`, or a folder with an `environments/` inside. */
  configDir: string;
  env: string;
  /** An existing dist/<env> (e.g. a hand-edited copy) instead of a fresh synth. @default synthesise */
  manifestDir?: string;
}

/** `dir/environments` when it exists, else `dir`: both spellings of "where the environment files are". */
export function environmentsDir(dir: string): string {
  return existsSync(join(dir, 'environments')) ? join(dir, 'environments') : dir;
}

/** The manifests of one environment as files, synthesised into a temp dir (never a repo's dist/). */
export function manifestsFor(source: ManifestSource): Manifests {
  const configDir = environmentsDir(source.configDir);
  const loaded = loadConfig(configDir).environments.find((e) => e.name === source.env);
  if (!loaded) throw new Error(`--env ${source.env}: no ${source.env}.yaml in ${configDir}`);
  if (source.manifestDir) {
    const dir = source.manifestDir;
    return { objects: readManifestDir(dir), config: loaded.config, dir, cleanup: () => undefined };
  }
  const outDir = mkdtempSync(join(tmpdir(), 'ponyexpress-contract-dist-'));
  const [result] = synthesizeAll({ configDir, outDir, only: [source.env] }).outputs;
  return {
    objects: readManifestDir(result.dir),
    config: loaded.config,
    dir: result.dir,
    cleanup: () => rmSync(outDir, { recursive: true, force: true }),
  };
}

/**
 * The Secrets the cluster would hold, shaped like the real thing: CloudNativePG's
 * `<cluster>-app` (every key it writes, so the charts must pick the right ones),
 * the broker Secret and the Django secret key, pointing at our local servers.
 */
export function fixtureSecrets(config: EnvironmentConfig, pg: PostgresServer, redis: RedisServer): SecretFixtures {
  const db = config.database;
  if (db.provider !== 'cloudnative-pg') {
    throw new Error(
      `the contract check models CloudNativePG's Secret; this environment uses database.provider "${db.provider}" (use "cloudnative-pg" in the environment file you check)`,
    );
  }
  const { host, port, user, password, database } = pg;
  return {
    [`${db.cluster}-app`]: {
      username: user,
      user,
      password,
      dbname: database,
      host,
      port: String(port),
      uri: pg.uri(),
      'jdbc-uri': `jdbc:postgresql://${host}:${port}/${database}?password=${password}&user=${user}`,
      pgpass: `${host}:${port}:${database}:${user}:${password}\n`,
    },
    [config.broker.url.name]: { [config.broker.url.key]: redis.url(0) },
    [config.django.secretKey.name]: { [config.django.secretKey.key]: 'contract-test-secret-key-0123456789abcdef' },
  };
}
