// The seam between "staging follows the registry" (which digest staging should run) and how staging gets
// there. Two implementations: direct apply (operator/kube/follow-apply.ts: migration Job, then the
// workloads' images) and Git write-back (a commit to the GitOps repository). The follow controller calls
// `move` on every reconcile until it answers Done, so an implementation must be idempotent and must
// re-derive its progress from the world (cluster or Git), never from memory.
import type { GitWriteBackSpec } from './follow-types.js';
import type { LabelSelector } from './resource.js';

/** What staging should run: one image, pinned by digest, chosen from one tag. */
export interface StagingTarget {
  /** The ImageFollow asking (namespace = the staging namespace it moves). */
  follow: { namespace: string; name: string; uid?: string };
  /** The app (`app.kubernetes.io/name`), used to name the migration Job like the charts do. */
  app: string;
  /** Repository without tag or digest, as written in the spec, e.g. `registry.example.com/ponyshop`. */
  repository: string;
  /** The tag the policy selected (for messages, commit text and the image annotation). */
  tag: string;
  /** `sha256:<64 hex>`; never a tag: mutable tags are pinned before anything moves. */
  digest: string;
  /** `repository@digest`, the exact reference written into workloads (or Git). */
  image: string;
  /** Staging's web/worker/beat workloads. */
  selector: LabelSelector;
  /** Staging's migration Jobs (the newest one is the template of the next). */
  migrationJobSelector: LabelSelector;
  /** Git mode: where staging's rendered folder lives (spec.writeBack.git). */
  git?: GitWriteBackSpec;
  /** What the follow last recorded staging on (status.current.image): in Git, anything else is a human's edit. */
  expected?: string;
}

/** Where staging is now, as the mover sees it (cluster templates, or the file in Git). */
export interface StagingState {
  /** The one image every selected workload runs, undefined when they disagree or none exists. */
  image?: string;
  /** Its digest when the reference pins one. */
  digest?: string;
}

export type MoveResult =
  /** Staging runs (or Git records) the target; `revision` is e.g. the commit SHA in Git mode. */
  | { state: 'Done'; message: string; revision?: string }
  /** Under way (migration Job running, rollout started, commit pushed but not yet synced). */
  | { state: 'InProgress'; reason: string; message: string; retryAfterMs?: number }
  /**
   * Did not happen. `permanent`: never retried for this digest (a failed migration); otherwise retried
   * with backoff (a refused write, a rejected push).
   */
  | { state: 'Failed'; reason: string; message: string; permanent: boolean };

/** "Move staging to digest D." */
export interface StagingMover {
  /** Shown in status and Events, e.g. `DirectApply` or `Git`. */
  readonly mode: string;
  /** What staging runs now. */
  current(target: Pick<StagingTarget, 'follow' | 'repository' | 'selector' | 'git'>): Promise<StagingState>;
  /** Idempotent: called again until it answers Done or a permanent failure. */
  move(target: StagingTarget): Promise<MoveResult>;
}
