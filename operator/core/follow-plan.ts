// The follow reconcile, pure: what the registry answered and what staging runs in, whether to move and the
// status + Events out. Two calls per reconcile because the move itself is I/O: `chooseMove` before it,
// `followStatus` after. Steady state (nothing new in the registry) yields a deep-equal status: no writes.
import { canonicalJson } from '../../contract/index.js';
import type {
  FollowCondition,
  FollowConditionType,
  FollowImage,
  ImageFollowObject,
  ImageFollowStatus,
} from './follow-types.js';
import { FOLLOW_FAILED_DIGESTS_LIMIT } from './follow-types.js';
import { followPolicyProblem, isNewer, type TagCandidate } from './follow-select.js';
import type { MoveResult, StagingState } from './staging-mover.js';
import type { PlanEvent } from './types.js';

/** What polling the registry gave. A failure moves nothing. */
export type PollOutcome =
  | { ok: true; candidate?: TagCandidate; matching: number }
  | {
      ok: false;
      /** RegistryUnavailable (down, 5xx, timeout), RateLimited (429), Unauthorized, TagMissing, TagVanished, CredentialsInvalid, RegistryError. */
      reason: string;
      message: string;
      retryAfterMs?: number;
    };

export interface MoveChoice {
  /** Set when staging should move to it now. */
  target?: TagCandidate;
  /** Why not, when not (Ready's reason/message). */
  stay?: { reason: string; message: string; ready: boolean };
}

interface Desired {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export function followProblem(follow: ImageFollowObject): string | undefined {
  return followPolicyProblem(follow.spec.tags ?? {});
}

const short = (digest: string) => digest.slice(0, 19);

/** Decides whether to move staging, from the poll and what staging runs (mover.current()). */
export function chooseMove(follow: ImageFollowObject, poll: PollOutcome, staging: StagingState): MoveChoice {
  if (!poll.ok) return { stay: { reason: poll.reason, message: `nothing moves: ${poll.message}`, ready: false } };
  const c = poll.candidate;
  const policy = follow.spec.tags;
  if (!c) {
    return {
      stay: {
        reason: 'NoMatchingTag',
        message: `no tag of ${follow.spec.repository} matches ${describePolicy(policy)}; staging stays as it is`,
        ready: false,
      },
    };
  }
  if (follow.status?.failedDigests?.includes(c.digest)) {
    return {
      stay: {
        reason: 'PreviouslyFailed',
        message: `${c.tag} (${c.digest}) failed its staging migration before and is not retried; push a new image`,
        ready: false,
      },
    };
  }
  if (staging.digest === c.digest) {
    return { stay: { reason: 'UpToDate', message: `staging runs ${c.tag} (${c.digest})`, ready: true } };
  }
  const known: FollowImage | undefined =
    follow.status?.current ?? (staging.digest ? { digest: staging.digest } : undefined);
  const verdict = isNewer(c, known, policy);
  // The recorded image is the candidate but staging runs something else (edited by hand): put it back.
  if (verdict.newer || known?.digest === c.digest) return { target: c };
  return { stay: { reason: 'UpToDate', message: `nothing moves: ${verdict.why}`, ready: true } };
}

export function describePolicy(policy: ImageFollowObject['spec']['tags']): string {
  if (policy.tag !== undefined) return `tag ${policy.tag}`;
  if (policy.semver !== undefined) return `semver ${policy.semver}`;
  return `regex ${policy.regex} (newest by ${policy.orderBy ?? 'CreatedAt'})`;
}

export interface FollowOutcome {
  poll?: PollOutcome;
  choice?: MoveChoice;
  move?: MoveResult;
  /** The mover's mode, for messages (DirectApply, Git). */
  mode: string;
  staging?: StagingState;
  /** Set instead of everything else when the spec is unusable or suspended. */
  blocked?: { reason: 'InvalidSpec' | 'Suspended'; message: string };
}

export interface FollowPlan {
  status: ImageFollowStatus;
  events: PlanEvent[];
  statusChanged: boolean;
}

const ORDER: FollowConditionType[] = ['Ready', 'RegistryReachable', 'Moving'];

/** The next status and the Events of its transitions. */
export function followStatus(follow: ImageFollowObject, now: Date, outcome: FollowOutcome): FollowPlan {
  const before = follow.status ?? {};
  const generation = follow.metadata.generation ?? 0;
  const events: PlanEvent[] = [];
  const status: ImageFollowStatus = structuredClone(before);
  status.observedGeneration = generation;
  const want: Partial<Record<FollowConditionType, Desired>> = {};
  const { poll, choice, move } = outcome;

  if (outcome.blocked) {
    want.Ready = { status: 'False', ...outcome.blocked };
    want.Moving = { status: 'False', reason: outcome.blocked.reason, message: outcome.blocked.message };
  } else {
    if (poll?.ok) {
      want.RegistryReachable = {
        status: 'True',
        reason: 'Polled',
        message: `${poll.matching} tag(s) of ${follow.spec.repository} match ${describePolicy(follow.spec.tags)}`,
      };
      status.selected = poll.candidate
        ? { tag: poll.candidate.tag, digest: poll.candidate.digest, createdAt: poll.candidate.createdAt }
        : undefined;
    } else if (poll) {
      want.RegistryReachable = { status: 'False', reason: poll.reason, message: poll.message };
    }
    if (choice?.stay) {
      want.Ready = {
        status: choice.stay.ready ? 'True' : 'False',
        reason: choice.stay.reason,
        message: choice.stay.message,
      };
      want.Moving = { status: 'False', reason: 'Idle', message: 'no move under way' };
      if (
        choice.stay.reason === 'UpToDate' &&
        poll?.ok &&
        poll.candidate &&
        outcome.staging?.digest === poll.candidate.digest
      ) {
        const c = poll.candidate;
        if (before.current?.digest !== c.digest)
          status.current = { tag: c.tag, digest: c.digest, image: outcome.staging.image, createdAt: c.createdAt };
      }
    } else if (choice?.target && move) {
      const t = choice.target;
      const what = `${t.tag} (${short(t.digest)}…)`;
      if (move.state === 'Done') {
        status.current = {
          tag: t.tag,
          digest: t.digest,
          image: `${follow.spec.repository}@${t.digest}`,
          createdAt: t.createdAt,
          movedAt: now.toISOString(),
          ...(move.revision ? { commit: move.revision } : {}),
        };
        want.Ready = { status: 'True', reason: 'UpToDate', message: `staging runs ${t.tag} (${t.digest})` };
        want.Moving = { status: 'False', reason: 'Idle', message: 'no move under way' };
        events.push({
          type: 'Normal',
          reason: 'Moved',
          message: `${outcome.mode}: staging moved to ${what}: ${move.message}`,
        });
      } else if (move.state === 'InProgress') {
        want.Ready = { status: 'False', reason: move.reason, message: `moving staging to ${what}: ${move.message}` };
        want.Moving = { status: 'True', reason: move.reason, message: `moving staging to ${what}: ${move.message}` };
      } else {
        want.Ready = { status: 'False', reason: move.reason, message: `staging not moved to ${what}: ${move.message}` };
        want.Moving = { status: 'False', reason: move.reason, message: move.message };
        if (move.permanent && !before.failedDigests?.includes(t.digest))
          status.failedDigests = [...(before.failedDigests ?? []), t.digest].slice(-FOLLOW_FAILED_DIGESTS_LIMIT);
      }
    }
  }

  status.conditions = ORDER.flatMap((type) => {
    const prev = before.conditions?.find((c) => c.type === type);
    const w = want[type];
    if (!w) return prev ? [{ ...prev, observedGeneration: generation }] : [];
    const next: FollowCondition = {
      type,
      status: w.status,
      observedGeneration: generation,
      reason: w.reason,
      message: w.message.slice(0, 1024),
      lastTransitionTime: prev && prev.status === w.status ? prev.lastTransitionTime : now.toISOString(),
    };
    return [next];
  });

  // Events on transitions only (a reason that changes), so a registry down for an hour is one Event.
  const reasonOf = (s: ImageFollowStatus, type: FollowConditionType) => s.conditions?.find((c) => c.type === type);
  const ready = reasonOf(status, 'Ready');
  const readyBefore = reasonOf(before, 'Ready');
  const movingNow = reasonOf(status, 'Moving')?.status === 'True';
  if (ready && ready.status === 'False' && ready.reason !== readyBefore?.reason && !movingNow)
    events.push({ type: 'Warning', reason: ready.reason, message: ready.message });
  const moving = reasonOf(status, 'Moving');
  if (moving?.status === 'True' && reasonOf(before, 'Moving')?.status !== 'True')
    events.push({ type: 'Normal', reason: 'Moving', message: moving.message });

  if (status.selected === undefined) delete status.selected;
  const statusChanged = canonicalJson(status) !== canonicalJson(before);
  return { status, events, statusChanged };
}
