// The ImageFollow of an environment whose `follow:` section is set: the operator moves this environment's
// web, worker and beat to the newest allowed tag of image.repository, migrations first.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { LABEL } from '../contract/index.js';
import type { FollowConfig } from './config/follow-schema.js';
import { appLabels, appPodsSelector } from './labels.js';

export interface FollowProps {
  readonly app: string;
  readonly env: string;
  readonly namespace: string;
  readonly repository: string;
  readonly config: FollowConfig;
}

export class ImageFollow extends Construct {
  constructor(scope: Construct, id: string, props: FollowProps) {
    super(scope, id);
    const id_ = { app: props.app, env: props.env, namespace: props.namespace };
    const selector = appPodsSelector(id_);
    new ApiObject(this, 'resource', {
      apiVersion: 'ponyexpress.dev/v1alpha1',
      kind: 'ImageFollow',
      metadata: { name: props.app, namespace: props.namespace, labels: appLabels(id_) },
      spec: {
        repository: props.repository,
        tags: props.config.tags,
        ...(props.config.credentials ? { credentials: props.config.credentials } : {}),
        intervalSeconds: props.config.intervalSeconds,
        selector: {
          matchLabels: selector,
          matchExpressions: [{ key: LABEL.component, operator: 'In', values: ['web', 'worker', 'beat'] }],
        },
        migrationJobSelector: { matchLabels: { ...selector, [LABEL.component]: 'migrate' } },
        suspend: props.config.suspend,
        ...(props.config.writeBack ? { writeBack: props.config.writeBack } : {}),
      },
    });
  }
}
