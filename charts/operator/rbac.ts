// Least-privilege, namespaced RBAC for the operator: one Role + RoleBinding per namespace and purpose.
// No ClusterRole unless `watchScope: cluster` asks for one, and then read-only (CLUSTER_READ_RULES); no
// wildcard; the only Secret rules are `get` on one named Secret (resourceNames): the registry credentials
// a following staging environment names, and a production Git write-back's credentials.
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { OPERATOR_NAME, operatorLabels, type OperatorPipeline } from './props.js';

type Rule = k8s.PolicyRule;

const READ = ['get', 'list', 'watch'];

/** Staging is only observed: rollouts, the pods' image digests, the staging migration Job. */
export const STAGING_RULES: readonly Rule[] = [
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: READ },
  { apiGroups: [''], resources: ['pods'], verbs: READ },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: READ },
];

/** Production: set images (server-side apply = patch), run the migration Job, own the Promotion's status. */
export const PRODUCTION_RULES: readonly Rule[] = [
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: [...READ, 'patch'] },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: [...READ, 'create'] },
  // Read-only on the spec and annotations (those are the users'); the status is written by server-side apply.
  { apiGroups: ['ponyexpress.dev'], resources: ['promotions'], verbs: READ },
  { apiGroups: ['ponyexpress.dev'], resources: ['promotions/status'], verbs: ['update', 'patch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
];

/**
 * `watchScope: cluster`: what the operator watches, in every namespace, read-only. Namespaces tell a
 * typo in a Promotion's namespace from an empty one. Writes keep their namespaced Roles.
 */
export const CLUSTER_READ_RULES: readonly Rule[] = [
  ...STAGING_RULES,
  { apiGroups: ['ponyexpress.dev'], resources: ['promotions'], verbs: READ },
  { apiGroups: [''], resources: ['namespaces'], verbs: READ },
];

/**
 * A staging namespace that follows its registry (ImageFollow): read the follows and write their status,
 * patch the workloads' images, create the migration Job, and get exactly the one credentials Secret the
 * environment names (resourceNames; no list or watch, which resourceNames cannot narrow).
 */
export function followRules(secretName: string | undefined, gitSecret?: string): Rule[] {
  const secrets = [...new Set([secretName, gitSecret].filter((x): x is string => Boolean(x)))].sort();
  return [
    { apiGroups: ['ponyexpress.dev'], resources: ['imagefollows'], verbs: READ },
    { apiGroups: ['ponyexpress.dev'], resources: ['imagefollows/status'], verbs: ['update', 'patch'] },
    { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['patch'] },
    { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    // Git mode adds the write-back credentials Secret, by name too.
    ...(secrets.length ? [{ apiGroups: [''], resources: ['secrets'], resourceNames: secrets, verbs: ['get'] }] : []),
  ];
}

/** Its own namespace: the leader-election Lease and Events about itself. */
export function ownNamespaceRules(leaseName: string): Rule[] {
  return [
    // `create` cannot be limited to a name (the object does not exist yet); get/update can.
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [leaseName], verbs: ['get', 'update'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  ];
}

export interface OperatorRbacProps {
  readonly pipelines: readonly OperatorPipeline[];
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly leaseName: string;
  /** `cluster` adds the read-only ClusterRole and drops the staging Roles it covers. @default 'namespaces' */
  readonly watchScope?: 'namespaces' | 'cluster';
}

/** Grants, per namespace, exactly the rules its role in some pipeline needs. */
export class OperatorRbac extends Construct {
  constructor(scope: Construct, id: string, props: OperatorRbacProps) {
    super(scope, id);
    const unique = (xs: string[]) => [...new Set(xs)].sort();
    const grant = (namespace: string, purpose: string, rules: readonly Rule[]) => {
      const name = `${OPERATOR_NAME}-${purpose}`;
      const metadata = { name, namespace, labels: operatorLabels() };
      new k8s.KubeRole(this, `${namespace}-${purpose}`, { metadata, rules: [...rules] });
      new k8s.KubeRoleBinding(this, `${namespace}-${purpose}-binding`, {
        metadata,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name: props.serviceAccountName, namespace: props.namespace }],
      });
    };
    grant(props.namespace, 'leader-election', ownNamespaceRules(props.leaseName));
    if (props.watchScope === 'cluster') {
      // Cluster-scoped: the operator's namespace in the name keeps two installs apart.
      const metadata = { name: `${OPERATOR_NAME}-read-${props.namespace}`, labels: operatorLabels() };
      new k8s.KubeClusterRole(this, 'cluster-read', { metadata, rules: [...CLUSTER_READ_RULES] });
      new k8s.KubeClusterRoleBinding(this, 'cluster-read-binding', {
        metadata,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: metadata.name },
        subjects: [{ kind: 'ServiceAccount', name: props.serviceAccountName, namespace: props.namespace }],
      });
    } else {
      for (const ns of unique(props.pipelines.map((p) => p.stagingNamespace))) grant(ns, 'staging', STAGING_RULES);
    }
    for (const ns of unique(props.pipelines.map((p) => p.productionNamespace))) {
      const secrets = unique(
        props.pipelines.flatMap((p) => (p.productionNamespace === ns && p.gitSecret ? [p.gitSecret] : [])),
      );
      const git: Rule[] = secrets.length
        ? [{ apiGroups: [''], resources: ['secrets'], resourceNames: secrets, verbs: ['get'] }]
        : [];
      grant(ns, 'production', [...PRODUCTION_RULES, ...git]);
    }
    for (const p of props.pipelines)
      if (p.follow) grant(p.stagingNamespace, 'follow', followRules(p.follow.secretName, p.follow.gitSecret));
  }
}
