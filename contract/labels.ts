// Label and annotation keys the charts write and the operator reads (and the other way round).

export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  /** On the prod migration Job: the Promotion that created it. */
  promotion: 'ponyexpress.dev/promotion',
  /** On a staging migration Job the registry follower created: its ImageFollow. */
  follow: 'ponyexpress.dev/follow',
} as const;

export const ANNOTATION = {
  /** Manual approval: the exact tag (`1.4.2`) or digest (`sha256:…`) of the candidate. */
  approve: 'ponyexpress.dev/approve',
  /** Present = hold (value = reason). Removing it releases. */
  hold: 'ponyexpress.dev/hold',
  /** A tag or digest from status.history: roll workloads back to it (no migrations). Holds while present. */
  rollbackTo: 'ponyexpress.dev/rollback-to',
  /** On migration Jobs and pod templates (the charts' and the operator's): the exact image they run. */
  image: 'ponyexpress.dev/image',
  /** On pod templates: changes whenever the app's ConfigMap does, so a settings change rolls the pods. */
  configChecksum: 'ponyexpress.dev/config-checksum',
} as const;

/** Value of app.kubernetes.io/managed-by on everything the charts emit. */
export const MANAGED_BY = 'ponyexpress';

/** Field manager of every server-side apply the operator makes (Argo CD ignores exactly it). */
export const FIELD_MANAGER = 'ponyexpress-operator';

/** Values of app.kubernetes.io/component that rollout waves may name. */
export type WorkloadComponent = 'web' | 'worker' | 'beat';
/** Every value of app.kubernetes.io/component on app objects: the workloads and the migration Job. */
export type Component = WorkloadComponent | 'migrate';

/** Init container of every app pod: waits until the migration Job has migrated. */
export const WAIT_FOR_MIGRATIONS_CONTAINER = 'wait-for-migrations';
/** Container names reserved for the app image: the operator sets the promoted image on exactly these. */
export const APP_CONTAINER_NAMES: readonly string[] = [
  'web',
  'worker',
  'beat',
  'migrate',
  WAIT_FOR_MIGRATIONS_CONTAINER,
];
