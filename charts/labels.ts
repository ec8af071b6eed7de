/** The components the label contract allows (CONTRIBUTING.md, "Names and labels"; docs/charts.md, "Components"). */
export type Component = 'web' | 'worker' | 'beat' | 'migrate';

export const MANAGED_BY = 'ponyexpress';
/** Annotation with the exact image a pod template or Job runs, so tools need not parse containers. */
export const IMAGE_ANNOTATION = 'ponyexpress.dev/image';
/** Annotation on pod templates that changes whenever the ConfigMap does, so a settings change rolls the pods. */
export const CONFIG_CHECKSUM_ANNOTATION = 'ponyexpress.dev/config-checksum';

/** Who an object belongs to: every construct receives one of these. */
export interface AppIdentity {
  /** e.g. `ponyshop`. */
  readonly app: string;
  /** e.g. `staging`. */
  readonly env: string;
  readonly namespace: string;
}

/**
 * The recommended labels of an app-wide object (Namespace, ServiceAccount, ConfigMaps, shared NetworkPolicies,
 * ExternalSecret, Application, Promotion). They carry no `component`: the contract's components are the four
 * workloads, and a tool selecting `component=web` must not pick up objects every component shares.
 */
export function appLabels(id: AppIdentity): Record<string, string> {
  return {
    'app.kubernetes.io/name': id.app,
    'app.kubernetes.io/instance': `${id.app}-${id.env}`,
    'app.kubernetes.io/part-of': id.app,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** The recommended labels of one component's own objects (workload, pods, Service, PDB, HPA, Ingress, Job). */
export function labelsFor(id: AppIdentity, component: Component): Record<string, string> {
  return { ...appLabels(id), 'app.kubernetes.io/component': component };
}

/** The immutable subset used in Deployment selectors (never includes labels that may change later). */
export function selectorFor(id: AppIdentity, component: Component): Record<string, string> {
  return { ...appPodsSelector(id), 'app.kubernetes.io/component': component };
}

/** Every pod of the app, whatever its component (NetworkPolicies). */
export function appPodsSelector(id: AppIdentity): Record<string, string> {
  return { 'app.kubernetes.io/name': id.app, 'app.kubernetes.io/instance': `${id.app}-${id.env}` };
}

function metadata(id: AppIdentity, name: string, labels: Record<string, string>, annotations?: Record<string, string>) {
  return {
    name,
    namespace: id.namespace,
    labels,
    ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
}

/** Metadata for a namespaced object that belongs to one component. */
export function metadataFor(id: AppIdentity, name: string, component: Component, annotations?: Record<string, string>) {
  return metadata(id, name, labelsFor(id, component), annotations);
}

/** Metadata for a namespaced app-wide object: no `component` label (see `appLabels`). */
export function appMetadataFor(id: AppIdentity, name: string, annotations?: Record<string, string>) {
  return metadata(id, name, appLabels(id), annotations);
}
