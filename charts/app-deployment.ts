import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { AppContext } from './app-context.js';
import type { EnvMap } from './config/app-env-schema.js';
import { appPodTemplate, waitForMigrationsContainer } from './app-pod.js';
import { HorizontalAutoscaler, type AutoscalingProps } from './autoscaler.js';
import { metadataFor, selectorFor } from './labels.js';
import type { ResourceSpec } from './security.js';

export interface AppDeploymentProps {
  readonly component: 'web' | 'worker' | 'beat';
  /** The main container; `wait-for-migrations` is added in front of it. */
  readonly container: k8s.Container;
  /** The component's own variables, also given to `wait-for-migrations`. @default {} */
  readonly env?: EnvMap;
  readonly resources: ResourceSpec;
  /** Left out when an HPA owns the count. */
  readonly replicas?: number;
  readonly strategy: k8s.DeploymentStrategy;
  readonly terminationGracePeriodSeconds: number;
  /** Spread over nodes and zones. @default false */
  readonly spread?: boolean;
}

/** `<app>-<component>`: a Deployment of the app image that waits for migrations before serving. */
export function appDeployment(scope: Construct, ctx: AppContext, props: AppDeploymentProps): k8s.KubeDeployment {
  return new k8s.KubeDeployment(scope, 'deployment', {
    metadata: metadataFor(ctx, `${ctx.app}-${props.component}`, props.component),
    spec: {
      ...(props.replicas === undefined ? {} : { replicas: props.replicas }),
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorFor(ctx, props.component) },
      strategy: props.strategy,
      template: appPodTemplate(ctx, {
        component: props.component,
        initContainers: [waitForMigrationsContainer(ctx, props.resources, props.env)],
        containers: [props.container],
        terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
        spread: props.spread,
      }),
    },
  });
}

/** Rolling update that never drops below the desired count. */
export function surgeOnlyStrategy(maxSurge: k8s.IntOrString): k8s.DeploymentStrategy {
  return { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge } };
}

/** A PDB allowing one voluntary eviction at a time, and the optional HPA (web and worker; never beat). */
export function disruptionAndScaling(
  scope: Construct,
  ctx: AppContext,
  component: 'web' | 'worker',
  autoscaling?: AutoscalingProps,
): void {
  const name = `${ctx.app}-${component}`;
  new k8s.KubePodDisruptionBudget(scope, 'pdb', {
    metadata: metadataFor(ctx, name, component),
    spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selectorFor(ctx, component) } },
  });
  if (autoscaling)
    new HorizontalAutoscaler(scope, 'hpa', { context: ctx, component, deploymentName: name, ...autoscaling });
}
