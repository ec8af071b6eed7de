// The checks issue 12 added around starting and carrying out a flight: is the candidate behind production,
// does every wave component exist, can the adapter read what the Promotion names, did production drift,
// and did the API refuse a write. Each returns a finding; plan.ts decides what it does.
import { actionTarget } from './actions.js';
import { failureSummary, waveWorkloads } from './flight.js';
import { sameImage } from './naming.js';
import { semverOlder } from './policy.js';
import { ROLLBACK_TARGET_RESULTS, type HistoryEntry, type ImageRecord, type ProductionStatus } from './resource.js';
import { appContainers, templateRuns, workloadName } from './rollout.js';
import { waveComponents, type Settings } from './spec.js';
import { millis, secondsUntil } from './time.js';
import type { Action, Observed, PlanEvent } from './types.js';

/**
 * Why promoting `candidate` would move production backwards, or undefined. Behind = production ran it and a
 * later *promotion* replaced it (a human's rollback does not count), or, under a semver policy, a lower version.
 */
export function behindProduction(
  history: HistoryEntry[],
  production: ProductionStatus | undefined,
  candidate: ImageRecord,
  settings: Settings,
): string | undefined {
  const ran = history.findIndex((h) => ROLLBACK_TARGET_RESULTS.includes(h.result) && sameImage(h, candidate));
  const newer =
    ran > 0 ? history.slice(0, ran).find((h) => h.result === 'Succeeded' && !sameImage(h, candidate)) : undefined;
  if (newer) return `${candidate.image} ran in production until ${newer.image} replaced it at ${newer.finishedAt}`;
  if (settings.tags?.semver !== undefined && production && semverOlder(candidate.tag, production.tag)) {
    return `${candidate.tag} is older than production ${production.tag} (policy.tags.semver)`;
  }
  return undefined;
}

/** The wave components production has no workload for (selected, with that component label, running the app). */
export function missingComponents(observed: Observed, settings: Settings): string[] {
  return waveComponents(settings).filter((c) => waveWorkloads(observed, [c]).length === 0);
}

/** What the adapter could not list in the Promotion's namespaces, as one message; undefined when all was read. */
export function unreadableProblem(observed: Observed): { reason: string; message: string } | undefined {
  const { source, target } = observed.promotion.spec;
  const bad = (observed.unreadable ?? []).filter(
    (u) => u.namespace === source.namespace || u.namespace === target.namespace,
  );
  if (bad.length === 0) return undefined;
  const first = bad[0];
  const field = first.namespace === source.namespace ? 'spec.source.namespace' : 'spec.target.namespace';
  const reason = field === 'spec.source.namespace' ? 'SourceUnreadable' : 'TargetUnreadable';
  const what = bad.map((u) => u.resource).join(', ');
  return {
    reason,
    message: `cannot list ${what} in namespace ${first.namespace} (${first.code ?? 'error'}: ${first.message}); check ${field} for a typo and that the operator has a Role there; nothing is written until it can read it`,
  };
}

/** Production wave workloads that do not run the recorded production image, named with what they run. */
export function drifted(observed: Observed, settings: Settings, production: ProductionStatus): string[] {
  return waveWorkloads(observed, waveComponents(settings))
    .filter((w) => !templateRuns(w, settings.repository, production))
    .map(
      (w) =>
        `${workloadName(w)} ran ${appContainers(w, settings.repository)
          .containers.map((c) => c.image)
          .join(', ')}`,
    );
}

const BACKOFF_BASE_SECONDS = 10;
const BACKOFF_MAX_SECONDS = 300;

export interface FailureEffect {
  degraded: { status: 'True'; reason: 'ActionFailed'; message: string };
  actions: Action[];
  events: PlanEvent[];
  requeueAfterSeconds?: number;
}

/**
 * A refused write the plan would repeat: report it, and until its backoff ends (10 s doubling to 5 min) drop
 * it, what follows it, and the events that would claim it happened. Undefined when the plan no longer makes it.
 */
export function refusedWrite(observed: Observed, actions: Action[], events: PlanEvent[]): FailureEffect | undefined {
  const failure = observed.failure;
  const index = failure ? actions.findIndex((a) => actionTarget(a)?.key === failure.key) : -1;
  if (!failure || index < 0) return undefined;
  const degraded = { status: 'True' as const, reason: 'ActionFailed' as const, message: failureSummary(failure) };
  const backoff = Math.min(BACKOFF_BASE_SECONDS * 2 ** Math.max(0, failure.attempts - 1), BACKOFF_MAX_SECONDS);
  const retryAt = (millis(failure.failedAt) ?? 0) + backoff * 1000;
  const nowMs = observed.now.getTime();
  if (nowMs >= retryAt) return { degraded, actions, events };
  const claims = new Set(['MigrationJobCreated', 'WaveStarted']);
  return {
    degraded,
    actions: actions.slice(0, index),
    events: events.filter((e) => !claims.has(e.reason)),
    requeueAfterSeconds: secondsUntil(nowMs, retryAt),
  };
}
