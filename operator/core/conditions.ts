// kstatus-compatible conditions: every condition carries the generation it describes, and
// lastTransitionTime moves only when the status flips (a new reason or message alone does not move it).
import type { Condition, ConditionType } from './resource.js';

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
