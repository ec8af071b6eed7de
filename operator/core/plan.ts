// reconcile(observed) -> Plan. Pure and level-triggered: the same Observed always gives the same Plan, and
// a settled Promotion gives no actions, no events and an identical status (so the adapter writes nothing).
// Precedence: suspend > invalid spec > rollback-to > hold > the in-flight flight > starting a new one.
import { advance, waveWorkloads } from './flight.js';
import { imageRecord, parseImageRef, sameImage } from './naming.js';
import { ANNOTATION, ROLLBACK_TARGET_RESULTS, type HistoryEntry, type InFlightStatus, type PromotionStatus } from './resource.js';
import { appContainers, singletonProblem, templateRuns } from './rollout.js';
import { settingsOf, specProblem, waveComponents, type Settings } from './spec.js';
import { conclude, type Draft } from './summary.js';
import { rfc3339 } from './time.js';
import type { Observed, Plan } from './types.js';
import { verifyStaging } from './verify.js';

/** What production runs now, if every app container of every wave workload names one image. */
export function observedProduction(observed: Observed, settings: Settings) {
  const images = new Set<string>();
  for (const w of waveWorkloads(observed, waveComponents(settings))) {
    appContainers(w, settings.repository).containers.forEach((c) => images.add(c.image ?? ''));
  }
  const ref = images.size === 1 ? parseImageRef([...images][0]!) : undefined;
  return ref && (ref.tag || ref.digest) ? imageRecord(settings.repository, ref.tag, ref.digest) : undefined;
}

function land(d: Draft, flight: InFlightStatus, result: HistoryEntry['result'], reason: string): void {
  const { tag, digest, image } = flight;
  const entry: HistoryEntry = { ...imageRecord(d.settings.repository, tag, digest), image, result, startedAt: flight.startedAt, finishedAt: d.now, reason };
  d.history = [entry, ...d.history].slice(0, d.settings.historyLimit);
  d.inFlight = undefined;
  if (result === 'Succeeded' || result === 'RolledBack') d.production = { ...imageRecord(d.settings.repository, tag, digest), image, promotedAt: d.now };
  const verb = flight.kind === 'Rollback' ? 'rollback' : 'promotion';
  if (result === 'Succeeded') d.events.push({ type: 'Normal', reason: 'Promoted', message: `production runs ${image}` });
  else if (result === 'RolledBack') d.events.push({ type: 'Normal', reason: 'RolledBack', message: `production rolled back to ${image}; held until ${ANNOTATION.rollbackTo} is removed` });
  else {
    const what = flight.kind === 'Rollback' ? 'Rollback' : 'Promotion';
    d.events.push({ type: 'Warning', reason: `${what}${result === 'Aborted' ? 'Aborted' : 'Failed'}`, message: `${verb} of ${image}: ${reason}` });
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
    d.promoting = { status: 'True', reason: step.inFlight.phase, message: step.message };
    return;
  }
  const finished = step.finished!;
  const result = finished.result === 'Succeeded' && flight.kind === 'Rollback' ? 'RolledBack' : finished.result;
  land(d, flight, result, finished.reason);
  if (flight.kind === 'Rollback') d.rollbackHold = { reason: result === 'RolledBack' ? `rolled back to ${flight.image}` : `rollback to ${flight.image} failed: ${finished.reason}`, rollbackTo: flight.rollbackTo! };
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
  const target = d.history.find((h) => ROLLBACK_TARGET_RESULTS.includes(h.result) && [h.tag, h.digest, h.image].includes(value));
  if (!target) {
    d.promoting = { status: 'False', reason: 'RollbackTargetUnknown', message: `${ANNOTATION.rollbackTo}=${value} names no image production ran (see status.history); nothing rolled back` };
    return;
  }
  if (flight) land(d, flight, 'Aborted', `RollbackRequested: superseded by ${ANNOTATION.rollbackTo}=${value}`);
  d.inFlight = { kind: 'Rollback', ...imageRecord(d.settings.repository, target.tag, target.digest), image: target.image, phase: 'RollingBack', startedAt: d.now, wave: 0, rollbackTo: value };
  d.events.push({ type: 'Normal', reason: 'RollbackStarted', message: `rolling production back to ${target.image} (no migrations run or reversed)` });
  fly(d, observed);
  heldAfterRollback(d);
}

function heldAfterRollback(d: Draft): void {
  if (d.rollbackHold) d.promoting = { status: 'False', reason: 'Held', message: `${d.rollbackHold.reason}; held until ${ANNOTATION.rollbackTo} is removed` };
}

function maybeStart(d: Draft, observed: Observed): void {
  const { verification } = d;
  const candidate = verification.candidate;
  if (!candidate || !verification.verified) {
    d.promoting = { status: 'False', reason: 'NotVerified', message: candidate ? `waiting for staging to verify ${candidate.image}: ${verification.message}` : verification.message };
    return;
  }
  const prodWorkloads = waveWorkloads(observed, waveComponents(d.settings));
  // Up to date only if the workloads agree too: after an aborted rollback (or any drift) they are set again.
  const inSync = prodWorkloads.every((w) => templateRuns(w, d.settings.repository, candidate));
  if (d.production && sameImage(candidate, d.production) && inSync) {
    d.promoting = { status: 'False', reason: 'UpToDate', message: `production runs ${d.production.image}` };
    return;
  }
  const failed = d.history.find((h) => h.result === 'Failed' && sameImage(h, candidate));
  if (failed) {
    d.promoting = { status: 'False', reason: 'PreviouslyFailed', message: `${candidate.image} failed at ${failed.finishedAt} (${failed.reason}); it is not retried, push a new image` };
    return;
  }
  if (d.settings.approval === 'Manual') {
    const approval = observed.promotion.metadata.annotations?.[ANNOTATION.approve];
    const names = candidate.tag ? `${candidate.tag}${candidate.digest ? ` or ${candidate.digest}` : ''}` : candidate.digest!;
    if (approval === undefined) {
      d.promoting = { status: 'False', reason: 'WaitingForApproval', message: `${candidate.image} is verified; approve it by setting ${ANNOTATION.approve} to ${names}` };
      return;
    }
    if (approval !== candidate.tag && approval !== candidate.digest) {
      d.promoting = { status: 'False', reason: 'ApprovalMismatch', message: `${ANNOTATION.approve}=${approval} does not name the verified candidate (${names}); nothing promoted` };
      return;
    }
  }
  if (prodWorkloads.length === 0) {
    d.promoting = { status: 'False', reason: 'NoProductionWorkloads', message: 'no production workload matches target.selector and the waves' };
    return;
  }
  const unsafe = waveWorkloads(observed, ['beat']).map(singletonProblem).find(Boolean);
  if (unsafe) {
    d.promoting = { status: 'False', reason: 'UnsafeBeat', message: `not promoting: ${unsafe}` };
    d.degraded = { status: 'True', reason: 'UnsafeBeat', message: unsafe };
    return;
  }
  d.inFlight = { kind: 'Promotion', ...candidate, phase: 'Migrating', startedAt: d.now, wave: 0 };
  fly(d, observed);
}

export function reconcile(observed: Observed): Plan {
  const { promotion } = observed;
  const prev: PromotionStatus = promotion.status ?? {};
  const settings = settingsOf(promotion);
  const annotations = promotion.metadata.annotations ?? {};
  const d: Draft = {
    prev, settings, annotations, now: rfc3339(observed.now), generation: settings.generation,
    inFlight: prev.inFlight, history: prev.history ?? [], production: prev.production,
    actions: [], events: [], requeue: [], verification: { verified: false, reason: 'Unknown', message: '' },
  };
  if (promotion.spec.suspend) return conclude(d, 'suspended');
  const problem = specProblem(promotion);
  if (problem) {
    d.degraded = { status: 'True', reason: 'InvalidSpec', message: problem };
    return conclude(d, 'invalid');
  }
  d.verification = verifyStaging(observed, settings);
  if (d.verification.smokeNeeded) d.actions.push({ type: 'CheckSmoke', url: settings.smokeUrl!, image: d.verification.candidate!.image });
  if (d.verification.resolveNeeded) d.actions.push({ type: 'ResolveDigest', image: d.verification.candidate!.image });
  if (d.verification.requeueAfterSeconds !== undefined) d.requeue.push(d.verification.requeueAfterSeconds);
  if (!d.production) {
    const seen = observedProduction(observed, settings);
    if (seen) {
      d.production = seen;
      const entry: HistoryEntry = { ...seen, result: 'Observed', startedAt: d.now, finishedAt: d.now, reason: 'Observed: production ran this image when the operator first saw it' };
      d.history = [entry, ...d.history].slice(0, settings.historyLimit);
    }
  }
  const rollbackTo = annotations[ANNOTATION.rollbackTo];
  if (rollbackTo !== undefined) {
    rollback(d, observed, rollbackTo);
  } else if (annotations[ANNOTATION.hold] !== undefined) {
    const paused = d.inFlight ? `; ${d.inFlight.phase} of ${d.inFlight.image} paused` : '';
    d.promoting = { status: 'False', reason: 'Held', message: `held: ${annotations[ANNOTATION.hold] || 'no reason given'}${paused}` };
  } else {
    if (d.inFlight?.kind === 'Rollback') land(d, d.inFlight, 'Aborted', `RollbackCancelled: ${ANNOTATION.rollbackTo} was removed`);
    if (d.inFlight) fly(d, observed);
    // A flight that just ended makes way for the next candidate in the same reconcile.
    if (!d.inFlight) maybeStart(d, observed);
  }
  return conclude(d, 'active');
}
