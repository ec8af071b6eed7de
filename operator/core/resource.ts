// The Promotion custom resource as TypeScript types: the spec users write and the status the
// operator owns. The CRD (operator/crd/promotions.ponyexpress.dev.yaml) is the schema of record;
// these types mirror it field for field. Import them through ./types.js.

import { PROMOTION_DEFAULTS, type Approval, type WorkloadComponent } from '../../contract/index.js';

// Keys, names and defaults shared with the charts live in contract/; re-exported for the operator's modules.
export {
  ANNOTATION, FIELD_MANAGER, LABEL, PROMOTION_GROUP, PROMOTION_KIND, PROMOTION_PLURAL, PROMOTION_VERSION,
  type Approval, type WorkloadComponent,
} from '../../contract/index.js';

export const DEFAULTS = {
  ...PROMOTION_DEFAULTS,
  /** Not in contract/: only the core and the CRD know it. */
  drift: 'Revert' as DriftPolicy,
  /** How long a failed smoke check is trusted before it is retried. */
  smokeRetrySeconds: 30,
} as const;

/** metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** Revert: set the promoted image again (no migration). Hold: leave it, report it, until a human acts. */
export type DriftPolicy = 'Revert' | 'Hold';

export interface PromotionSpec {
  /** Repository of the app image, without tag or digest, e.g. `ghcr.io/ponyexpress/ponyshop`. */
  imageRepository: string;
  source: {
    /** Staging namespace. */
    namespace: string;
    /** Selects staging's workloads and their pods (e.g. app.kubernetes.io/instance=ponyshop-staging). */
    selector: LabelSelector;
    /** Selects staging's migration Jobs. */
    migrationJobSelector: LabelSelector;
    /** Pods must stay Ready without restarts this long. @default 300 */
    soakSeconds?: number;
    /** When set, a GET must answer 2xx before the candidate is verified. */
    smokeUrl?: string;
  };
  target: {
    /** Production namespace (must differ from source.namespace). */
    namespace: string;
    /** Selects production's workloads. */
    selector: LabelSelector;
    /**
     * A batch/v1 JobSpec. The operator sets the candidate image on every container and init container
     * whose image repository is imageRepository (or whose name is migrate/wait-for-migrations).
     */
    migrationJobTemplate: Record<string, unknown>;
    /** Rollout waves of app.kubernetes.io/component values, in order. @default [["web","worker"],["beat"]] */
    waves?: WorkloadComponent[][];
    /** A wave that is not complete this long after it started fails the promotion. @default 600 */
    rolloutTimeoutSeconds?: number;
  };
  policy?: {
    /** Promotable tags. Exactly one of semver (a range, e.g. `>=1.0.0 <2`) or regex (anchored by the operator). */
    tags?: { semver?: string; regex?: string };
    /** @default Automatic */
    approval?: Approval;
    /** What to do when a production workload stops running the promoted image (kubectl set image, …). @default Revert */
    drift?: DriftPolicy;
  };
  /** Stops all reconciliation, including an in-flight promotion, until false. @default false */
  suspend?: boolean;
  /** Entries kept in status.history. @default 10 */
  historyLimit?: number;
}

/**
 * Ready/StagingVerified/Promoting/Degraded for humans; Reconciling/Stalled are kstatus' standard pair
 * (abnormal-true), so kstatus tools (Flux health checks, cli-utils) read the Promotion correctly:
 * Reconciling mirrors Promoting, Stalled mirrors Degraded.
 */
export type ConditionType = 'Ready' | 'StagingVerified' | 'Promoting' | 'Degraded' | 'Reconciling' | 'Stalled';

/** metav1.Condition: lastTransitionTime changes only when status flips. */
export interface Condition {
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration: number;
  /** CamelCase, machine-readable. */
  reason: string;
  message: string;
  /** RFC 3339, seconds precision. */
  lastTransitionTime: string;
}

/** Top-level phase, for humans and the printer column. */
export type Phase = 'Idle' | 'Waiting' | 'Migrating' | 'RollingOut' | 'Succeeded' | 'Failed' | 'Held' | 'RollingBack';

/** One image identity. `image` is the reference that moves: `repo@sha256:…` when the digest is known, else `repo:tag`. */
export interface ImageRecord {
  tag?: string;
  /** `sha256:<64 hex>` */
  digest?: string;
  image: string;
}

export interface StagingStatus extends ImageRecord {
  /** Latest moment a staging app pod became Ready or restarted (RFC 3339). */
  healthySince?: string;
  /**
   * Staging's migration Job for this very image was seen succeeded. Kept while the candidate stays the
   * same, so a Job removed by its TTL (e.g. while a Manual approval waits) does not un-verify it.
   */
  migrated?: boolean;
  verified: boolean;
}

export interface ProductionStatus extends ImageRecord {
  /** Absent when production was observed as-is rather than promoted by the operator. */
  promotedAt?: string;
}

export type InFlightPhase = 'Migrating' | 'RollingOut' | 'RollingBack';

export interface InFlightStatus extends ImageRecord {
  kind: 'Promotion' | 'Rollback';
  phase: InFlightPhase;
  startedAt: string;
  /** Name of the prod migration Job (kind Promotion only). */
  migrationJob?: string;
  /** Index into spec.target.waves of the wave being rolled out (0 while Migrating). */
  wave: number;
  /** When the current wave's images were first set. */
  waveStartedAt?: string;
  /** kind Rollback: the annotation value that requested it. */
  rollbackTo?: string;
  /** The spec this flight started with: later edits apply to the next flight (absent in flights of older operators). */
  waves?: WorkloadComponent[][];
  rolloutTimeoutSeconds?: number;
  /** kind Promotion: the JobSpec the migration Job is made from. */
  migrationJobTemplate?: Record<string, unknown>;
  policy?: { approval: Approval; tags?: { semver?: string; regex?: string } };
  /** A revert of drift (the image already succeeded here): no migration, no history entry. */
  drift?: boolean;
}

/**
 * Observed: what production ran when the operator first saw it (so it can be rolled back to);
 * Aborted: an in-flight promotion superseded by a rollback.
 */
export type HistoryResult = 'Succeeded' | 'Failed' | 'RolledBack' | 'Aborted' | 'Observed';

/** History results whose image ran in production, so ponyexpress.dev/rollback-to may name them. */
export const ROLLBACK_TARGET_RESULTS: readonly HistoryResult[] = ['Succeeded', 'RolledBack', 'Observed'];

export interface HistoryEntry extends ImageRecord {
  result: HistoryResult;
  startedAt: string;
  finishedAt: string;
  /** CamelCase reason plus message, e.g. `MigrationFailed: BackoffLimitExceeded`. */
  reason: string;
}

export interface HoldStatus {
  since: string;
  reason: string;
  /** `annotation`: ponyexpress.dev/hold; `rollback`: a completed or failed rollback-to. */
  by: 'annotation' | 'rollback';
  /** by=rollback: the rollback-to value that was carried out (so it is not carried out again). */
  rollbackTo?: string;
}

export interface PromotionStatus {
  observedGeneration?: number;
  phase?: Phase;
  conditions?: Condition[];
  /** The current staging candidate; absent when staging runs no single app image. */
  staging?: StagingStatus;
  production?: ProductionStatus;
  inFlight?: InFlightStatus;
  /** Newest first, at most spec.historyLimit entries. */
  history?: HistoryEntry[];
  hold?: HoldStatus;
}

export interface PromotionObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: PromotionSpec;
  status?: PromotionStatus;
}
