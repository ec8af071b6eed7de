/**
 * Apply order of every chart, expressed twice: as file-name prefixes (plain `kubectl apply -f dist/<dir>/` goes
 * alphabetically) and as Argo CD sync waves. Prerequisites of the migration Job (namespace, ServiceAccount,
 * ConfigMaps, the NetworkPolicies that let it reach DNS and the database, the credentials) come first, then the
 * Job, then every workload. The operator chart's CRD follows its Namespace, its Roles come before their bindings.
 * Objects that need a CRD outside core Kubernetes go to subfolders: the Argo CD Application (applied once by
 * hand, never synced by itself) and the operator's Promotion (synced by Argo CD, applied with
 * `kubectl apply -f dist/<env>/promotion/` once the operator is installed).
 */
interface Placement {
  prefix: string;
  /** Argo CD sync wave; workloads stay in the default wave 0. */
  wave?: number;
  /** Subfolder of dist/<env>; @default none */
  subdir?: string;
}

const PLACEMENT: Record<string, Placement> = {
  Namespace: { prefix: '00', wave: -2 },
  CustomResourceDefinition: { prefix: '01' },
  ExternalSecret: { prefix: '05', wave: -2 },
  ServiceAccount: { prefix: '10', wave: -2 },
  ConfigMap: { prefix: '20', wave: -2 },
  Role: { prefix: '20' },
  RoleBinding: { prefix: '21' },
  ClusterRole: { prefix: '20' },
  ClusterRoleBinding: { prefix: '21' },
  NetworkPolicy: { prefix: '25', wave: -2 },
  Service: { prefix: '30' },
  Job: { prefix: '40', wave: -1 },
  Deployment: { prefix: '50' },
  PodDisruptionBudget: { prefix: '60' },
  HorizontalPodAutoscaler: { prefix: '60' },
  Ingress: { prefix: '70' },
  Application: { prefix: 'application', subdir: 'argocd' },
  // Needs the operator's CRD (dist/operator/); Argo CD syncs this subfolder, a plain apply of the top folder does not.
  Promotion: { prefix: 'promotion', subdir: 'promotion', wave: 1 },
  // Same: needs the ImageFollow CRD from dist/operator/.
  ImageFollow: { prefix: 'imagefollow', subdir: 'follow', wave: 1 },
};

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

export function placementOf(kind: string): Placement {
  const p = PLACEMENT[kind];
  if (!p) throw new Error(`no output placement for kind ${kind}; add it to charts/ordering.ts`);
  return p;
}

/**
 * `00-namespace-ponyshop-staging.yaml`, `argocd/application-ponyshop-staging.yaml`; with `namespace` (charts that
 * span namespaces, where Roles of one name live in several) `20-role-ponyshop-staging-ponyexpress-operator-staging.yaml`.
 */
export function fileNameFor(kind: string, name: string, namespace?: string): string {
  const p = placementOf(kind);
  if (p.subdir) return `${p.subdir}/${p.prefix}-${name}.yaml`;
  return `${p.prefix}-${kind.toLowerCase()}-${namespace ? `${namespace}-` : ''}${name}.yaml`;
}
