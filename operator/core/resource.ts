// The Promotion custom resource as TypeScript types: the spec users write and the status the operator owns.
// The CRD (operator/crd/promotions.ponyexpress.dev.yaml) is the schema of record; its interfaces are generated
// into imports/promotion-types.ts (npm run import:types) and re-exported here, narrowed only where the
// operator writes a tighter shape than the CRD states. Import them through ./types.js.

import { PROMOTION_DEFAULTS, type Approval, type WorkloadComponent } from '../../contract/index.js';
import type * as crd from '../../imports/promotion-types.js';

// Keys, names and defaults shared with the charts live in contract/; re-exported for the operator's modules.
export {
  ANNOTATION,
  FIELD_MANAGER,
  LABEL,
  PROMOTION_GROUP,
  PROMOTION_KIND,
  PROMOTION_PLURAL,
  PROMOTION_VERSION,
  type Approval,
  type WorkloadComponent,
} from '../../contract/index.js';

export const DEFAULTS = {
  ...PROMOTION_DEFAULTS,
  /** Not in contract/: only the core and the CRD know it. */
  drift: 'Revert' as DriftPolicy,
  /** How long a failed smoke check is trusted before it is retried. */
  smokeRetrySeconds: 30,
} as const;

export type {
  HistoryEntry,
  HoldStatus,
  LabelSelector,
  ProductionStatus,
  PromotionSpec,
  StagingStatus,
} from '../../imports/promotion-types.js';

/** Revert: set the promoted image again (no migration). Hold: leave it, report it, until a human acts. */
export type DriftPolicy = NonNullable<crd.PromotionPolicy['drift']>;

/** Top-level phase, for humans and the printer column. */
export type Phase = NonNullable<crd.PromotionStatus['phase']>;

export type InFlightPhase = crd.InFlightStatus['phase'];

/**
 * Observed: what production ran when the operator first saw it (so it can be rolled back to);
 * Aborted: an in-flight promotion superseded by a rollback.
 */
export type HistoryResult = crd.HistoryEntry['result'];

/** History results whose image ran in production, so ponyexpress.dev/rollback-to may name them. */
export const ROLLBACK_TARGET_RESULTS: readonly HistoryResult[] = ['Succeeded', 'RolledBack', 'Observed'];

/** One image identity, the part every status record shares. `image` is `repo@sha256:…` when the digest is known, else `repo:tag`. */
export type ImageRecord = Pick<crd.StagingStatus, 'tag' | 'digest' | 'image'>;

/**
 * Ready/StagingVerified/Promoting/Degraded for humans; Reconciling/Stalled are kstatus' standard pair
 * (abnormal-true), so kstatus tools (Flux health checks, cli-utils) read the Promotion correctly:
 * Reconciling mirrors Promoting, Stalled mirrors Degraded.
 */
export type ConditionType = 'Ready' | 'StagingVerified' | 'Promoting' | 'Degraded' | 'Reconciling' | 'Stalled';

// Narrowed: the CRD accepts any condition type and policy string (other writers may add conditions);
// the operator writes only these, and always sets observedGeneration.

/** metav1.Condition: lastTransitionTime (RFC 3339, seconds precision) changes only when status flips. */
export interface Condition extends crd.PromotionCondition {
  type: ConditionType;
  observedGeneration: number;
}

export interface InFlightStatus extends crd.InFlightStatus {
  /** The spec this flight started with: later edits apply to the next flight (absent in flights of older operators). */
  waves?: WorkloadComponent[][];
  policy?: crd.InFlightPolicy & { approval: Approval };
}

/**
 * What the status fields mean (the CRD gives their shape only; its descriptions are the place to move this to,
 * which changes the applied CRD): staging is the current candidate, absent when staging runs no single app
 * image; staging.migrated stays true while the candidate is the same, so a Job removed by its TTL does not
 * un-verify it; production.promotedAt is absent when production was observed rather than promoted;
 * inFlight.wave indexes spec.target.waves (0 while Migrating), and its waves/rolloutTimeoutSeconds/
 * migrationJobTemplate/policy are the spec the flight started with; history is newest first, at most
 * spec.historyLimit entries; hold.by is `annotation` (ponyexpress.dev/hold) or `rollback` (a finished rollback-to).
 */
export interface PromotionStatus extends crd.PromotionStatus {
  conditions?: Condition[];
  inFlight?: InFlightStatus;
}

/** The metadata the core reads from its own custom resources: name and namespace are always set. */
export interface CustomObjectMeta {
  name: string;
  namespace: string;
  uid?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PromotionObject {
  apiVersion?: string;
  kind?: string;
  metadata: CustomObjectMeta;
  spec: crd.PromotionSpec;
  status?: PromotionStatus;
}
