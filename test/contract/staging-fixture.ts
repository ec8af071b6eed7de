import { join } from 'node:path';
import { manifestsFor, type Manifests } from '../../checkapp/fixture.js';
import { repoRoot } from './python-env.js';

export { fixtureSecrets, type Manifests } from '../../checkapp/fixture.js';

/**
 * The staging manifests for tests that drive the harness themselves (test/container/).
 * CONTRACT_CONFIG_DIR, CONTRACT_ENV and CONTRACT_MANIFEST_DIR pick others. @default environments/, staging
 */
export function stagingManifests(): Manifests {
  return manifestsFor({
    configDir: process.env.CONTRACT_CONFIG_DIR ?? join(repoRoot, 'environments'),
    env: process.env.CONTRACT_ENV ?? 'staging',
    manifestDir: process.env.CONTRACT_MANIFEST_DIR,
  });
}
