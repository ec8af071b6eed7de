// kstatus-compatible conditions: every condition carries the generation it describes, and
// lastTransitionTime moves only when the status flips (a new reason or message alone does not move it).
import { sameJson } from '../../contract/index.js';
import type { Condition, ConditionType, PromotionStatus } from './resource.js';

export const CONDITION_ORDER: readonly ConditionType[] = [
  'Ready',
  'StagingVerified',
  'Promoting',
  'Degraded',
  'Reconciling',
  'Stalled',
];

export interface DesiredCondition {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export function findCondition(conditions: Condition[] | undefined, type: ConditionType): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** One condition, keeping lastTransitionTime from `previous` when the status is unchanged. */
export function nextCondition(
  previous: Condition | undefined,
  type: ConditionType,
  desired: DesiredCondition,
  generation: number,
  now: string,
): Condition {
  const lastTransitionTime = previous && previous.status === desired.status ? previous.lastTransitionTime : now;
  return {
    type,
    status: desired.status,
    observedGeneration: generation,
    reason: desired.reason,
    message: desired.message,
    lastTransitionTime,
  };
}

/** The full condition list in a fixed order; types not in `desired` keep their previous value (or are omitted). */
export function nextConditions(
  previous: Condition[] | undefined,
  desired: Partial<Record<ConditionType, DesiredCondition>>,
  generation: number,
  now: string,
): Condition[] {
  const out: Condition[] = [];
  for (const type of CONDITION_ORDER) {
    const before = findCondition(previous, type);
    const want = desired[type];
    if (want) out.push(nextCondition(before, type, want, generation, now));
    else if (before) out.push({ ...before, observedGeneration: generation });
  }
  return out;
}

/**
 * Reasons of a staging candidate on its normal way to verified. Their words change every few seconds
 * while pods start (rolling out, then pods not ready, then soaking), and nothing is wrong.
 */
export const PROGRESS_REASONS: ReadonlySet<string> = new Set([
  'RolloutIncomplete',
  'PodsNotReady',
  'StagingMigrationPending',
  'Soaking',
  'SmokePending',
  'DigestPending',
]);

/**
 * True when, apart from staging's candidate progressing (StagingVerified False with a progress reason
 * after the change), nothing differs: the staging block, the phase turning to Waiting, StagingVerified
 * itself, and the reasons and messages of conditions that keep their status (they quote StagingVerified's
 * message). A reader need not see progress at once: the promotion's start, a few minutes at most later,
 * says it all. A problem reason, another condition's status, production, history or a hold are not this.
 */
export function onlyProgressDiffers(previous: PromotionStatus | undefined, next: PromotionStatus): boolean {
  const verified = findCondition(next.conditions, 'StagingVerified');
  if (!previous || verified?.status !== 'False' || !PROGRESS_REASONS.has(verified.reason)) return false;
  if (next.phase !== previous.phase && next.phase !== 'Waiting') return false;
  const conditions = next.conditions?.map((c) => {
    const before = findCondition(previous.conditions, c.type);
    return before && (before.status === c.status || c.type === 'StagingVerified') ? before : c;
  });
  return sameJson(previous, { ...next, phase: previous.phase, staging: previous.staging, conditions });
}
