// Turns a reconcile's working state into the Plan: status (phase, conditions, hold), transition events,
// and the statusChanged bit. Nothing here reads the clock except through d.now, which only lands in
// fields that change on transitions.
import { findCondition, nextConditions, type DesiredCondition } from './conditions.js';
import { sameJson } from '../../contract/index.js';
import { sameImage } from './naming.js';
import {
  ANNOTATION,
  type ConditionType,
  type HistoryEntry,
  type HoldStatus,
  type InFlightStatus,
  type Phase,
  type ProductionStatus,
  type PromotionStatus,
} from './resource.js';
import type { Settings } from './spec.js';
import type { Action, Plan, PlanEvent } from './types.js';
import type { Verification } from './verify.js';

/** The mutable working state of one reconcile. */
export interface Draft {
  prev: PromotionStatus;
  settings: Settings;
  annotations: Record<string, string>;
  now: string;
  generation: number;
  verification: Verification;
  inFlight?: InFlightStatus;
  history: HistoryEntry[];
  production?: ProductionStatus;
  /** Set when a rollback ended (now or earlier): it becomes status.hold. */
  rollbackHold?: { reason: string; rollbackTo: string };
  promoting?: DesiredCondition;
  degraded?: DesiredCondition;
  actions: Action[];
  events: PlanEvent[];
  requeue: number[];
}

const STAGING_EVENTS: Record<string, PlanEvent['type']> = {
  Verified: 'Normal',
  TagNotAllowed: 'Normal',
  StagingMigrationFailed: 'Warning',
  RolloutStalled: 'Warning',
  SmokeFailed: 'Warning',
  DigestUnresolved: 'Warning',
};
const PROMOTING_EVENTS: Record<string, PlanEvent['type']> = {
  WaitingForApproval: 'Normal',
  ApprovalMismatch: 'Warning',
  RollbackTargetUnknown: 'Warning',
  UnsafeBeat: 'Warning',
  ProductionWorkloadMissing: 'Warning',
  PreviouslyFailed: 'Normal',
  Held: 'Normal',
  Suspended: 'Normal',
  StagingBehindProduction: 'Warning',
};
/** Degraded reasons that need a human, announced once when they appear (or change). */
const DEGRADED_EVENTS: Record<string, PlanEvent['type']> = {
  ActionFailed: 'Warning',
  SourceUnreadable: 'Warning',
  TargetUnreadable: 'Warning',
  Drifted: 'Warning',
};

function nextHold(d: Draft): HoldStatus | undefined {
  const rollbackTo = d.annotations[ANNOTATION.rollbackTo];
  const held = d.annotations[ANNOTATION.hold];
  let hold: Omit<HoldStatus, 'since'> | undefined;
  if (rollbackTo !== undefined && d.rollbackHold) hold = { by: 'rollback', ...d.rollbackHold };
  else if (held !== undefined) hold = { by: 'annotation', reason: held || 'no reason given' };
  else if (rollbackTo !== undefined && d.inFlight?.kind !== 'Rollback')
    hold = { by: 'rollback', reason: `${ANNOTATION.rollbackTo}=${rollbackTo} could not be carried out` };
  if (!hold) return undefined;
  const p = d.prev.hold;
  const same = p && p.by === hold.by && p.reason === hold.reason && p.rollbackTo === hold.rollbackTo;
  return { since: same ? p.since : d.now, ...hold };
}

function phaseOf(d: Draft, hold: HoldStatus | undefined): Phase {
  if (d.inFlight?.kind === 'Rollback' && d.annotations[ANNOTATION.rollbackTo] !== undefined) return 'RollingBack';
  if (hold || d.annotations[ANNOTATION.rollbackTo] !== undefined) return 'Held';
  if (d.inFlight) return d.inFlight.phase;
  const candidate = d.verification.candidate;
  const pending = ['NotVerified', 'WaitingForApproval', 'ApprovalMismatch'].includes(d.promoting?.reason ?? '');
  const stuck = ['TagNotAllowed', 'StagingMigrationFailed', 'RolloutStalled'].includes(d.verification.reason);
  if (candidate && pending && !stuck && !(d.production && sameImage(candidate, d.production))) return 'Waiting';
  const last = d.history[0]?.result;
  return last === 'Succeeded' ? 'Succeeded' : last === 'Failed' ? 'Failed' : 'Idle';
}

function desiredConditions(
  d: Draft,
  mode: 'suspended' | 'invalid' | 'active',
  phase: Phase,
): Partial<Record<ConditionType, DesiredCondition>> {
  if (mode === 'suspended')
    return {
      Ready: { status: 'False', reason: 'Suspended', message: 'spec.suspend is true: the operator takes no action' },
    };
  if (mode === 'invalid')
    return { Ready: { status: 'False', reason: 'InvalidSpec', message: d.degraded!.message }, Degraded: d.degraded! };
  const v = d.verification;
  const staging: DesiredCondition = v.verified
    ? { status: 'True', reason: v.reason, message: v.message }
    : { status: 'False', reason: v.reason, message: v.message };
  const promoting = d.promoting ?? { status: 'False', reason: 'Idle', message: '' };
  const last = d.history[0];
  const degraded =
    d.degraded ??
    (last?.result === 'Failed'
      ? { status: 'True', reason: 'LastPromotionFailed', message: `${last.image}: ${last.reason}` }
      : { status: 'False', reason: 'AsExpected', message: 'the last promotion did not fail' });
  // Not ready when staging offers nothing to promote: usually a source selector that matches nothing.
  const ready: DesiredCondition =
    degraded.status === 'True'
      ? { status: 'False', reason: degraded.reason, message: degraded.message }
      : promoting.status === 'True'
        ? { status: 'False', reason: 'Progressing', message: promoting.message }
        : !v.candidate && v.reason === 'NoCandidate'
          ? { status: 'False', reason: 'NoCandidate', message: v.message }
          : { status: 'True', reason: phase, message: promoting.message };
  return {
    Ready: ready,
    StagingVerified: staging,
    Promoting: promoting,
    Degraded: degraded,
    Reconciling: promoting,
    Stalled: degraded,
  };
}

function transitionEvents(d: Draft, status: PromotionStatus): PlanEvent[] {
  const events: PlanEvent[] = [];
  const changed = (type: ConditionType, table: Record<string, PlanEvent['type']>) => {
    const before = findCondition(d.prev.conditions, type);
    const after = findCondition(status.conditions, type);
    if (
      !after ||
      (before?.reason === after.reason && before.status === after.status && before.message === after.message)
    )
      return;
    // Re-verifying what production already runs (e.g. after staging scaled up) is not news.
    const candidate = d.verification.candidate;
    const old = after.reason === 'Verified' && candidate && d.production && sameImage(candidate, d.production);
    const kind = old ? undefined : table[after.reason];
    if (kind)
      events.push({
        type: kind,
        reason: type === 'StagingVerified' && after.reason === 'Verified' ? 'StagingVerified' : after.reason,
        message: after.message,
      });
    if (type === 'Promoting' && before?.reason === 'Held' && after.reason !== 'Held')
      events.push({ type: 'Normal', reason: 'Released', message: 'hold released: automation resumes' });
  };
  changed('StagingVerified', STAGING_EVENTS);
  changed('Promoting', PROMOTING_EVENTS);
  changed('Degraded', DEGRADED_EVENTS);
  changed('Ready', { Suspended: 'Normal', InvalidSpec: 'Warning' });
  return events;
}

/** Staging verified and the promotion it starts are one transition: one Event, the start's, saying both. */
function mergeStart(events: PlanEvent[]): PlanEvent[] {
  const verified = events.find((e) => e.reason === 'StagingVerified');
  const start = events.find((e) => e.reason === 'MigrationJobCreated' || e.reason === 'WaveStarted');
  if (!verified || !start) return events;
  return events
    .filter((e) => e !== verified)
    .map((e) =>
      e === start
        ? { ...e, message: `${e.message} (${verified.message.replace(/^\S+ verified/, 'staging verified')})` }
        : e,
    );
}

export function conclude(d: Draft, mode: 'suspended' | 'invalid' | 'active'): Plan {
  const frozen = mode !== 'active';
  const hold = frozen ? d.prev.hold : nextHold(d);
  const phase = frozen ? (d.prev.phase ?? 'Idle') : phaseOf(d, hold);
  const conditions = nextConditions(d.prev.conditions, desiredConditions(d, mode, phase), d.generation, d.now);
  const v = d.verification;
  const status: PromotionStatus = frozen
    ? { ...d.prev, observedGeneration: d.generation, conditions }
    : {
        observedGeneration: d.generation,
        phase,
        conditions,
        staging: v.candidate
          ? {
              ...v.candidate,
              ...(v.healthySince ? { healthySince: v.healthySince } : {}),
              ...(v.migrated ? { migrated: true } : {}),
              verified: v.verified,
            }
          : undefined,
        production: d.production,
        inFlight: d.inFlight,
        history: d.history.length > 0 ? d.history : undefined,
        hold,
      };
  const events = mergeStart([...transitionEvents(d, status), ...d.events]);
  const plan: Plan = {
    actions: d.actions,
    status,
    statusChanged: !sameJson(d.prev, status),
    events,
  };
  if (d.requeue.length > 0) plan.requeueAfterSeconds = Math.min(...d.requeue);
  return plan;
}
