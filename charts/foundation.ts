import { createHash } from 'node:crypto';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { appLabels, appMetadataFor, type AppIdentity } from './labels.js';
import { podSecurityLabels } from './security.js';
import { canonicalJson } from '../contract/index.js';

export interface FoundationProps {
  readonly identity: AppIdentity;
  /** Non-secret settings for every container (`envFrom`). */
  readonly settings: Record<string, string>;
  /** servicebinding.io ConfigMap (`type`, `provider`, …). @default none */
  readonly binding?: { name: string; data: Record<string, string> };
}

/** sha256 of ConfigMap data, for the pod-template annotation that rolls pods on a settings change. */
export function configChecksum(data: Record<string, string>): string {
  return createHash('sha256').update(canonicalJson(data)).digest('hex');
}

/** Namespace (Pod Security "restricted"), the app's ServiceAccount and its settings ConfigMap. */
export class Foundation extends Construct {
  readonly serviceAccountName: string;
  readonly configMapName: string;
  readonly configChecksum: string;

  constructor(scope: Construct, id: string, props: FoundationProps) {
    super(scope, id);
    const id_ = props.identity;
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: id_.namespace,
        labels: {
          ...appLabels(id_),
          ...podSecurityLabels(),
        },
      },
    });
    this.serviceAccountName = id_.app;
    // No app component talks to the Kubernetes API, so no token is mounted.
    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: appMetadataFor(id_, this.serviceAccountName),
      automountServiceAccountToken: false,
    });
    this.configMapName = `${id_.app}-config`;
    this.configChecksum = configChecksum(props.settings);
    new k8s.KubeConfigMap(this, 'config', { metadata: appMetadataFor(id_, this.configMapName), data: props.settings });
    if (props.binding) {
      new k8s.KubeConfigMap(this, 'binding', {
        metadata: appMetadataFor(id_, props.binding.name),
        data: props.binding.data,
      });
    }
  }
}
