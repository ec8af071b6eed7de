// Cluster tests wait for real controllers (rollouts, Jobs, an apiserver restart): jest's
// 5 s default is far too short, and testTimeout cannot be set per project in jest.config.js.
import { jest } from '@jest/globals';

jest.setTimeout(300_000);
