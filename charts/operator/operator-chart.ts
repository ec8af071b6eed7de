// The operator's own chart, synthesised to dist/operator/: CRD, namespace, pods, RBAC, PDB, NetworkPolicy.
import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { imageFollowCrd, promotionCrd } from './crds.js';
import { OperatorNetworkPolicy } from './network-policy.js';
import { OPERATOR_NAME, operatorLabels, type OperatorChartProps } from './props.js';
import { OperatorRbac } from './rbac.js';
import { podSecurityLabels } from '../security.js';
import { OperatorWorkload } from './workload.js';

export class OperatorChart extends Chart {
  constructor(scope: Construct, id: string, props: OperatorChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    // With no pipeline the operator would have no namespace to watch, and an empty watch list means
    // "all namespaces", which its namespaced RBAC forbids.
    if (props.pipelines.length === 0)
      throw new Error('the operator chart needs at least one pipeline (an environment with a promotion: section)');
    const { settings } = props;
    const leaseName = OPERATOR_NAME;

    // Namespace and CRD first: `kubectl apply -f dist/operator/` then creates them before what uses them.
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: settings.namespace,
        labels: { ...operatorLabels(), ...podSecurityLabels() },
      },
    });
    new ApiObject(this, 'crd', promotionCrd());
    if (props.pipelines.some((p) => p.follow)) new ApiObject(this, 'follow-crd', imageFollowCrd());

    const workload = new OperatorWorkload(this, 'workload', { ...props, leaseName });
    new OperatorRbac(this, 'rbac', {
      pipelines: props.pipelines,
      namespace: settings.namespace,
      serviceAccountName: workload.serviceAccountName,
      leaseName,
      watchScope: settings.watchScope,
    });
    new OperatorNetworkPolicy(this, 'network-policy', props);
  }
}
