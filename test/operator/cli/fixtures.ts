// A realistic Promotion, as `kubectl get promotion -o json` would return it mid-life.
import type { PromotionObject } from '../../../operator/core/types.js';

export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;
export const DIGEST_C = `sha256:${'c'.repeat(64)}`;
export const DIGEST_D = `sha256:${'d'.repeat(64)}`;
export const NOW = new Date('2026-11-22T12:00:00Z');
const REPO = 'ghcr.io/ponyexpress/ponyshop';

export function promotion(
  overrides: {
    annotations?: Record<string, string>;
    status?: PromotionObject['status'];
    approval?: 'Automatic' | 'Manual';
  } = {},
): PromotionObject {
  return {
    apiVersion: 'ponyexpress.dev/v1alpha1',
    kind: 'Promotion',
    metadata: { name: 'ponyshop', namespace: 'ponyshop-production', generation: 3, annotations: overrides.annotations },
    spec: {
      imageRepository: REPO,
      source: {
        namespace: 'ponyshop-staging',
        selector: { matchLabels: { 'app.kubernetes.io/instance': 'ponyshop-staging' } },
        migrationJobSelector: {
          matchLabels: { 'app.kubernetes.io/instance': 'ponyshop-staging', 'app.kubernetes.io/component': 'migrate' },
        },
        soakSeconds: 300,
      },
      target: {
        namespace: 'ponyshop-production',
        selector: { matchLabels: { 'app.kubernetes.io/instance': 'ponyshop-production' } },
        migrationJobTemplate: { template: { spec: { containers: [] } } },
      },
      policy: { approval: overrides.approval ?? 'Manual' },
    },
    status: overrides.status ?? {
      observedGeneration: 3,
      phase: 'Waiting',
      staging: {
        tag: '1.5.0',
        digest: DIGEST_C,
        image: `${REPO}@${DIGEST_C}`,
        verified: true,
        healthySince: '2026-11-22T11:50:00Z',
      },
      production: { tag: '1.4.0', digest: DIGEST_B, image: `${REPO}@${DIGEST_B}`, promotedAt: '2026-11-21T12:00:00Z' },
      conditions: [
        {
          type: 'StagingVerified',
          status: 'True',
          observedGeneration: 3,
          reason: 'Verified',
          message: 'all checks passed',
          lastTransitionTime: '2026-11-22T11:55:00Z',
        },
        {
          type: 'Ready',
          status: 'False',
          observedGeneration: 3,
          reason: 'AwaitingApproval',
          message: 'waiting for approval of 1.5.0',
          lastTransitionTime: '2026-11-22T11:55:00Z',
        },
      ],
      history: [
        {
          tag: '1.4.0',
          digest: DIGEST_B,
          image: `${REPO}@${DIGEST_B}`,
          result: 'Succeeded',
          startedAt: '2026-11-21T11:58:00Z',
          finishedAt: '2026-11-21T12:00:00Z',
          reason: 'Promoted',
        },
        {
          tag: '1.3.9',
          digest: DIGEST_A,
          image: `${REPO}@${DIGEST_A}`,
          result: 'Failed',
          startedAt: '2026-11-20T10:00:00Z',
          finishedAt: '2026-11-20T10:01:00Z',
          reason: 'MigrationFailed: BackoffLimitExceeded',
        },
        {
          tag: '1.3.0',
          digest: DIGEST_D,
          image: `${REPO}@${DIGEST_D}`,
          result: 'Succeeded',
          startedAt: '2026-11-19T10:00:00Z',
          finishedAt: '2026-11-19T10:05:00Z',
          reason: 'Promoted',
        },
      ],
    },
  };
}
