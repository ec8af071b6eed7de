// What the operator chart is built from: the pipelines it serves and its validated settings.
import { LABEL, MANAGED_BY } from '../../contract/index.js';
import type { OperatorSettings } from '../config/operator-schema.js';

/** One app pipeline the operator may act on: which namespaces it reads and which it changes. */
export interface OperatorPipeline {
  /** The app, for comments and error messages, e.g. `ponyshop`. */
  readonly app: string;
  /** Read only: Deployments, StatefulSets, Pods, Jobs. */
  readonly stagingNamespace: string;
  /** Holds the Promotion; the operator patches workloads and creates the migration Job here. */
  readonly productionNamespace: string;
  /** When set, the operator's NetworkPolicy lets it reach this URL. @default no smoke check */
  readonly smokeUrl?: string;
  /** Git write-back's credentials: the operator may `get` this one Secret in the production namespace. @default none */
  readonly gitSecret?: string;
  /**
   * Staging follows its registry (an ImageFollow in the staging namespace): the operator may also patch
   * staging's workloads, create its migration Job and get the named credentials Secret. @default off
   */
  readonly follow?: { readonly secretName?: string; readonly gitSecret?: string };
}

export interface OperatorChartProps {
  /** Pipelines whose namespaces the operator is granted (and the only ones it watches); at least one. */
  readonly pipelines: readonly OperatorPipeline[];
  /** Validated by charts/config/operator-schema.ts, defaults applied. */
  readonly settings: OperatorSettings;
}

export const OPERATOR_NAME = 'ponyexpress-operator';
export const METRICS_PORT = 8080;
export const WEBHOOK_PORT = 8081;
/** Where the webhook's shared secret is mounted (the Secret's key `secret`). */
export const WEBHOOK_SECRET_DIR = '/etc/ponyexpress/webhook';
/** Where webhook.tls.secretName (a kubernetes.io/tls Secret: tls.crt, tls.key) is mounted. */
export const WEBHOOK_TLS_DIR = '/etc/ponyexpress/webhook-tls';

/** `repository@digest` when a digest is set, else `repository:tag`. */
export function operatorImageRef(image: OperatorSettings['image']): string {
  return image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag}`;
}

/** The namespace of an in-cluster smoke URL (`http://<service>.<namespace>.svc[.cluster.local]…`), else undefined. */
export function smokeNamespace(smokeUrl: string): string | undefined {
  return /^[^.]+\.([^.]+)\.svc(\.cluster\.local)?$/.exec(new URL(smokeUrl).hostname)?.[1];
}

/** The recommended labels on every operator object; the selector uses name + instance only. */
export function operatorLabels(): Record<string, string> {
  return {
    ...operatorSelector(),
    [LABEL.component]: 'operator',
    [LABEL.partOf]: 'ponyexpress',
    [LABEL.managedBy]: MANAGED_BY,
  };
}

export function operatorSelector(): Record<string, string> {
  return { [LABEL.name]: OPERATOR_NAME, [LABEL.instance]: OPERATOR_NAME };
}
