// Advancing the one in-flight promotion or rollback: migration Job first (promotions only), then the waves
// in order. Everything is re-derived from Observed, so a stale status (the adapter crashed before writing
// it) only means a step is recognised as done instead of being repeated.
import { findJob, migrationJob, prodMigrationJobName } from './migration.js';
import type { HistoryResult, InFlightStatus } from './resource.js';
import { appContainers, componentOf, rolloutState, singletonProblem, templateRuns, workloadName } from './rollout.js';
import { matchesSelector } from './selector.js';
import { flightSettings, type Settings } from './spec.js';
import { ANNOTATION, LABEL } from './resource.js';
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
  /** The flight waits at a wave boundary for an approval it did not need when it started. */
  paused?: boolean;
}

/** `<verb> <resource> <ns>/<name>: <Reason> (<code>): <message>`; stable across retries (no time, no count). */
export function failureSummary(f: NonNullable<Observed['failure']>): string {
  return `${f.key}: ${f.reason}${f.code ? ` (${f.code})` : ''}: ${f.message}`;
}

/** Approval turned Manual after this promotion started and does not name its image: stop before the next wave. */
function approvalPending(observed: Observed, current: Settings, flight: InFlightStatus): string | undefined {
  if (flight.kind !== 'Promotion' || current.approval !== 'Manual' || flight.policy?.approval !== 'Automatic')
    return undefined;
  const approval = observed.promotion.metadata.annotations?.[ANNOTATION.approve];
  if (approval !== undefined && (approval === flight.tag || approval === flight.digest)) return undefined;
  const names = flight.tag ? `${flight.tag}${flight.digest ? ` or ${flight.digest}` : ''}` : flight.digest!;
  return `policy.approval became Manual while ${flight.image} was being promoted; set ${ANNOTATION.approve} to ${names} to continue`;
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
    .sort((a, b) => {
      const [x, y] = [a.metadata.name ?? '', b.metadata.name ?? ''];
      return x < y ? -1 : x > y ? 1 : 0; // code units: localeCompare would load ICU's collator (eslint.config.js)
    });
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
  const name = flight.migrationJob ?? prodMigrationJobName(settings, flight);
  const job = findJob(observed.production.migrationJobs, promotion.spec.target.namespace, name);
  const current = { ...flight, migrationJob: name };
  if (!job) {
    const events: PlanEvent[] = [
      {
        type: 'Normal',
        reason: 'MigrationJobCreated',
        message: `created Job ${name} to migrate production to ${flight.image}`,
      },
    ];
    const action: Action = { type: 'CreateMigrationJob', job: migrationJob(promotion, settings, flight) };
    return { inFlight: current, actions: [action], events, message: `migrating production with Job ${name}` };
  }
  const state = jobState(job);
  if (state === 'Failed') {
    return {
      finished: { result: 'Failed', reason: `MigrationFailed: Job ${name}: ${jobFailure(job)}` },
      actions: [],
      events: [],
      message: '',
    };
  }
  if (state === 'Running')
    return { inFlight: current, actions: [], events: [], message: `migrating production with Job ${name}` };
  return { ...current, phase: 'RollingOut', wave: 0, waveStartedAt: undefined };
}

/** Rolls the waves from flight.wave on; a wave's images are set only once every earlier wave is complete. */
function rollWaves(observed: Observed, settings: Settings, start: InFlightStatus, current: Settings): FlightStep {
  const nowMs = observed.now.getTime();
  const now = rfc3339(observed.now);
  const events: PlanEvent[] = [];
  let flight = start;
  for (let i = flight.wave; i < settings.waves.length; i++) {
    const wave = settings.waves[i];
    const label = `wave ${i + 1}/${settings.waves.length} (${wave.join(', ')})`;
    const starting = i !== flight.wave || !flight.waveStartedAt;
    const pendingApproval = starting ? approvalPending(observed, current, flight) : undefined;
    if (pendingApproval)
      return { inFlight: flight, actions: [], events, message: `${label} paused: ${pendingApproval}`, paused: true };
    if (starting) flight = { ...flight, wave: i, waveStartedAt: now };
    const deadline = (millis(flight.waveStartedAt) ?? nowMs) + settings.rolloutTimeoutSeconds * 1000;
    const fail = (reason: string): FlightStep => ({
      finished: { result: 'Failed', reason },
      actions: [],
      events,
      message: '',
    });
    const timeout = (what: string) =>
      fail(`RolloutTimeout: ${label} not complete after ${settings.rolloutTimeoutSeconds}s: ${what}`);
    const workloads = waveWorkloads(observed, wave);
    const stale = workloads.filter((w) => !templateRuns(w, settings.repository, flight));
    if (stale.length > 0) {
      const unsafe = wave.includes('beat') ? stale.map(singletonProblem).find(Boolean) : undefined;
      if (unsafe) return fail(`UnsafeBeat: ${unsafe}`);
      const failure =
        observed.failure && stale.some((w) => observed.failure!.name === w.metadata.name)
          ? failureSummary(observed.failure)
          : undefined;
      // A refused patch must not keep the flight alive forever: the wave's deadline holds whatever the API says.
      if (nowMs >= deadline)
        return timeout(failure ?? `${stale.map(workloadName).join(', ')} not set to ${flight.image}`);
      const actions = stale.map((w) => setImages(w, flight, settings, i));
      // One Event per transition: a promotion announces its start once (the migration Job's Event, or this
      // one when no migration runs); later waves show in status (Promoting, inFlight.wave) and the logs.
      if (
        flight.waveStartedAt === now &&
        i === 0 &&
        !flight.migrationJob &&
        flight.kind === 'Promotion' &&
        !flight.drift
      ) {
        events.push({
          type: 'Normal',
          reason: 'WaveStarted',
          message: `${label}: setting ${flight.image} on ${stale.map(workloadName).join(', ')}`,
        });
      }
      return {
        inFlight: flight,
        actions,
        events,
        requeueAfterSeconds: secondsUntil(nowMs, deadline),
        message: `${label}: rolling out ${flight.image}`,
      };
    }
    const missing = wave
      .filter((c) => !workloads.some((w) => componentOf(w) === c))
      .map((c) => `no production ${c} (${LABEL.component}=${c} matching target.selector)`);
    const pending = [
      ...missing,
      ...workloads
        .map(rolloutState)
        .filter((r) => !r.complete)
        .map((r) => r.stalled ?? r.message),
    ];
    const stalled = workloads.map(rolloutState).find((r) => !r.complete && r.stalled);
    if (stalled) return fail(`RolloutStalled: ${stalled.stalled}`);
    if (pending.length > 0) {
      if (nowMs >= deadline) return timeout(pending[0]);
      return {
        inFlight: flight,
        actions: [],
        events,
        requeueAfterSeconds: secondsUntil(nowMs, deadline),
        // A rollout's progress alone is no reason for a status write: the same words as when the wave
        // started, unless a workload is missing (a problem a human must see).
        message: missing.length
          ? `${label}: waiting for ${missing.map((m) => m.split(':')[0]).join(', ')}`
          : `${label}: rolling out ${flight.image}`,
      };
    }
  }
  return { finished: { result: 'Succeeded', reason: 'Complete' }, actions: [], events, message: '' };
}

/** One reconcile's worth of progress on the in-flight promotion or rollback, under the spec it started with. */
export function advance(observed: Observed, current: Settings, flight: InFlightStatus): FlightStep {
  const settings = flightSettings(current, flight);
  if (flight.kind === 'Promotion' && flight.phase === 'Migrating') {
    const migrated = migrate(observed, settings, flight);
    return 'kind' in migrated ? rollWaves(observed, settings, migrated, current) : migrated;
  }
  return rollWaves(observed, settings, flight, current);
}
