// Least-privilege, namespaced RBAC for the operator: one Role + RoleBinding per namespace and purpose.
// No ClusterRole at all, and no rule names Secrets (or uses a wildcard that would include them), except `get`
// on the one Secret a pipeline's Git write-back names (resourceNames), in that pipeline's production namespace.
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
    for (const ns of unique(props.pipelines.map((p) => p.stagingNamespace))) grant(ns, 'staging', STAGING_RULES);
    for (const ns of unique(props.pipelines.map((p) => p.productionNamespace))) {
      const secrets = unique(
        props.pipelines.flatMap((p) => (p.productionNamespace === ns && p.gitSecret ? [p.gitSecret] : [])),
      );
      const git: Rule[] = secrets.length
        ? [{ apiGroups: [''], resources: ['secrets'], resourceNames: secrets, verbs: ['get'] }]
        : [];
      grant(ns, 'production', [...PRODUCTION_RULES, ...git]);
    }
  }
}
