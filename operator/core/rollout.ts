// Rollout completeness of one Deployment or StatefulSet, the way `kubectl rollout status` judges it.
import { isAppContainer, referenceRuns } from './naming.js';
import { LABEL, type ImageRecord } from './resource.js';
import type { ContainerLike, WorkloadLike } from './types.js';

export interface RolloutState {
  complete: boolean;
  /** Set when the rollout can no longer finish on its own (ProgressDeadlineExceeded). */
  stalled?: string;
  /** Why it is not complete, with the replica counts; stable while nothing changes (no clock in it). */
  message: string;
  /**
   * The same without counters, for status conditions: a rollout's progress alone is no reason for a status
   * write (at 500 pipelines, counters made 2.7 extra writes per promotion while staging rolled out).
   */
  summary: string;
}

export function workloadName(w: WorkloadLike): string {
  return `${w.kind.toLowerCase()}/${w.metadata.name ?? '?'}`;
}

export function componentOf(w: { metadata: { labels?: Record<string, string> } }): string | undefined {
  return w.metadata.labels?.[LABEL.component];
}

export function rolloutState(w: WorkloadLike): RolloutState {
  const name = workloadName(w);
  const generation = w.metadata.generation ?? 0;
  const status = w.status ?? {};
  if ((status.observedGeneration ?? -1) < generation) {
    const message = `${name}: waiting for the controller to observe generation ${generation}`;
    return { complete: false, message, summary: message };
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (w.kind === 'Deployment' && progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    const stalled = `${name}: ProgressDeadlineExceeded${progressing.message ? `: ${progressing.message}` : ''}`;
    return { complete: false, stalled, message: stalled, summary: stalled };
  }
  const desired = w.spec?.replicas ?? 1;
  const counts = {
    replicas: status.replicas ?? 0,
    updated: status.updatedReplicas ?? 0,
    ready: status.readyReplicas ?? 0,
    available: status.availableReplicas ?? 0,
  };
  const settled =
    counts.replicas === desired &&
    counts.updated === desired &&
    counts.ready === desired &&
    counts.available === desired;
  if (!settled) {
    return {
      complete: false,
      message: `${name}: ${counts.updated}/${desired} updated, ${counts.ready} ready, ${counts.available} available, ${counts.replicas} total`,
      summary: `${name}: rolling out, not yet ${desired} updated and available`,
    };
  }
  const rolling = w.kind === 'StatefulSet' && (w.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && status.updateRevision && status.currentRevision !== status.updateRevision) {
    const message = `${name}: revision ${status.updateRevision} not yet current`;
    return { complete: false, message, summary: message };
  }
  return { complete: true, message: `${name}: rollout complete`, summary: `${name}: rollout complete` };
}

/** Containers and init containers of a workload's pod template that run the app image. */
export function appContainers(
  w: WorkloadLike,
  repository: string,
): { containers: ContainerLike[]; initContainers: ContainerLike[] } {
  const spec = w.spec?.template.spec;
  return {
    containers: (spec?.containers ?? []).filter((c) => isAppContainer(c, repository)),
    initContainers: (spec?.initContainers ?? []).filter((c) => isAppContainer(c, repository)),
  };
}

/** Whether every app container of the pod template already names the image. */
export function templateRuns(w: WorkloadLike, repository: string, image: ImageRecord): boolean {
  const { containers, initContainers } = appContainers(w, repository);
  const all = [...containers, ...initContainers];
  return all.length > 0 && all.every((c) => referenceRuns(c.image, repository, image));
}

/**
 * Beat must never run twice: a Recreate Deployment or a StatefulSet, at most one replica. The operator
 * only changes images, so it never scales beat; this refuses to roll a beat that is already unsafe.
 */
export function singletonProblem(w: WorkloadLike): string | undefined {
  const replicas = w.spec?.replicas ?? 1;
  if (replicas > 1) return `${workloadName(w)} has ${replicas} replicas; beat must have at most 1`;
  if (w.kind === 'Deployment' && w.spec?.strategy?.type !== 'Recreate') {
    return `${workloadName(w)} uses strategy ${w.spec?.strategy?.type ?? 'RollingUpdate'}; beat needs Recreate so two beat pods never coexist`;
  }
  return undefined;
}
