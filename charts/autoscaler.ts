import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { AppContext } from './app-context.js';
import { metadataFor, type Component } from './labels.js';

export interface AutoscalingProps {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Average CPU utilisation of requests to aim for. */
  readonly targetCPUUtilizationPercent: number;
}

export interface HorizontalAutoscalerProps extends AutoscalingProps {
  readonly context: AppContext;
  readonly component: Component;
  readonly deploymentName: string;
}

/** autoscaling/v2 HPA on CPU. Never used for beat (singleton). */
export class HorizontalAutoscaler extends Construct {
  constructor(scope: Construct, id: string, props: HorizontalAutoscalerProps) {
    super(scope, id);
    if (props.component === 'beat' || props.component === 'migrate') {
      throw new Error(`an HPA on ${props.component} would break its singleton/one-shot contract`);
    }
    new k8s.KubeHorizontalPodAutoscalerV2(this, 'resource', {
      metadata: metadataFor(props.context, props.deploymentName, props.component),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.deploymentName },
        minReplicas: props.minReplicas,
        maxReplicas: props.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: props.targetCPUUtilizationPercent },
            },
          },
        ],
      },
    });
  }
}
