// The staging candidate: the one app image every staging web/worker/beat template names, identified by
// digest when the template or the pods' imageIDs reveal it, else by tag.
import { digestFromImageID, imageRecord, isAppContainer, parseImageRef, type ImageRef } from './naming.js';
import { LABEL, type ImageRecord } from './resource.js';
import { appContainers, componentOf, workloadName } from './rollout.js';
import { matchesSelector } from './selector.js';
import { waveComponents, type Settings } from './spec.js';
import type { Observed, PodLike, WorkloadLike } from './types.js';

export interface StagingSet {
  workloads: WorkloadLike[];
  /** Live app pods (not terminating, not finished) of the wave components. */
  pods: PodLike[];
}

export type CandidateResult =
  | { found: true; candidate: ImageRecord; staging: StagingSet; podDigests: string[] }
  | { found: false; reason: string; message: string };

function live(metadata: { deletionTimestamp?: unknown }): boolean {
  return metadata.deletionTimestamp === undefined || metadata.deletionTimestamp === null;
}

export function stagingSet(observed: Observed, settings: Settings): StagingSet {
  const { source } = observed.promotion.spec;
  const components = new Set<string>(waveComponents(settings));
  const relevant = (o: { metadata: { labels?: Record<string, string>; namespace?: string } }) =>
    (o.metadata.namespace === undefined || o.metadata.namespace === source.namespace) &&
    matchesSelector(o.metadata.labels, source.selector) &&
    components.has(componentOf(o) ?? '');
  return {
    workloads: observed.staging.workloads.filter((w) => relevant(w) && live(w.metadata)),
    pods: observed.staging.pods.filter(
      (p) => relevant(p) && live(p.metadata) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
    ),
  };
}

/** Digests the pods' app containers report (imageID), deduplicated and sorted. */
export function podDigests(pods: PodLike[], repository: string): string[] {
  const digests = new Set<string>();
  for (const pod of pods) {
    for (const status of pod.status?.containerStatuses ?? []) {
      if (!isAppContainer({ name: status.name, image: status.image }, repository)) continue;
      const digest = digestFromImageID(status.imageID);
      if (digest) digests.add(digest);
    }
  }
  return [...digests].sort();
}

export function findCandidate(observed: Observed, settings: Settings): CandidateResult {
  const staging = stagingSet(observed, settings);
  for (const component of waveComponents(settings)) {
    if (!staging.workloads.some((w) => componentOf(w) === component)) {
      return {
        found: false,
        reason: 'NoCandidate',
        message: `no staging workload with ${LABEL.component}=${component}`,
      };
    }
  }
  const refs = new Map<string, ImageRef>();
  const named: string[] = [];
  for (const w of staging.workloads) {
    const { containers, initContainers } = appContainers(w, settings.repository);
    for (const c of [...containers, ...initContainers]) {
      const ref = c.image === undefined ? undefined : parseImageRef(c.image);
      const key = ref ? `${ref.repository}:${ref.tag ?? ''}@${ref.digest ?? ''}` : `invalid ${c.image ?? ''}`;
      if (!refs.has(key) && ref) refs.set(key, ref);
      if (!named.includes(key)) named.push(key);
      if (!ref || ref.repository !== parseImageRef(settings.repository)?.repository) {
        return {
          found: false,
          reason: 'NoCandidate',
          message: `${workloadName(w)} container ${c.name} runs ${c.image ?? 'no image'}, not ${settings.repository}`,
        };
      }
    }
  }
  if (named.length !== 1) {
    const images = staging.workloads.map(
      (w) =>
        `${workloadName(w)}=${appContainers(w, settings.repository)
          .containers.map((c) => c.image)
          .join('+')}`,
    );
    return { found: false, reason: 'NoCandidate', message: `staging runs more than one image: ${images.join(', ')}` };
  }
  const ref = [...refs.values()][0];
  const digests = podDigests(staging.pods, settings.repository);
  const digest = ref.digest ?? (digests.length === 1 ? digests[0] : undefined);
  return { found: true, candidate: imageRecord(settings.repository, ref.tag, digest), staging, podDigests: digests };
}

/** The outcome of staging verification (verify.ts), also shaped by digest resolution (resolve.ts). */
export interface Verification {
  candidate?: ImageRecord;
  verified: boolean;
  /** CamelCase reason for the StagingVerified condition. */
  reason: string;
  message: string;
  healthySince?: string;
  /** Staging's migration for the candidate succeeded (now or as recorded in status.staging.migrated). */
  migrated?: boolean;
  /** Ask the adapter to GET the smoke URL for the candidate. */
  smokeNeeded?: boolean;
  /** Ask the adapter to resolve the candidate's tag to a digest (Observed.resolveDigests). */
  resolveNeeded?: boolean;
  requeueAfterSeconds?: number;
}
