import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../charts/config/load.js';
import type { EnvironmentConfig } from '../../charts/config/environment-schema.js';
import { synthesizeAll } from '../../charts/synth.js';
import { readManifestDir } from './kube/manifests.js';
import type { KubeObject, SecretFixtures } from './kube/types.js';
import type { PostgresServer } from './services/postgres.js';
import { repoRoot } from './services/python-env.js';
import type { RedisServer } from './services/redis.js';

export interface Manifests {
  objects: KubeObject[];
  config: EnvironmentConfig;
  /** Where the YAML came from (a fresh temp dir unless CONTRACT_MANIFEST_DIR is set). */
  dir: string;
  cleanup(): void;
}

/**
 * The staging manifests as files, synthesised into a temp dir (never the repo's dist/).
 * CONTRACT_MANIFEST_DIR=<dir> runs the contract against an existing dist/<env> instead,
 * e.g. a hand-edited copy; CONTRACT_CONFIG_DIR picks the environment files. @default environments/, staging
 */
export function stagingManifests(): Manifests {
  const configDir = process.env.CONTRACT_CONFIG_DIR ?? join(repoRoot, 'environments');
  const env = process.env.CONTRACT_ENV ?? 'staging';
  const loaded = loadConfig(configDir).environments.find((e) => e.name === env);
  if (!loaded) throw new Error(`CONTRACT_ENV=${env}: no environments/${env}.yaml in ${configDir}`);
  if (process.env.CONTRACT_MANIFEST_DIR) {
    const dir = process.env.CONTRACT_MANIFEST_DIR;
    return { objects: readManifestDir(dir), config: loaded.config, dir, cleanup: () => undefined };
  }
  const outDir = mkdtempSync(join(tmpdir(), 'ponyexpress-contract-dist-'));
  const [result] = synthesizeAll({ configDir, outDir, only: [env] }).outputs;
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
    throw new Error(`the contract fixture models CloudNativePG's Secret; environment uses ${db.provider}`);
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
