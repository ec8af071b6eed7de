// Runs around every kind test file (setupFilesAfterEnv of the jest "kind" project): each starts once the
// background bring-up (background.ts) has the cluster ready. A cold one builds the node image's Go binaries
// at low priority behind the other projects' tests, hence the long wait allowed.
import { beforeAll } from '@jest/globals';
import { awaitBringUp } from './background.js';

beforeAll(awaitBringUp, 90 * 60_000);
