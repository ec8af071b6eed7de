// The Promotion resource's identity and defaults. The CRD (operator/crd/) states the same defaults in its
// schema; test/operator/core/crd.test.ts holds it to these.
import type { WorkloadComponent } from './labels.js';

export const PROMOTION_GROUP = 'ponyexpress.dev';
export const PROMOTION_VERSION = 'v1alpha1';
export const PROMOTION_KIND = 'Promotion';
export const PROMOTION_PLURAL = 'promotions';

export type Approval = 'Automatic' | 'Manual';

export const PROMOTION_DEFAULTS = {
  /** Staging pods must stay Ready without restarts this long. */
  soakSeconds: 300,
  /** A rollout wave not complete after this long fails the promotion. */
  rolloutTimeoutSeconds: 600,
  /** Entries kept in status.history. */
  historyLimit: 10,
  /** Migrations run first; then web and worker; then beat. */
  waves: [['web', 'worker'], ['beat']] as WorkloadComponent[][],
  approval: 'Automatic' as Approval,
  suspend: false,
} as const;
