// What the informer caches keep of each object (client-go's cache transform idea): the fields the
// core's *Like types declare (core/types.ts), nothing else. A Deployment, Pod or Job as the
// apiserver sends it carries env, probes, resources, volumes, securityContext, managedFields and
// more that the core never reads; at 500 pipelines the caches hold ~6,000 of them.
import type {
  ContainerLike,
  ContainerStatusLike,
  JobLike,
  ObjectMetaLike,
  PodLike,
  PodTemplateLike,
  WorkloadLike,
} from '../core/types.js';
import type { KubernetesObject } from './client.js';

type Meta = ObjectMetaLike & { resourceVersion?: string };
type Obj = Record<string, unknown>;

/** Copies the keys that are defined (an absent field stays absent, as the core tests for it). */
function pick<T extends object>(from: T | undefined, keys: readonly (keyof T)[]): Partial<T> | undefined {
  if (!from) return undefined;
  const out: Partial<T> = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function meta(m: Meta | undefined): Meta {
  const out = pick(m, [
    'name',
    'namespace',
    'uid',
    'resourceVersion',
    'generation',
    'labels',
    'annotations',
    'creationTimestamp',
    'deletionTimestamp',
  ]) as Meta;
  if (out?.annotations?.[LAST_APPLIED]) {
    const { [LAST_APPLIED]: _, ...rest } = out.annotations;
    out.annotations = rest;
  }
  return out ?? {};
}

const containers = (cs: ContainerLike[] | undefined) => cs?.map((c) => pick(c, ['name', 'image']) as ContainerLike);

function podSpec(s: PodLike['spec']): PodLike['spec'] {
  if (!s) return undefined;
  return {
    containers: containers(s.containers) ?? [],
    ...(s.initContainers ? { initContainers: containers(s.initContainers) } : {}),
  };
}

function template(t: PodTemplateLike | undefined): PodTemplateLike | undefined {
  if (!t) return undefined;
  return { ...(t.metadata ? { metadata: pick(t.metadata, ['labels', 'annotations']) } : {}), spec: podSpec(t.spec) };
}

function containerStatuses(cs: ContainerStatusLike[] | undefined): ContainerStatusLike[] | undefined {
  return cs?.map((c) => {
    const out = pick(c, ['name', 'image', 'imageID', 'ready', 'restartCount']) as ContainerStatusLike;
    const finishedAt = c.lastState?.terminated?.finishedAt;
    if (finishedAt !== undefined) out.lastState = { terminated: { finishedAt } };
    return out;
  });
}

type Workload = Omit<WorkloadLike, 'kind'>;

export function projectWorkload(o: Workload): Workload {
  const spec = o.spec && {
    ...pick(o.spec, ['replicas']),
    template: template(o.spec.template)!,
    ...(o.spec.strategy ? { strategy: pick(o.spec.strategy, ['type']) } : {}),
    ...(o.spec.updateStrategy ? { updateStrategy: pick(o.spec.updateStrategy, ['type']) } : {}),
  };
  return {
    metadata: meta(o.metadata),
    ...(spec ? { spec } : {}),
    ...(o.status
      ? {
          status: pick(o.status, [
            'observedGeneration',
            'replicas',
            'updatedReplicas',
            'readyReplicas',
            'availableReplicas',
            'currentRevision',
            'updateRevision',
            'conditions',
          ]),
        }
      : {}),
  };
}

export function projectPod(o: PodLike): PodLike {
  const s = o.status;
  return {
    metadata: meta(o.metadata),
    ...(o.spec ? { spec: podSpec(o.spec) } : {}),
    ...(s
      ? {
          status: {
            ...pick(s, ['phase', 'conditions']),
            ...(s.containerStatuses ? { containerStatuses: containerStatuses(s.containerStatuses) } : {}),
            ...(s.initContainerStatuses ? { initContainerStatuses: containerStatuses(s.initContainerStatuses) } : {}),
          },
        }
      : {}),
  };
}

export function projectJob(o: JobLike): JobLike {
  return {
    metadata: meta(o.metadata),
    ...(o.spec ? { spec: { template: template(o.spec.template)! } } : {}),
    ...(o.status ? { status: pick(o.status, ['active', 'succeeded', 'failed', 'completionTime', 'conditions']) } : {}),
  };
}

/** Objects the core reads whole (Promotions): only what no one reads, managedFields and kubectl's copy. */
export function slim<T extends KubernetesObject>(o: T): T {
  if (o.metadata?.managedFields) delete o.metadata.managedFields;
  const ann = o.metadata?.annotations;
  if (ann?.[LAST_APPLIED]) delete ann[LAST_APPLIED];
  return o;
}

/** The cache transform of each object kind. */
export const PROJECT = {
  deployments: projectWorkload,
  statefulsets: projectWorkload,
  pods: projectPod,
  jobs: projectJob,
} as const satisfies Record<string, (o: never) => Obj | object>;
