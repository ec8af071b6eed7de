// The operator's own chart, synthesised to dist/operator/: CRD, namespace, pods, RBAC, PDB, NetworkPolicy.
import { fileURLToPath } from 'node:url';
import { Chart, Include } from 'cdk8s';
import type { Construct } from 'constructs';
import { k8s } from '../k8s.js';
import { OperatorNetworkPolicy } from './network-policy.js';
import { OPERATOR_NAME, operatorLabels, type OperatorChartProps } from './props.js';
import { OperatorRbac } from './rbac.js';
import { OperatorWorkload } from './workload.js';

/** The Promotion CRD of record, shipped as it is. */
const CRD_FILE = fileURLToPath(new URL('../../operator/crd/promotions.ponyexpress.dev.yaml', import.meta.url));

export class OperatorChart extends Chart {
  constructor(scope: Construct, id: string, props: OperatorChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    // With no pipeline the operator would have no namespace to watch, and an empty watch list means
    // "all namespaces", which its namespaced RBAC forbids.
    if (props.pipelines.length === 0) throw new Error('the operator chart needs at least one pipeline (an environment with a promotion: section)');
    const { settings } = props;
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
    const crd = new Include(this, 'crd', { url: CRD_FILE });
    if (crd.apiObjects.length !== 1 || crd.apiObjects[0].kind !== 'CustomResourceDefinition') {
      throw new Error(`${CRD_FILE}: expected exactly one CustomResourceDefinition`);
    }

    const workload = new OperatorWorkload(this, 'workload', { ...props, leaseName });
    new OperatorRbac(this, 'rbac', {
      pipelines: props.pipelines,
      namespace: settings.namespace,
      serviceAccountName: workload.serviceAccountName,
      leaseName,
    });
    new OperatorNetworkPolicy(this, 'network-policy', props);
  }
}

