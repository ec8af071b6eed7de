// Runs around every cluster test file (setupFilesAfterEnv of the jest "cluster" project).
import { afterAll, beforeAll, jest } from '@jest/globals';
import { acquireClusterLock, releaseClusterLock } from './harness/file-lock.js';

// Cluster tests wait for real controllers (rollouts, Jobs, an apiserver restart): jest's 5 s
// default is far too short, and testTimeout cannot be set per project in jest.config.js.
jest.setTimeout(300_000);

// Files take turns on the shared control plane; waiting may last as long as another file.
beforeAll(acquireClusterLock, 60 * 60_000);
afterAll(releaseClusterLock);
