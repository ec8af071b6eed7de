// The seam between the pure core and the kube adapter.
//   adapter: build Observed from informer caches -> reconcile(observed) -> execute plan.actions in
//   order (stop at the first failure) -> write plan.status only if plan.statusChanged -> emit plan.events
//   -> requeue after plan.requeueAfterSeconds.
// The "…Like" shapes are structural subsets of the Kubernetes JSON (field names identical), so
// @kubernetes/client-node objects fit as they are, except that workloads need `kind` set (list items lack it).

export * from './resource.js';
import type { PromotionObject, PromotionStatus } from './resource.js';

/** Timestamps arrive as RFC 3339 strings (raw watch JSON) or Dates (client-node deserialised). */
export type Time = string | Date;

export interface ObjectMetaLike {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: Time;
  deletionTimestamp?: Time;
}

export interface ContainerLike {
  name: string;
  image?: string;
}

export interface PodTemplateLike {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { containers: ContainerLike[]; initContainers?: ContainerLike[] };
}

export interface StatusConditionLike {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: Time;
}

/** A Deployment or StatefulSet (beat may be either). */
export interface WorkloadLike {
  kind: 'Deployment' | 'StatefulSet';
  metadata: ObjectMetaLike;
  spec?: {
    replicas?: number;
    template: PodTemplateLike;
    /** Deployment */
    strategy?: { type?: string };
    /** StatefulSet */
    updateStrategy?: { type?: string };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    /** StatefulSet */
    currentRevision?: string;
    updateRevision?: string;
    conditions?: StatusConditionLike[];
  };
}

export interface ContainerStatusLike {
  name: string;
  /** The image as the kubelet reports it (tag reference). */
  image?: string;
  /** `docker-pullable://repo@sha256:…` or `repo@sha256:…`; kwok reports none. */
  imageID?: string;
  ready?: boolean;
  restartCount?: number;
  lastState?: { terminated?: { finishedAt?: Time } };
}

export interface PodLike {
  metadata: ObjectMetaLike;
  spec?: { containers: ContainerLike[]; initContainers?: ContainerLike[] };
  status?: {
    phase?: string;
    conditions?: StatusConditionLike[];
    containerStatuses?: ContainerStatusLike[];
    initContainerStatuses?: ContainerStatusLike[];
  };
}

export interface JobLike {
  metadata: ObjectMetaLike;
  spec?: { template: PodTemplateLike };
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    completionTime?: Time;
    conditions?: StatusConditionLike[];
  };
}

/** Result of the last CheckSmoke the adapter ran for this Promotion (kept in memory by the adapter). */
export interface SmokeResult {
  url: string;
  /** The image the check was made for (CheckSmoke.image). */
  image: string;
  /** HTTP status; absent when the request failed outright. */
  statusCode?: number;
  /** Network error or timeout, when there was no response. */
  error?: string;
  checkedAt: Time;
}

/** Result of the last ResolveDigest the adapter ran for this Promotion (kept in memory by the adapter). */
export interface DigestResolution {
  /** The tag reference that was resolved (ResolveDigest.image), e.g. `registry.example/app:1.2.3`. */
  image: string;
  /** `sha256:<64 hex>` the registry answered (verified against the manifest body); absent on failure. */
  digest?: string;
  /** What failed and what was expected, when there is no digest. */
  error?: string;
  /** Consecutive failed attempts for this image (1 after the first failure); drives the retry backoff. */
  attempts?: number;
  checkedAt: Time;
}

/** What a write action does to which object; `key` identifies it in an ActionFailure. */
export interface ActionTarget {
  verb: 'create' | 'patch';
  resource: 'jobs' | 'deployments' | 'statefulsets';
  namespace: string;
  name: string;
  /** `<verb> <resource> <namespace>/<name>`, e.g. `patch deployments shop-production/shop-web`. */
  key: string;
}

/**
 * A write the API refused (any HTTP error but a Job create's AlreadyExists). The adapter keeps the last one
 * per Promotion, re-plans at once with it, and forgets it when a later write succeeds or the plan no longer
 * reports it (Degraded reason other than ActionFailed). The core backs the retry off: 10 s doubling to 5 min.
 */
export interface ActionFailure extends ActionTarget {
  /** HTTP status, when there was a response. */
  code?: number;
  /** The Kubernetes Status reason (`Forbidden`, `NotFound`, `Conflict`, `Invalid`, `InternalError`, …). */
  reason: string;
  /** The Status message (first line). */
  message: string;
  /** Consecutive refusals of this very write (1 after the first). */
  attempts: number;
  failedAt: Time;
}

/** A namespace/kind the adapter could not list (403 Forbidden, 404): the Promotion's config names something unreadable. */
export interface Unreadable {
  namespace: string;
  resource: string;
  code?: number;
  message: string;
}

/** Everything reconcile() may look at. Pass whole cache contents: the core filters. */
export interface Observed {
  /** The wall clock of this reconcile. The only source of time. */
  now: Date;
  promotion: PromotionObject;
  staging: {
    /** Deployments and StatefulSets in spec.source.namespace matching spec.source.selector. */
    workloads: WorkloadLike[];
    /** Pods in spec.source.namespace matching spec.source.selector. */
    pods: PodLike[];
    /** Jobs in spec.source.namespace matching spec.source.migrationJobSelector. */
    migrationJobs: JobLike[];
  };
  production: {
    /** Deployments and StatefulSets in spec.target.namespace matching spec.target.selector. */
    workloads: WorkloadLike[];
    /** Jobs in spec.target.namespace (at least those labelled ponyexpress.dev/promotion=<name>); found by name. */
    migrationJobs: JobLike[];
  };
  /** Absent until the adapter has run a CheckSmoke for this Promotion. */
  smoke?: SmokeResult;
  /**
   * Resolve a candidate that pods report no digest for (tag only) to its registry digest before promoting it.
   * @default false (the tag moves, as before)
   */
  resolveDigests?: boolean;
  /** Absent until the adapter has run a ResolveDigest for this Promotion. */
  resolution?: DigestResolution;
  /** The last write the API refused for this Promotion (kept by the adapter until one succeeds). */
  failure?: ActionFailure;
  /** What the adapter could not list for this Promotion; non-empty means the Observed lists are not the cluster's. */
  unreadable?: Unreadable[];
}

/** A complete batch/v1 Job to create (not apply: Jobs are immutable; AlreadyExists means done). */
export interface JobManifest {
  apiVersion: 'batch/v1';
  kind: 'Job';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: Record<string, unknown>;
}

export interface CreateMigrationJob {
  type: 'CreateMigrationJob';
  job: JobManifest;
}

export interface ImageAssignment {
  /** Container name. */
  name: string;
  image: string;
}

/**
 * Server-side apply (FIELD_MANAGER, force) of exactly these image fields on one production workload.
 * Never touches replicas or anything else. applyConfiguration() in ./actions.js builds the body.
 */
export interface SetImages {
  type: 'SetImages';
  target: { apiVersion: 'apps/v1'; kind: 'Deployment' | 'StatefulSet'; namespace: string; name: string };
  containers: ImageAssignment[];
  initContainers: ImageAssignment[];
  /** Index into the waves; for logs and metrics. */
  wave: number;
  purpose: 'Promotion' | 'Rollback';
}

/** GET url (short timeout, no redirects to other hosts) and remember the result as Observed.smoke. */
export interface CheckSmoke {
  type: 'CheckSmoke';
  url: string;
  image: string;
}

/** Look the tag reference up in its registry and remember the result as Observed.resolution. */
export interface ResolveDigest {
  type: 'ResolveDigest';
  /** `repo:tag` */
  image: string;
}

export type Action = CreateMigrationJob | SetImages | CheckSmoke | ResolveDigest;

export interface PlanEvent {
  type: 'Normal' | 'Warning';
  /** CamelCase. */
  reason: string;
  message: string;
}

export interface Plan {
  /** Execute in order; stop at the first failure and requeue with backoff. Empty in steady state. */
  actions: Action[];
  /**
   * The complete new status. REPLACE it (PUT …/status with the observed resourceVersion, or SSA of the
   * whole status): a JSON merge patch would leave fields that disappeared (inFlight, hold) behind.
   */
  status: PromotionStatus;
  /** False when status deep-equals the observed status: then write nothing. */
  statusChanged: boolean;
  /** Emit on the Promotion. Derived from transitions, so empty in steady state. */
  events: PlanEvent[];
  /** Time-based wake-up (soak ending, smoke retry, rollout deadline). Absent = wait for watch events. */
  requeueAfterSeconds?: number;
}
