// Builders for plain Kubernetes-shaped objects the pure core reads. No mocks: the core is pure.
import { createHash } from 'node:crypto';
import type { JobLike, PodLike, PromotionObject, PromotionSpec, WorkloadLike } from '../../../operator/core/types.js';

export const REPO = 'ghcr.io/ponyexpress/ponyshop';
export const T0 = new Date('2026-11-22T00:00:00Z');
export const STAGING = 'ponyshop-staging';
export const PRODUCTION = 'ponyshop-production';

/** A stable fake digest per tag, so tests can speak in tags. */
export function digestOf(tag: string): string {
  return `sha256:${createHash('sha256').update(tag).digest('hex')}`;
}

export function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}

export function iso(seconds: number): string {
  return `${at(seconds).toISOString().slice(0, 19)}Z`;
}

export function baseSpec(): PromotionSpec {
  return {
    imageRepository: REPO,
    source: {
      namespace: STAGING,
      selector: { matchLabels: { 'app.kubernetes.io/instance': STAGING } },
      migrationJobSelector: {
        matchLabels: { 'app.kubernetes.io/instance': STAGING, 'app.kubernetes.io/component': 'migrate' },
      },
      soakSeconds: 300,
    },
    target: {
      namespace: PRODUCTION,
      selector: { matchLabels: { 'app.kubernetes.io/instance': PRODUCTION } },
      migrationJobTemplate: {
        backoffLimit: 1,
        ttlSecondsAfterFinished: 600,
        template: {
          metadata: { labels: { 'app.kubernetes.io/component': 'migrate' } },
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'migrate', image: `${REPO}:placeholder`, command: ['python', '-c', 'migrate()'] }],
          },
        },
      },
    },
    policy: { approval: 'Automatic' },
  };
}

export function promotion(
  patch: { spec?: Partial<PromotionSpec>; annotations?: Record<string, string>; generation?: number } = {},
): PromotionObject {
  return {
    apiVersion: 'ponyexpress.dev/v1alpha1',
    kind: 'Promotion',
    metadata: {
      name: 'ponyshop',
      namespace: PRODUCTION,
      generation: patch.generation ?? 1,
      annotations: patch.annotations ?? {},
    },
    spec: { ...baseSpec(), ...patch.spec },
  };
}

export type Component = 'web' | 'worker' | 'beat';
export const COMPONENTS: Component[] = ['web', 'worker', 'beat'];

function labels(instance: string, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'ponyshop',
    'app.kubernetes.io/instance': instance,
    'app.kubernetes.io/component': component,
  };
}

export interface WorkloadOptions {
  replicas?: number;
  generation?: number;
  /** Defaults to a complete rollout of the current generation. */
  rollout?: 'complete' | 'progressing' | 'stalled';
  strategy?: 'Recreate' | 'RollingUpdate';
}

export function deployment(
  instance: string,
  component: Component,
  image: string,
  o: WorkloadOptions = {},
): WorkloadLike {
  const replicas = o.replicas ?? (component === 'web' ? 2 : 1);
  const generation = o.generation ?? 1;
  const rollout = o.rollout ?? 'complete';
  const namespace = instance === STAGING ? STAGING : PRODUCTION;
  return {
    kind: 'Deployment',
    metadata: { name: `ponyshop-${component}`, namespace, generation, labels: labels(instance, component) },
    spec: {
      replicas,
      strategy: { type: o.strategy ?? (component === 'beat' ? 'Recreate' : 'RollingUpdate') },
      template: {
        metadata: { labels: labels(instance, component) },
        spec: { containers: [{ name: component, image }], initContainers: [{ name: 'wait-for-migrations', image }] },
      },
    },
    status: {
      observedGeneration: rollout === 'complete' ? generation : generation - 1,
      replicas,
      updatedReplicas: rollout === 'complete' ? replicas : 0,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions:
        rollout === 'stalled'
          ? [
              {
                type: 'Progressing',
                status: 'False',
                reason: 'ProgressDeadlineExceeded',
                message: 'ReplicaSet has timed out progressing.',
              },
            ]
          : [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
    },
  };
}

export interface PodOptions {
  /** Report this digest in imageID (kwok reports none). */
  digest?: string;
  readySince?: number;
  ready?: boolean;
  restartedAt?: number;
  index?: number;
}

export function pod(component: Component, image: string, o: PodOptions = {}): PodLike {
  const ready = o.ready ?? true;
  return {
    metadata: { name: `ponyshop-${component}-${o.index ?? 0}`, namespace: STAGING, labels: labels(STAGING, component) },
    spec: { containers: [{ name: component, image }], initContainers: [{ name: 'wait-for-migrations', image }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: iso(o.readySince ?? 0) }],
      containerStatuses: [
        {
          name: component,
          image,
          imageID: o.digest ? `${REPO}@${o.digest}` : '',
          ready,
          restartCount: o.restartedAt === undefined ? 0 : 1,
          ...(o.restartedAt === undefined ? {} : { lastState: { terminated: { finishedAt: iso(o.restartedAt) } } }),
        },
      ],
    },
  };
}

export type JobState = 'Succeeded' | 'Failed' | 'Running';

export function job(name: string, namespace: string, image: string, state: JobState, instance = STAGING): JobLike {
  const conditions =
    state === 'Succeeded'
      ? [{ type: 'Complete', status: 'True' }]
      : state === 'Failed'
        ? [
            {
              type: 'Failed',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
            },
          ]
        : [];
  return {
    metadata: { name, namespace, labels: labels(instance, 'migrate') },
    spec: { template: { spec: { containers: [{ name: 'migrate', image }] } } },
    status: {
      ...(state === 'Running' ? { active: 1 } : state === 'Succeeded' ? { succeeded: 1 } : { failed: 2 }),
      conditions,
    },
  };
}

export function setJobState(j: JobLike, state: JobState): void {
  const image = j.spec!.template.spec!.containers[0].image!;
  const fresh = job(j.metadata.name!, j.metadata.namespace!, image, state);
  j.status = fresh.status;
}
