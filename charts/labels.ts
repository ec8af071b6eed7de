import { LABEL, MANAGED_BY, type Component } from '../contract/index.js';

export type { Component };

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
    [LABEL.name]: id.app,
    [LABEL.instance]: `${id.app}-${id.env}`,
    [LABEL.partOf]: id.app,
    [LABEL.managedBy]: MANAGED_BY,
  };
}

/** The recommended labels of one component's own objects (workload, pods, Service, PDB, HPA, Ingress, Job). */
export function labelsFor(id: AppIdentity, component: Component): Record<string, string> {
  return { ...appLabels(id), [LABEL.component]: component };
}

/** The immutable subset used in Deployment selectors (never includes labels that may change later). */
export function selectorFor(id: AppIdentity, component: Component): Record<string, string> {
  return { ...appPodsSelector(id), [LABEL.component]: component };
}

/** Every pod of the app, whatever its component (NetworkPolicies). */
export function appPodsSelector(id: AppIdentity): Record<string, string> {
  return { [LABEL.name]: id.app, [LABEL.instance]: `${id.app}-${id.env}` };
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
