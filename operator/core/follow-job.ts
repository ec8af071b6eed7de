// The staging migration Job for a followed image, pure: the newest staging migration Job is the template
// (the charts wrote it, so it has the right env, Secrets and resources), with the new image on its app
// containers. Named like every migration Job (contract's migrationJobName over app, image and spec), so
// any number of reconciles converge on one Job per image.
import { migrationJobName } from '../../contract/index.js';
import { ANNOTATION, LABEL } from './resource.js';
import { isAppContainer } from './naming.js';
import { templateContainers } from './spec.js';
import type { ContainerLike, JobLike, JobManifest } from './types.js';
import { raiseJobTtl } from './migration.js';
import { FOLLOW_MOVE_RECHECK_MS } from './follow-types.js';
import type { MoveResult } from './staging-mover.js';
import { jobFailure, jobState } from './verify.js';

/** Labels the Job controller adds to a live Job; a new Job must not carry them (its selector would not match). */
const CONTROLLER_LABELS = [
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'job-name',
  'batch.kubernetes.io/job-name',
];

const createdOf = (job: JobLike) =>
  Date.parse((job.metadata as { creationTimestamp?: string }).creationTimestamp ?? '') || 0;

/** The newest Job, by creation time then name: the chart's latest rendering of the migration. */
export function newestJob(jobs: readonly JobLike[]): JobLike | undefined {
  return [...jobs].sort(
    (a, b) => createdOf(b) - createdOf(a) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? 1 : -1),
  )[0];
}

const strip = (labels: Record<string, string> | undefined) =>
  Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => !CONTROLLER_LABELS.includes(k)));

export function stagingMigrationJob(
  template: JobLike,
  opts: { app: string; image: string; repository: string; namespace: string; follow: string },
): JobManifest {
  const source = structuredClone((template as { spec?: Record<string, unknown> }).spec ?? {});
  delete source.selector;
  delete source.manualSelector;
  const pod = source.template as
    { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } } | undefined;
  if (pod) {
    pod.metadata = {
      ...pod.metadata,
      labels: strip(pod.metadata?.labels),
      annotations: { ...pod.metadata?.annotations, [ANNOTATION.image]: opts.image },
    };
  }
  const setImage = (c: ContainerLike) => {
    if (isAppContainer(c, opts.repository)) c.image = opts.image;
  };
  const containers = templateContainers(source);
  containers?.containers.forEach(setImage);
  containers?.initContainers.forEach(setImage);
  raiseJobTtl(source);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: migrationJobName(opts.app, opts.image, source),
      namespace: opts.namespace,
      labels: { ...strip(template.metadata.labels), [LABEL.follow]: opts.follow },
      annotations: { [ANNOTATION.image]: opts.image },
    },
    spec: source,
  };
}

/**
 * Staging's migration gate, the same for both movers: what to answer while the Job `name` is created,
 * running or failed, and undefined once it succeeded (then the mover writes the workloads or Git).
 */
export function migrationGate(
  job: JobLike | undefined,
  name: string,
  notes: { created?: string; failed?: string } = {},
): MoveResult | undefined {
  const inProgress = (message: string): MoveResult => ({
    state: 'InProgress',
    reason: 'Migrating',
    message,
    retryAfterMs: FOLLOW_MOVE_RECHECK_MS,
  });
  if (!job) return inProgress(`migration Job ${name} created${notes.created ?? ''}`);
  const state = jobState(job);
  if (state === 'Failed')
    return {
      state: 'Failed',
      reason: 'MigrationFailed',
      message: `migration Job ${name} failed: ${jobFailure(job)}${notes.failed ?? ''}`,
      permanent: true,
    };
  if (state === 'Running') return inProgress(`migration Job ${name} is running`);
  return undefined;
}
