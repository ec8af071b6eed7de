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
  StatusConditionLike,
  Time,
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

/**
 * One copy of each repeated value. The apiserver sends every object's label values, images and condition
 * words anew, and JSON.parse makes a string of each: at 500 pipelines the caches held 18,000 copies of one
 * image name, and strings were a third of the live heap. Bounded: the table starts over when full.
 */
const interned = new Map<string, string>();
const INTERN_LIMIT = 20_000;

function intern<T extends Time | undefined>(value: T): T {
  if (typeof value !== 'string') return value;
  const known = interned.get(value);
  if (known !== undefined) return known as T;
  if (interned.size >= INTERN_LIMIT) interned.clear();
  interned.set(value, value);
  return value;
}

function internValues(record: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!record) return record;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) out[k] = intern(v);
  return out;
}

/** What the core reads of a condition (core/types.ts StatusConditionLike): no probe or update times. */
function conditions(cs: StatusConditionLike[] | undefined): StatusConditionLike[] | undefined {
  return cs?.map((c) => {
    const out: StatusConditionLike = { type: intern(c.type), status: intern(c.status) };
    if (c.reason !== undefined) out.reason = intern(c.reason);
    if (c.message !== undefined) out.message = intern(c.message);
    if (c.lastTransitionTime !== undefined) out.lastTransitionTime = intern(c.lastTransitionTime);
    return out;
  });
}

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
  if (!out) return {};
  if (out.annotations?.[LAST_APPLIED]) {
    const { [LAST_APPLIED]: _, ...rest } = out.annotations;
    out.annotations = rest;
  }
  if (out.namespace !== undefined) out.namespace = intern(out.namespace);
  if (out.labels) out.labels = internValues(out.labels);
  if (out.annotations) out.annotations = internValues(out.annotations);
  if (out.creationTimestamp !== undefined) out.creationTimestamp = intern(out.creationTimestamp);
  return out;
}

const containers = (cs: ContainerLike[] | undefined) =>
  cs?.map((c) => ({ name: intern(c.name), ...(c.image !== undefined ? { image: intern(c.image) } : {}) }));

function podSpec(s: PodLike['spec']): PodLike['spec'] {
  if (!s) return undefined;
  return {
    containers: containers(s.containers) ?? [],
    ...(s.initContainers ? { initContainers: containers(s.initContainers) } : {}),
  };
}

function template(t: PodTemplateLike | undefined): PodTemplateLike | undefined {
  if (!t) return undefined;
  const metadata = t.metadata && {
    ...(t.metadata.labels ? { labels: internValues(t.metadata.labels) } : {}),
    ...(t.metadata.annotations ? { annotations: internValues(t.metadata.annotations) } : {}),
  };
  return { ...(metadata ? { metadata } : {}), spec: podSpec(t.spec) };
}

function containerStatuses(cs: ContainerStatusLike[] | undefined): ContainerStatusLike[] | undefined {
  return cs?.map((c) => {
    const out = pick(c, ['ready', 'restartCount']) as ContainerStatusLike;
    out.name = intern(c.name);
    if (c.image !== undefined) out.image = intern(c.image);
    if (c.imageID !== undefined) out.imageID = intern(c.imageID);
    const finishedAt = c.lastState?.terminated?.finishedAt;
    if (finishedAt !== undefined) out.lastState = { terminated: { finishedAt: intern(finishedAt) } };
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
          status: {
            ...pick(o.status, [
              'observedGeneration',
              'replicas',
              'updatedReplicas',
              'readyReplicas',
              'availableReplicas',
              'currentRevision',
              'updateRevision',
            ]),
            ...(o.status.conditions ? { conditions: conditions(o.status.conditions) } : {}),
          },
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
            ...pick(s, ['phase']),
            ...(s.conditions ? { conditions: conditions(s.conditions) } : {}),
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
    ...(o.status
      ? {
          status: {
            ...pick(o.status, ['active', 'succeeded', 'failed', 'completionTime']),
            ...(o.status.conditions ? { conditions: conditions(o.status.conditions) } : {}),
          },
        }
      : {}),
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
