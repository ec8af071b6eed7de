// The operator's own chart, synthesised to dist/operator/: CRD, namespace, pods, RBAC, PDB, NetworkPolicy.
import { readFileSync } from 'node:fs';
import { ApiObject, Chart, type ApiObjectProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import { k8s } from 'cdk8s-plus-27';
import { OperatorNetworkPolicy } from './network-policy.js';
import { OPERATOR_NAME, operatorLabels, type OperatorChartProps } from './props.js';
import { OperatorRbac } from './rbac.js';
import { podSecurityLabels } from '../security.js';
import { OperatorWorkload } from './workload.js';

/** The CRDs of record, shipped as they are (ImageFollow only when some staging follows its registry). */
const CRD_FILE = new URL('../../operator/crd/promotions.ponyexpress.dev.yaml', import.meta.url);
const FOLLOW_CRD_FILE = new URL('../../operator/crd/imagefollows.ponyexpress.dev.yaml', import.meta.url);

function crdFrom(file: URL): ApiObjectProps {
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS() as ApiObjectProps | null);
  if (docs.length !== 1 || docs[0]?.kind !== 'CustomResourceDefinition') {
    throw new Error(`${file.pathname}: expected exactly one CustomResourceDefinition`);
  }
  return docs[0];
}

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
    new ApiObject(this, 'crd', crdFrom(CRD_FILE));
    if (props.pipelines.some((p) => p.follow)) new ApiObject(this, 'follow-crd', crdFrom(FOLLOW_CRD_FILE));

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
