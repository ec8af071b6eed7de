// reconcile(observed) -> Plan. Pure and level-triggered: the same Observed always gives the same Plan, and
// a settled Promotion gives no actions, no events and an identical status (so the adapter writes nothing).
// Precedence: suspend > invalid spec > rollback-to > hold > the in-flight flight > starting a new one.
import { advance, waveWorkloads } from './flight.js';
import { imageRecord, parseImageRef, sameImage } from './naming.js';
import {
  ANNOTATION,
  LABEL,
  ROLLBACK_TARGET_RESULTS,
  type HistoryEntry,
  type InFlightStatus,
  type ProductionStatus,
  type PromotionStatus,
} from './resource.js';
import { appContainers, singletonProblem } from './rollout.js';
import { behindProduction, drifted, missingComponents, refusedWrite, unreadableProblem } from './guards.js';
import { rolloutState } from './rollout.js';
import { settingsOf, snapshot, specProblem, waveComponents, type Settings } from './spec.js';
import { conclude, type Draft } from './summary.js';
import { rfc3339 } from './time.js';
import type { Observed, Plan } from './types.js';
import { verifyStaging } from './verify.js';

/** What production runs now, if every app container of every wave workload names one image. */
export function observedProduction(observed: Observed, settings: Settings) {
  const images = new Set<string>();
  const workloads = waveWorkloads(observed, waveComponents(settings));
  // A rollout in progress (e.g. a promotion whose Promotion was deleted and re-created) is not what production ran.
  if (!workloads.every((w) => rolloutState(w).complete)) return undefined;
  for (const w of workloads) {
    appContainers(w, settings.repository).containers.forEach((c) => images.add(c.image ?? ''));
  }
  const ref = images.size === 1 ? parseImageRef([...images][0]) : undefined;
  return ref && (ref.tag || ref.digest) ? imageRecord(settings.repository, ref.tag, ref.digest) : undefined;
}

function land(d: Draft, flight: InFlightStatus, result: HistoryEntry['result'], reason: string): void {
  const { tag, digest, image } = flight;
  if (flight.drift) {
    // A drift revert is not a promotion: its one event was written when it started; a failure says so once more.
    d.inFlight = undefined;
    if (result !== 'Succeeded')
      d.events.push({
        type: 'Warning',
        reason: 'DriftRevertFailed',
        message: `setting ${image} again did not complete: ${reason}`,
      });
    return;
  }
  const entry: HistoryEntry = {
    ...imageRecord(d.settings.repository, tag, digest),
    image,
    result,
    startedAt: flight.startedAt,
    finishedAt: d.now,
    reason,
  };
  d.history = [entry, ...d.history].slice(0, d.settings.historyLimit);
  d.inFlight = undefined;
  if (result === 'Succeeded' || result === 'RolledBack')
    d.production = { ...imageRecord(d.settings.repository, tag, digest), image, promotedAt: d.now };
  const verb = flight.kind === 'Rollback' ? 'rollback' : 'promotion';
  if (result === 'Succeeded')
    d.events.push({ type: 'Normal', reason: 'Promoted', message: `production runs ${image}` });
  else if (result === 'RolledBack')
    d.events.push({
      type: 'Normal',
      reason: 'RolledBack',
      message: `production rolled back to ${image}; held until ${ANNOTATION.rollbackTo} is removed`,
    });
  else {
    const what = flight.kind === 'Rollback' ? 'Rollback' : 'Promotion';
    d.events.push({
      type: 'Warning',
      reason: `${what}${result === 'Aborted' ? 'Aborted' : 'Failed'}`,
      message: `${verb} of ${image}: ${reason}`,
    });
  }
}

/** Runs one step of the flight in d.inFlight and lands it when it ends. */
function fly(d: Draft, observed: Observed): void {
  const flight = d.inFlight!;
  const step = advance(observed, d.settings, flight);
  d.actions.push(...step.actions);
  d.events.push(...step.events);
  if (step.requeueAfterSeconds !== undefined) d.requeue.push(step.requeueAfterSeconds);
  if (step.inFlight) {
    d.inFlight = step.inFlight;
    d.promoting = step.paused
      ? { status: 'False', reason: 'WaitingForApproval', message: step.message }
      : { status: 'True', reason: step.inFlight.phase, message: step.message };
    return;
  }
  const finished = step.finished!;
  const result = finished.result === 'Succeeded' && flight.kind === 'Rollback' ? 'RolledBack' : finished.result;
  land(d, flight, result, finished.reason);
  if (flight.kind === 'Rollback')
    d.rollbackHold = {
      reason:
        result === 'RolledBack'
          ? `rolled back to ${flight.image}`
          : `rollback to ${flight.image} failed: ${finished.reason}`,
      rollbackTo: flight.rollbackTo!,
    };
}

function rollback(d: Draft, observed: Observed, value: string): void {
  const flight = d.inFlight;
  if (flight?.kind === 'Rollback' && flight.rollbackTo === value) {
    fly(d, observed);
    return heldAfterRollback(d);
  }
  if (d.prev.hold?.by === 'rollback' && d.prev.hold.rollbackTo === value) {
    d.rollbackHold = { reason: d.prev.hold.reason, rollbackTo: value };
    return heldAfterRollback(d);
  }
  const target = d.history.find(
    (h) => ROLLBACK_TARGET_RESULTS.includes(h.result) && [h.tag, h.digest, h.image].includes(value),
  );
  if (!target) {
    d.promoting = {
      status: 'False',
      reason: 'RollbackTargetUnknown',
      message: `${ANNOTATION.rollbackTo}=${value} names no image production ran (see status.history); nothing rolled back`,
    };
    return;
  }
  if (flight) land(d, flight, 'Aborted', `RollbackRequested: superseded by ${ANNOTATION.rollbackTo}=${value}`);
  d.inFlight = {
    kind: 'Rollback',
    ...imageRecord(d.settings.repository, target.tag, target.digest),
    image: target.image,
    phase: 'RollingBack',
    startedAt: d.now,
    wave: 0,
    rollbackTo: value,
    ...snapshot(d.settings, 'Rollback'),
  };
  d.events.push({
    type: 'Normal',
    reason: 'RollbackStarted',
    message: `rolling production back to ${target.image} (no migrations run or reversed)`,
  });
  fly(d, observed);
  heldAfterRollback(d);
}

function heldAfterRollback(d: Draft): void {
  if (d.rollbackHold)
    d.promoting = {
      status: 'False',
      reason: 'Held',
      message: `${d.rollbackHold.reason}; held until ${ANNOTATION.rollbackTo} is removed`,
    };
}

function maybeStart(d: Draft, observed: Observed): void {
  const { verification } = d;
  const candidate = verification.candidate;
  if (!candidate || !verification.verified) {
    d.promoting = {
      status: 'False',
      reason: 'NotVerified',
      message: candidate
        ? `waiting for staging to verify ${candidate.image}: ${verification.message}`
        : verification.message,
    };
    return;
  }
  if (d.production && sameImage(candidate, d.production)) {
    const drift = drifted(observed, d.settings, d.production);
    if (drift.length === 0)
      d.promoting = { status: 'False', reason: 'UpToDate', message: `production runs ${d.production.image}` };
    else correctDrift(d, observed, d.production, drift);
    return;
  }
  const failed = d.history.find((h) => h.result === 'Failed' && sameImage(h, candidate));
  if (failed) {
    d.promoting = {
      status: 'False',
      reason: 'PreviouslyFailed',
      message: `${candidate.image} failed at ${failed.finishedAt} (${failed.reason}); it is not retried, push a new image`,
    };
    return;
  }
  const behind = behindProduction(d.history, d.production, candidate, d.settings);
  if (behind) {
    const back = d.history.some((h) => ROLLBACK_TARGET_RESULTS.includes(h.result) && sameImage(h, candidate))
      ? `ponyexpress rollback ${observed.promotion.metadata.name} ${candidate.tag ?? candidate.digest} -n ${observed.promotion.metadata.namespace} (workloads only, no migrations)`
      : 'push a newer image to staging';
    d.promoting = {
      status: 'False',
      reason: 'StagingBehindProduction',
      message: `staging is behind production; use rollback: ${behind}. Production stays on ${d.production?.image}; to go back: ${back}`,
    };
    return;
  }
  const missing = missingComponents(observed, d.settings);
  if (missing.length > 0) {
    const message = `target.waves names ${missing.join(', ')}, but no production workload in ${observed.promotion.spec.target.namespace} matches target.selector with ${missing.map((c) => `${LABEL.component}=${c}`).join(' / ')} and runs ${d.settings.repository}; nothing was changed`;
    d.promoting = { status: 'False', reason: 'ProductionWorkloadMissing', message };
    d.degraded = { status: 'True', reason: 'ProductionWorkloadMissing', message };
    return;
  }
  if (d.settings.approval === 'Manual') {
    const approval = observed.promotion.metadata.annotations?.[ANNOTATION.approve];
    const names = candidate.tag
      ? `${candidate.tag}${candidate.digest ? ` or ${candidate.digest}` : ''}`
      : candidate.digest!;
    if (approval === undefined) {
      d.promoting = {
        status: 'False',
        reason: 'WaitingForApproval',
        message: `${candidate.image} is verified; approve it by setting ${ANNOTATION.approve} to ${names}`,
      };
      return;
    }
    if (approval !== candidate.tag && approval !== candidate.digest) {
      d.promoting = {
        status: 'False',
        reason: 'ApprovalMismatch',
        message: `${ANNOTATION.approve}=${approval} does not name the verified candidate (${names}); nothing promoted`,
      };
      return;
    }
  }
  const unsafe = waveWorkloads(observed, ['beat']).map(singletonProblem).find(Boolean);
  if (unsafe) {
    d.promoting = { status: 'False', reason: 'UnsafeBeat', message: `not promoting: ${unsafe}` };
    d.degraded = { status: 'True', reason: 'UnsafeBeat', message: unsafe };
    return;
  }
  // An image whose promotion succeeded here before (e.g. re-promoted after a rollback) has migrated: never again.
  const migrated = d.history.some((h) => h.result === 'Succeeded' && sameImage(h, candidate));
  d.inFlight = {
    kind: 'Promotion',
    ...candidate,
    phase: migrated ? 'RollingOut' : 'Migrating',
    startedAt: d.now,
    wave: 0,
    ...snapshot(d.settings, 'Promotion'),
  };
  fly(d, observed);
}

/** Production drifted from the image it was promoted to: set it again (no migration, no history) or report it. */
function correctDrift(d: Draft, observed: Observed, production: ProductionStatus, drift: string[]): void {
  const what = `${drift.join('; ')} instead of ${production.image}`;
  if (d.settings.drift === 'Hold') {
    const message = `production drifted: ${what}; policy.drift is Hold, so it is left as is (set it back, promote a new image, or roll back)`;
    d.promoting = { status: 'False', reason: 'Drifted', message };
    d.degraded = { status: 'True', reason: 'Drifted', message };
    return;
  }
  d.events.push({
    type: 'Warning',
    reason: 'DriftReverted',
    message: `production drifted: ${what}; setting ${production.image} again (no migration)`,
  });
  d.inFlight = {
    kind: 'Promotion',
    ...imageRecord(d.settings.repository, production.tag, production.digest),
    image: production.image,
    phase: 'RollingOut',
    startedAt: d.now,
    wave: 0,
    drift: true,
    ...snapshot(d.settings, 'Promotion'),
  };
  fly(d, observed);
}

export function reconcile(observed: Observed): Plan {
  const { promotion } = observed;
  const prev: PromotionStatus = promotion.status ?? {};
  const settings = settingsOf(promotion);
  const annotations = promotion.metadata.annotations ?? {};
  const d: Draft = {
    prev,
    settings,
    annotations,
    now: rfc3339(observed.now),
    generation: settings.generation,
    inFlight: prev.inFlight,
    history: prev.history ?? [],
    production: prev.production,
    actions: [],
    events: [],
    requeue: [],
    verification: { verified: false, reason: 'Unknown', message: '' },
  };
  if (promotion.spec.suspend) return conclude(d, 'suspended');
  const problem = specProblem(promotion);
  if (problem) {
    d.degraded = { status: 'True', reason: 'InvalidSpec', message: problem };
    return conclude(d, 'invalid');
  }
  const unreadable = unreadableProblem(observed);
  if (unreadable) {
    // The lists are not the cluster's: decide nothing from them, write nothing, keep any flight as it was.
    d.verification = { verified: false, ...unreadable };
    d.degraded = { status: 'True', ...unreadable };
    d.promoting = { status: 'False', ...unreadable };
    return conclude(d, 'active');
  }
  d.verification = verifyStaging(observed, settings);
  if (d.verification.smokeNeeded)
    d.actions.push({ type: 'CheckSmoke', url: settings.smokeUrl!, image: d.verification.candidate!.image });
  if (d.verification.resolveNeeded) d.actions.push({ type: 'ResolveDigest', image: d.verification.candidate!.image });
  if (d.verification.requeueAfterSeconds !== undefined) d.requeue.push(d.verification.requeueAfterSeconds);
  if (!d.production && !d.inFlight) {
    const seen = observedProduction(observed, settings);
    if (seen) {
      d.production = seen;
      const entry: HistoryEntry = {
        ...seen,
        result: 'Observed',
        startedAt: d.now,
        finishedAt: d.now,
        reason: 'Observed: production ran this image when the operator first saw it',
      };
      d.history = [entry, ...d.history].slice(0, settings.historyLimit);
    }
  }
  const rollbackTo = annotations[ANNOTATION.rollbackTo];
  if (rollbackTo !== undefined) {
    rollback(d, observed, rollbackTo);
  } else if (annotations[ANNOTATION.hold] !== undefined) {
    const paused = d.inFlight ? `; ${d.inFlight.phase} of ${d.inFlight.image} paused` : '';
    d.promoting = {
      status: 'False',
      reason: 'Held',
      message: `held: ${annotations[ANNOTATION.hold] || 'no reason given'}${paused}`,
    };
  } else {
    if (d.inFlight?.kind === 'Rollback')
      land(d, d.inFlight, 'Aborted', `RollbackCancelled: ${ANNOTATION.rollbackTo} was removed`);
    if (d.inFlight) fly(d, observed);
    // A flight that just ended makes way for the next candidate in the same reconcile.
    if (!d.inFlight) maybeStart(d, observed);
  }
  const refused = refusedWrite(observed, d.actions, d.events);
  if (refused) {
    d.degraded = refused.degraded;
    d.actions = refused.actions;
    d.events = refused.events;
    if (refused.requeueAfterSeconds !== undefined) d.requeue.push(refused.requeueAfterSeconds);
  }
  return conclude(d, 'active');
}
