// The operator's own chart, synthesised to dist/operator/: CRD, namespace, pods, RBAC, PDB, NetworkPolicy.
import { Chart, Include } from 'cdk8s';
import type { Construct } from 'constructs';
import { k8s } from '../k8s.js';
import { OperatorNetworkPolicy } from './network-policy.js';
import { OPERATOR_NAME, operatorLabels, resolveOperatorProps, type OperatorChartProps } from './props.js';
import { OperatorRbac } from './rbac.js';
import { OperatorWorkload } from './workload.js';

export class OperatorChart extends Chart {
  constructor(scope: Construct, id: string, props: OperatorChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const settings = resolveOperatorProps(props);
    const leaseName = OPERATOR_NAME;

    // Namespace and CRD first: `kubectl apply -f dist/operator/` then creates them before what uses them.
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: settings.namespace,
        labels: {
          ...operatorLabels(),
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });
    const crd = new Include(this, 'crd', { url: settings.crdFile });
    if (crd.apiObjects.length !== 1 || crd.apiObjects[0].kind !== 'CustomResourceDefinition') {
      throw new Error(`${settings.crdFile}: expected exactly one CustomResourceDefinition`);
    }

    const workload = new OperatorWorkload(this, 'workload', { settings, leaseName });
    new OperatorRbac(this, 'rbac', {
      pipelines: settings.pipelines,
      namespace: settings.namespace,
      serviceAccountName: workload.serviceAccountName,
      leaseName,
    });
    new OperatorNetworkPolicy(this, 'network-policy', settings);
  }
}

