// The ImageFollow object (operator/crd/imagefollows.ponyexpress.dev.yaml is the schema of record; these
// interfaces mirror it by hand: scripts/generate-promotion-types.ts knows only the Promotion so far).
import type { WriteBack } from '../../imports/promotion-types.js';
import type { CustomObjectMeta, LabelSelector } from './resource.js';

export const FOLLOW_API_VERSION = 'ponyexpress.dev/v1alpha1';
export const FOLLOW_KIND = 'ImageFollow';
export const FOLLOW_PLURAL = 'imagefollows';

/** Exactly one of semver, regex (+ orderBy) or tag. */
export interface FollowTagPolicy {
  semver?: string;
  regex?: string;
  /** @default CreatedAt (regex only) */
  orderBy?: 'CreatedAt' | 'Alphabetical';
  tag?: string;
}

export interface ImageFollowSpec {
  repository: string;
  tags: FollowTagPolicy;
  credentials?: { secretName: string };
  /** @default 300 */
  intervalSeconds?: number;
  selector: LabelSelector;
  migrationJobSelector: LabelSelector;
  /** @default false */
  suspend?: boolean;
  /** Git mode: the Promotion's write-back settings (one schema, grafted into this CRD by the operator chart). */
  writeBack?: WriteBack;
}

export type GitWriteBackSpec = NonNullable<WriteBack['git']>;

export type FollowConditionType = 'Ready' | 'RegistryReachable' | 'Moving';

export interface FollowCondition {
  type: FollowConditionType;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface FollowImage {
  tag?: string;
  digest?: string;
  image?: string;
  /** The image config's `created` (RFC 3339), when known. */
  createdAt?: string;
  movedAt?: string;
  /** Git mode: the commit that moved staging. */
  commit?: string;
}

export interface ImageFollowStatus {
  observedGeneration?: number;
  conditions?: FollowCondition[];
  current?: FollowImage;
  selected?: { tag?: string; digest?: string; createdAt?: string };
  failedDigests?: string[];
}

export interface ImageFollowObject {
  apiVersion?: string;
  kind?: string;
  metadata: CustomObjectMeta & { resourceVersion?: string };
  spec: ImageFollowSpec;
  status?: ImageFollowStatus;
}

export const FOLLOW_DEFAULT_INTERVAL_SECONDS = 300;
/** Poll periods get up to this fraction added at random, so many follows do not hit a registry in step. */
export const FOLLOW_JITTER = 0.1;
/** First retry after a registry failure; doubles per failure in a row. */
export const FOLLOW_BACKOFF_BASE_MS = 10_000;
/** Backoff never waits longer than this (or the poll interval, if longer). */
export const FOLLOW_BACKOFF_MAX_MS = 300_000;
/** Re-check period while a move is under way (migration Job running). */
export const FOLLOW_MOVE_RECHECK_MS = 1_000;
export const FOLLOW_FAILED_DIGESTS_LIMIT = 20;
