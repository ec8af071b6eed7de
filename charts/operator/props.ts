// Settings of the operator chart, with every default in one place.
import { fileURLToPath } from 'node:url';
import { LABEL, MANAGED_BY } from '../../contract/index.js';

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
}

export interface OperatorImage {
  /** @default ghcr.io/ponyexpress/operator */
  readonly repository?: string;
  /** Never `latest`. @default the package version, 0.1.0 */
  readonly tag?: string;
  /** `sha256:…`; when set, the pod runs `repository@digest`. @default none */
  readonly digest?: string;
}

export interface OperatorChartProps {
  /** Pipelines whose namespaces the operator is granted (and the only ones it watches). */
  readonly pipelines: readonly OperatorPipeline[];
  /** The operator's own namespace (Lease, Events, its pods). @default ponyexpress-system */
  readonly namespace?: string;
  /** @default ghcr.io/ponyexpress/operator:0.1.0 */
  readonly image?: OperatorImage;
  /** Leader election makes extra replicas hot standbys. @default 2 */
  readonly replicas?: number;
  /**
   * Where the Kubernetes API server is reachable, for the egress NetworkPolicy. A NetworkPolicy cannot
   * name the API server, so narrow this to your control plane's addresses.
   * @default any destination on TCP 443 and 6443
   */
  readonly apiServer?: { readonly cidrs?: readonly string[]; readonly ports?: readonly number[] };
  /** Path of the CRD YAML shipped in the chart. @default operator/crd/promotions.ponyexpress.dev.yaml */
  readonly crdFile?: string;
}

export const OPERATOR_NAME = 'ponyexpress-operator';
export const METRICS_PORT = 8080;

export type ResolvedOperatorProps = Required<Omit<OperatorChartProps, 'image' | 'apiServer'>> & {
  readonly imageRef: string;
  readonly apiServer: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
};

const DEFAULT_CRD = fileURLToPath(new URL('../../operator/crd/promotions.ponyexpress.dev.yaml', import.meta.url));

export function resolveOperatorProps(props: OperatorChartProps): ResolvedOperatorProps {
  // With no pipeline the operator would have no namespace to watch, and an empty watch list means
  // "all namespaces", which its namespaced RBAC forbids.
  if (props.pipelines.length === 0) throw new Error('the operator chart needs at least one pipeline (an environment with a promotion: section)');
  const image = props.image ?? {};
  const tag = image.tag ?? '0.1.0';
  if (tag === 'latest') throw new Error('operator image: pin a version or digest, not "latest"');
  const repository = image.repository ?? 'ghcr.io/ponyexpress/operator';
  const replicas = props.replicas ?? 2;
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`operator replicas must be a positive integer, got ${replicas}`);
  return {
    pipelines: props.pipelines,
    namespace: props.namespace ?? 'ponyexpress-system',
    imageRef: image.digest ? `${repository}@${image.digest}` : `${repository}:${tag}`,
    replicas,
    apiServer: { cidrs: props.apiServer?.cidrs ?? [], ports: props.apiServer?.ports ?? [443, 6443] },
    crdFile: props.crdFile ?? DEFAULT_CRD,
  };
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
