// The production migration Job: the spec's template with the candidate image, under a name derived from
// image + resulting spec, so any number of reconciles (and restarts) converge on one Job. The name is the
// one the charts give the same Job (contract/canonical-json.ts): hash of the image and the Job spec that
// already carries it, so when the promoted image is later committed to dist/, GitOps finds the Job done.
import { migrationJobName } from '../../contract/index.js';
import { isAppContainer } from './naming.js';
import { ANNOTATION, LABEL, type ImageRecord, type PromotionObject } from './resource.js';
import { templateContainers, type Settings } from './spec.js';
import type { ContainerLike, JobLike, JobManifest } from './types.js';

/**
 * A finished Job must outlive the operator's next look at it, or a restarted operator would not find it
 * and would migrate again. Shorter TTLs in the template are raised to this (the charts' minimum too).
 */
export const MIN_JOB_TTL_SECONDS = 3600;

/** Raises a Job spec's shorter ttlSecondsAfterFinished to MIN_JOB_TTL_SECONDS, in place. */
export function raiseJobTtl(spec: Record<string, unknown>): void {
  const ttl = spec.ttlSecondsAfterFinished;
  if (typeof ttl === 'number' && ttl < MIN_JOB_TTL_SECONDS) spec.ttlSecondsAfterFinished = MIN_JOB_TTL_SECONDS;
}

/** The template with the image on every app container and in the pod's ponyexpress.dev/image annotation. */
export function jobSpecFor(
  template: Record<string, unknown>,
  image: string,
  repository: string,
): Record<string, unknown> {
  const spec = structuredClone(template);
  const pod = templateContainers(spec);
  const setImage = (c: ContainerLike) => {
    if (isAppContainer(c, repository)) c.image = image;
  };
  pod?.containers.forEach(setImage);
  pod?.initContainers.forEach(setImage);
  const podTemplate = spec.template as { metadata?: { annotations?: Record<string, string> } };
  podTemplate.metadata = {
    ...podTemplate.metadata,
    annotations: { ...podTemplate.metadata?.annotations, [ANNOTATION.image]: image },
  };
  return spec;
}

export function prodMigrationJobName(settings: Settings, image: ImageRecord): string {
  return migrationJobName(
    settings.app,
    image.image,
    jobSpecFor(settings.migrationJobTemplate, image.image, settings.repository),
  );
}

export function findJob(jobs: JobLike[], namespace: string, name: string): JobLike | undefined {
  return jobs.find((job) => job.metadata.name === name && (job.metadata.namespace ?? namespace) === namespace);
}

export function migrationJob(promotion: PromotionObject, settings: Settings, image: ImageRecord): JobManifest {
  const { target } = promotion.spec;
  const spec = jobSpecFor(settings.migrationJobTemplate, image.image, settings.repository);
  const name = migrationJobName(settings.app, image.image, spec);
  raiseJobTtl(spec);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: target.namespace,
      labels: {
        ...(target.selector.matchLabels ?? {}),
        [LABEL.component]: 'migrate',
        [LABEL.promotion]: promotion.metadata.name,
      },
      annotations: { [ANNOTATION.image]: image.image },
    },
    spec,
  };
}
