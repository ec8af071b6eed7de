import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { FIELD_MANAGER as OPERATOR_FIELD_MANAGER } from '../contract/index.js';
import { appLabels, type AppIdentity } from './labels.js';

export interface ArgoApplicationProps {
  readonly identity: AppIdentity;
  readonly repoURL: string;
  /** Folder in the GitOps repo holding this environment's manifests. */
  readonly path: string;
  readonly targetRevision: string;
  readonly project: string;
  /** Namespace Argo CD watches for Applications. */
  readonly argoNamespace: string;
  /** Automated sync with prune and self-heal. */
  readonly automated: boolean;
  /**
   * The operator patches this environment's images in the cluster (a Promotion or ImageFollow without
   * writeBack.git): Argo CD must ignore the fields it owns. In Git mode the operator commits instead, Git says
   * the images, and nothing is ignored.
   */
  readonly operatorPatches: boolean;
}

/**
 * An Argo CD Application that syncs dist/<env> and its subfolders except argocd/, where it lives itself. In direct
 * mode the fields the operator owns are ignored, so Argo CD does not revert a promotion; in Git mode none are.
 */
export class ArgoApplication extends Construct {
  constructor(scope: Construct, id: string, props: ArgoApplicationProps) {
    super(scope, id);
    const idn = props.identity;
    const ignoreOperator = (group: string, kind: string) => ({
      group,
      kind,
      managedFieldsManagers: [OPERATOR_FIELD_MANAGER],
    });
    new ApiObject(this, 'resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: `${idn.app}-${idn.env}`,
        namespace: props.argoNamespace,
        labels: appLabels(idn),
        // Deleting the Application deletes what it deployed, instead of orphaning it.
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        project: props.project,
        source: {
          repoURL: props.repoURL,
          targetRevision: props.targetRevision,
          path: props.path,
          // Subfolders (promotion/) are synced; the folder holding this Application is not.
          directory: { recurse: true, exclude: 'argocd/*' },
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: idn.namespace },
        syncPolicy: {
          ...(props.automated ? { automated: { prune: true, selfHeal: true } } : {}),
          syncOptions: [
            'ServerSideApply=true',
            ...(props.operatorPatches ? ['RespectIgnoreDifferences=true'] : []),
            'PruneLast=true',
          ],
        },
        ...(props.operatorPatches
          ? {
              ignoreDifferences: [
                ignoreOperator('apps', 'Deployment'),
                ignoreOperator('apps', 'StatefulSet'),
                ignoreOperator('batch', 'Job'),
              ],
            }
          : {}),
      },
    });
  }
}
