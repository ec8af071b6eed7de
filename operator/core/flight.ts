// Advancing the one in-flight promotion or rollback: migration Job first (promotions only), then the waves
// in order. Everything is re-derived from Observed, so a stale status (the adapter crashed before writing
// it) only means a step is recognised as done instead of being repeated.
import { findJob, migrationJob, prodMigrationJobName } from './migration.js';
import type { HistoryResult, InFlightStatus } from './resource.js';
import { appContainers, componentOf, rolloutState, singletonProblem, templateRuns, workloadName } from './rollout.js';
import { matchesSelector } from './selector.js';
import type { Settings } from './spec.js';
import { millis, rfc3339, secondsUntil } from './time.js';
import type { Action, Observed, PlanEvent, SetImages, WorkloadLike } from './types.js';
import { jobFailure, jobState } from './verify.js';

export interface FlightStep {
  /** Undefined when the flight ended (see `finished`). */
  inFlight?: InFlightStatus;
  finished?: { result: Extract<HistoryResult, 'Succeeded' | 'Failed'>; reason: string };
  actions: Action[];
  events: PlanEvent[];
  requeueAfterSeconds?: number;
  /** For the Promoting condition: what the flight is waiting for (no clock in it). */
  message: string;
}

/** Production workloads of the target that run the app (a workload with no app container is not ours to set). */
export function productionWorkloads(observed: Observed): WorkloadLike[] {
  const { target, imageRepository } = observed.promotion.spec;
  return observed.production.workloads.filter(
    (w) =>
      (w.metadata.namespace ?? target.namespace) === target.namespace &&
      matchesSelector(w.metadata.labels, target.selector) &&
      !w.metadata.deletionTimestamp &&
      appContainers(w, imageRepository).containers.length > 0,
  );
}

export function waveWorkloads(observed: Observed, wave: readonly string[]): WorkloadLike[] {
  return productionWorkloads(observed)
    .filter((w) => wave.includes(componentOf(w) ?? ''))
    .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

function setImages(w: WorkloadLike, flight: InFlightStatus, settings: Settings, wave: number): SetImages {
  const { containers, initContainers } = appContainers(w, settings.repository);
  const assign = (c: { name: string }) => ({ name: c.name, image: flight.image });
  return {
    type: 'SetImages',
    target: { apiVersion: 'apps/v1', kind: w.kind, namespace: w.metadata.namespace ?? '', name: w.metadata.name ?? '' },
    containers: containers.map(assign),
    initContainers: initContainers.map(assign),
    wave,
    purpose: flight.kind,
  };
}

function migrate(observed: Observed, settings: Settings, flight: InFlightStatus): FlightStep | InFlightStatus {
  const { promotion } = observed;
  const name = flight.migrationJob ?? prodMigrationJobName(promotion, settings, flight);
  const job = findJob(observed.production.migrationJobs, promotion.spec.target.namespace, name);
  const current = { ...flight, migrationJob: name };
  if (!job) {
    const events: PlanEvent[] = [{ type: 'Normal', reason: 'MigrationJobCreated', message: `created Job ${name} to migrate production to ${flight.image}` }];
    const action: Action = { type: 'CreateMigrationJob', job: migrationJob(promotion, settings, flight) };
    return { inFlight: current, actions: [action], events, message: `migrating production with Job ${name}` };
  }
  const state = jobState(job);
  if (state === 'Failed') {
    return { finished: { result: 'Failed', reason: `MigrationFailed: Job ${name}: ${jobFailure(job)}` }, actions: [], events: [], message: '' };
  }
  if (state === 'Running') return { inFlight: current, actions: [], events: [], message: `migrating production with Job ${name}` };
  return { ...current, phase: 'RollingOut', wave: 0, waveStartedAt: undefined };
}

/** Rolls the waves from flight.wave on; a wave's images are set only once every earlier wave is complete. */
function rollWaves(observed: Observed, settings: Settings, start: InFlightStatus): FlightStep {
  const nowMs = observed.now.getTime();
  const now = rfc3339(observed.now);
  const events: PlanEvent[] = [];
  let flight = start;
  for (let i = flight.wave; i < settings.waves.length; i++) {
    const wave = settings.waves[i]!;
    const label = `wave ${i + 1}/${settings.waves.length} (${wave.join(', ')})`;
    if (i !== flight.wave || !flight.waveStartedAt) flight = { ...flight, wave: i, waveStartedAt: now };
    const workloads = waveWorkloads(observed, wave);
    const stale = workloads.filter((w) => !templateRuns(w, settings.repository, flight));
    const fail = (reason: string): FlightStep => ({ finished: { result: 'Failed', reason }, actions: [], events, message: '' });
    if (stale.length > 0) {
      const unsafe = wave.includes('beat') ? stale.map(singletonProblem).find(Boolean) : undefined;
      if (unsafe) return fail(`UnsafeBeat: ${unsafe}`);
      const actions = stale.map((w) => setImages(w, flight, settings, i));
      if (flight.waveStartedAt === now) {
        events.push({ type: 'Normal', reason: 'WaveStarted', message: `${label}: setting ${flight.image} on ${stale.map(workloadName).join(', ')}` });
      }
      return { inFlight: flight, actions, events, message: `${label}: rolling out ${flight.image}` };
    }
    const pending = workloads.map(rolloutState).filter((r) => !r.complete);
    const stalled = pending.find((r) => r.stalled);
    if (stalled) return fail(`RolloutStalled: ${stalled.stalled}`);
    if (pending.length > 0) {
      const deadline = (millis(flight.waveStartedAt) ?? nowMs) + settings.rolloutTimeoutSeconds * 1000;
      if (nowMs >= deadline) return fail(`RolloutTimeout: ${label} not complete after ${settings.rolloutTimeoutSeconds}s: ${pending[0]!.message}`);
      return { inFlight: flight, actions: [], events, requeueAfterSeconds: secondsUntil(nowMs, deadline), message: `${label}: waiting for ${pending.map((r) => r.message.split(':')[0]).join(', ')}` };
    }
  }
  return { finished: { result: 'Succeeded', reason: 'Complete' }, actions: [], events, message: '' };
}

/** One reconcile's worth of progress on the in-flight promotion or rollback. */
export function advance(observed: Observed, settings: Settings, flight: InFlightStatus): FlightStep {
  if (flight.kind === 'Promotion' && flight.phase === 'Migrating') {
    const migrated = migrate(observed, settings, flight);
    return 'kind' in migrated ? rollWaves(observed, settings, migrated) : migrated;
  }
  return rollWaves(observed, settings, flight);
}
