// Staging verification: a candidate is verified only when its rollouts are complete, every app pod runs it,
// staging's migration Job for it succeeded, the pods stayed Ready without restarts for the soak time,
// and the optional smoke URL answered 2xx. The first unmet check is reported.
import { findCandidate, type StagingSet, type Verification } from './candidate.js';
import { digestFromImageID, isAppContainer, parseImageRef, referenceRuns } from './naming.js';
import { tagAllowed } from './policy.js';
import { requireDigest, withKnownDigest } from './resolve.js';
import { DEFAULTS, type ImageRecord } from './resource.js';
import { rolloutState } from './rollout.js';
import { matchesSelector } from './selector.js';
import type { Settings } from './spec.js';
import { millis, rfc3339, secondsUntil } from './time.js';
import type { JobLike, Observed, PodLike } from './types.js';

export type { Verification } from './candidate.js';

function podRunsCandidate(pod: PodLike, candidate: ImageRecord, repository: string): string | undefined {
  const statuses = pod.status?.containerStatuses ?? [];
  const appSpecs = (pod.spec?.containers ?? []).filter((c) => isAppContainer(c, repository));
  for (const spec of appSpecs) {
    const status = statuses.find((s) => s.name === spec.name);
    if (!status) return `pod ${pod.metadata.name}: container ${spec.name} has not started`;
    const digest = digestFromImageID(status.imageID);
    // The tag the kubelet reports must agree too: an old pod of another tag can share nothing but luck.
    const reported = parseImageRef(status.image ?? spec.image ?? '');
    const tagAgrees = !reported?.tag || !candidate.tag || reported.tag === candidate.tag;
    const runs =
      digest && candidate.digest
        ? digest === candidate.digest && tagAgrees
        : referenceRuns(status.image ?? spec.image, repository, candidate);
    if (!runs)
      return `pod ${pod.metadata.name}: container ${spec.name} runs ${digest ?? status.image ?? spec.image}, not ${candidate.image}`;
  }
  return appSpecs.length === 0 ? `pod ${pod.metadata.name} has no app container` : undefined;
}

/** Latest moment the pod became Ready or one of its app containers restarted; undefined when not Ready. */
function podHealthySince(pod: PodLike, repository: string): number | undefined {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return undefined;
  let since = millis(ready.lastTransitionTime) ?? millis(pod.metadata.creationTimestamp) ?? 0;
  for (const status of pod.status?.containerStatuses ?? []) {
    if (!isAppContainer({ name: status.name, image: status.image }, repository)) continue;
    if (status.ready === false) return undefined;
    since = Math.max(since, millis(status.lastState?.terminated?.finishedAt) ?? 0);
  }
  return since;
}

/**
 * A pod running the candidate whose app container crashed (restarted) and is not Ready again: a problem to
 * show at once, not progress that waits (core/conditions.ts). Old pods' crashes are not the candidate's.
 */
function crashingPod(staging: StagingSet, candidate: ImageRecord, repository: string): string | undefined {
  for (const pod of staging.pods) {
    if (podRunsCandidate(pod, candidate, repository)) continue;
    for (const status of pod.status?.containerStatuses ?? []) {
      if (!isAppContainer({ name: status.name, image: status.image }, repository)) continue;
      const restarts = status.restartCount ?? 0;
      if (status.ready !== false || restarts === 0) continue;
      const exit = millis(status.lastState?.terminated?.finishedAt);
      return (
        `pod ${pod.metadata.name}: container ${status.name} restarted ${restarts} time${restarts === 1 ? '' : 's'}` +
        `${exit !== undefined ? `, last exit at ${rfc3339(exit)},` : ''} and is not Ready`
      );
    }
  }
  return undefined;
}

export function jobState(job: JobLike): 'Succeeded' | 'Failed' | 'Running' {
  const conditions = job.status?.conditions ?? [];
  if (conditions.some((c) => (c.type === 'Complete' || c.type === 'SuccessCriteriaMet') && c.status === 'True'))
    return 'Succeeded';
  if (conditions.some((c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True'))
    return 'Failed';
  return 'Running';
}

/** A Job's own failure message, e.g. `BackoffLimitExceeded: Job has reached the specified backoff limit`. */
export function jobFailure(job: JobLike): string {
  const failed = job.status?.conditions?.find(
    (c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True',
  );
  return [failed?.reason, failed?.message].filter(Boolean).join(': ') || 'the Job failed';
}

/** Whether the last status already saw staging's migration for exactly this candidate succeed. */
function migratedBefore(observed: Observed, candidate: ImageRecord): boolean {
  const prev = observed.promotion.status?.staging;
  return (
    !!prev?.migrated && prev.image === candidate.image && prev.tag === candidate.tag && prev.digest === candidate.digest
  );
}

function stagingMigration(
  observed: Observed,
  candidate: ImageRecord,
  settings: Settings,
): { ok: boolean; reason: string; message: string } {
  // Evidence kept in status: a Job its TTL removed must not un-verify a candidate waiting for approval.
  if (migratedBefore(observed, candidate)) return { ok: true, reason: 'StagingMigrated', message: '' };
  const { source } = observed.promotion.spec;
  const jobs = observed.staging.migrationJobs.filter((job) => {
    if (!matchesSelector(job.metadata.labels, source.migrationJobSelector)) return false;
    const containers = job.spec?.template.spec?.containers ?? [];
    const app = containers.filter((c) => isAppContainer(c, settings.repository));
    return app.length > 0 && app.every((c) => referenceRuns(c.image, settings.repository, candidate));
  });
  const states = jobs.map((job) => ({ job, state: jobState(job) }));
  if (states.some((s) => s.state === 'Succeeded')) return { ok: true, reason: 'StagingMigrated', message: '' };
  if (states.some((s) => s.state === 'Running')) {
    return {
      ok: false,
      reason: 'StagingMigrationPending',
      message: `staging migration Job for ${candidate.image} has not completed`,
    };
  }
  const failed = states.find((s) => s.state === 'Failed');
  if (failed) {
    return {
      ok: false,
      reason: 'StagingMigrationFailed',
      message: `staging migration Job ${failed.job.metadata.name} failed: ${jobFailure(failed.job)}`,
    };
  }
  return { ok: false, reason: 'StagingMigrationMissing', message: `no staging migration Job ran ${candidate.image}` };
}

function checkPods(
  staging: StagingSet,
  candidate: ImageRecord,
  settings: Settings,
  digests: string[],
): Verification | number {
  const not = (reason: string, message: string): Verification => ({ candidate, verified: false, reason, message });
  if (digests.length > 1)
    return not('ImageMismatch', `staging pods report ${digests.length} different digests: ${digests.join(', ')}`);
  if (staging.pods.length === 0) return not('PodsNotReady', 'no live staging app pods');
  let healthySince = 0;
  for (const pod of staging.pods) {
    const mismatch = podRunsCandidate(pod, candidate, settings.repository);
    if (mismatch) return not('ImageMismatch', mismatch);
    const since = podHealthySince(pod, settings.repository);
    if (since === undefined) return not('PodsNotReady', `pod ${pod.metadata.name} is not Ready`);
    healthySince = Math.max(healthySince, since);
  }
  return healthySince;
}

function checkSmoke(observed: Observed, base: Verification, settings: Settings, healthySince: number): Verification {
  const url = settings.smokeUrl!;
  const nowMs = observed.now.getTime();
  const result = observed.smoke;
  const checkedAt = millis(result?.checkedAt);
  const relevant =
    result &&
    result.url === url &&
    result.image === base.candidate!.image &&
    checkedAt !== undefined &&
    checkedAt >= healthySince;
  if (!relevant)
    return { ...base, verified: false, reason: 'SmokePending', message: `waiting for GET ${url}`, smokeNeeded: true };
  const code = result.statusCode;
  if (code !== undefined && code >= 200 && code < 300)
    return {
      ...base,
      verified: true,
      reason: 'Verified',
      message: `${base.candidate!.image} verified (GET ${url} answered ${code})`,
    };
  const retryAt = checkedAt + DEFAULTS.smokeRetrySeconds * 1000;
  const answer = code !== undefined ? `answered ${code}` : `failed: ${result.error ?? 'no response'}`;
  const failed = { ...base, verified: false, reason: 'SmokeFailed', message: `GET ${url} ${answer}` };
  return nowMs >= retryAt
    ? { ...failed, smokeNeeded: true }
    : { ...failed, requeueAfterSeconds: secondsUntil(nowMs, retryAt) };
}

export function verifyStaging(observed: Observed, settings: Settings): Verification {
  const found = withKnownDigest(observed, findCandidate(observed, settings));
  if (!found.found) return { verified: false, reason: found.reason, message: found.message };
  const migration = stagingMigration(observed, found.candidate, settings);
  const verification = requireDigest(observed, checkCandidate(observed, settings, found, migration));
  return migration.ok ? { ...verification, migrated: true } : verification;
}

function checkCandidate(
  observed: Observed,
  settings: Settings,
  found: Extract<ReturnType<typeof findCandidate>, { found: true }>,
  migration: ReturnType<typeof stagingMigration>,
): Verification {
  const { candidate, staging } = found;
  const not = (reason: string, message: string): Verification => ({ candidate, verified: false, reason, message });
  const policy = tagAllowed(candidate.tag, observed.promotion.spec.policy?.tags);
  if (!policy.allowed) return not('TagNotAllowed', `ignoring ${candidate.image}: ${policy.message}`);
  // A failed migration is the root cause to show, not the rollout it holds back (pods wait on the migrations gate).
  if (migration.reason === 'StagingMigrationFailed') return not(migration.reason, migration.message);
  // So is a crashing pod (CrashLoopBackOff): the rollout waits on it, and RolloutIncomplete is mere progress.
  const crashing = crashingPod(staging, candidate, settings.repository);
  if (crashing) return not('PodsCrashing', crashing);
  for (const w of staging.workloads) {
    const rollout = rolloutState(w);
    if (!rollout.complete) return not(rollout.stalled ? 'RolloutStalled' : 'RolloutIncomplete', rollout.summary);
  }
  const pods = checkPods(staging, candidate, settings, found.podDigests);
  if (typeof pods !== 'number') return pods;
  if (!migration.ok) return not(migration.reason, migration.message);
  const base: Verification = { candidate, verified: false, reason: '', message: '', healthySince: rfc3339(pods) };
  const soakEnd = pods + settings.soakSeconds * 1000;
  const nowMs = observed.now.getTime();
  if (nowMs < soakEnd) {
    return {
      ...base,
      reason: 'Soaking',
      message: `soaking until ${rfc3339(soakEnd)}`,
      requeueAfterSeconds: secondsUntil(nowMs, soakEnd),
    };
  }
  if (settings.smokeUrl) return checkSmoke(observed, base, settings, pods);
  return {
    ...base,
    verified: true,
    reason: 'Verified',
    message: `${candidate.image} verified: healthy since ${base.healthySince}`,
  };
}
