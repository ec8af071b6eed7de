import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { AppContext } from './app-context.js';
import { appDeployment, disruptionAndScaling, surgeOnlyStrategy } from './app-deployment.js';
import { appContainer } from './app-pod.js';
import type { AutoscalingProps } from './autoscaler.js';
import type { EnvMap } from './config/app-env-schema.js';
import type { WorkerLiveness } from './config/probe-schema.js';
import { workerProbes } from './probes.js';
import type { ResourceSpec } from './security.js';

export { HEARTBEAT_FILE, heartbeatCheck } from './probes.js';

export interface WorkerProps {
  readonly context: AppContext;
  readonly resources: ResourceSpec;
  /** Left out while an HPA owns it. */
  readonly replicas: number;
  /** celery `--concurrency`. */
  readonly concurrency: number;
  /** Warm shutdown budget: celery finishes running tasks after SIGTERM. */
  readonly terminationGracePeriodSeconds: number;
  /** How liveness is checked. @default heartbeat */
  readonly liveness?: WorkerLiveness;
  /** Liveness fails when the heartbeat file is older than this (method `heartbeat`). */
  readonly heartbeatMaxAgeSeconds: number;
  /** Replaces `celery --app <app> worker …` entirely. @default the charts' celery command */
  readonly command?: string[];
  /** Appended to the command, e.g. `--queues`, `--max-tasks-per-child`. @default none */
  readonly args?: string[];
  /** The worker's own variables. @default {} */
  readonly env?: EnvMap;
  /** Unset: no HPA. */
  readonly autoscaling?: AutoscalingProps;
}

/** Celery worker: a Deployment with no Service, a liveness probe of the chosen method, a PDB and an optional HPA. */
export class Worker extends Construct {
  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id);
    const ctx = props.context;
    const worker = appContainer(ctx, {
      name: 'worker',
      // Never `-B`: beat runs in its own singleton pod.
      command: props.command ?? [
        'celery',
        '--app',
        ctx.celeryApp,
        'worker',
        '--loglevel',
        'INFO',
        '--concurrency',
        String(props.concurrency),
      ],
      args: props.args,
      env: props.env,
      resources: props.resources,
      ...workerProbes(props.liveness ?? 'heartbeat', ctx.celeryApp, props.heartbeatMaxAgeSeconds),
    });
    appDeployment(this, ctx, {
      component: 'worker',
      container: worker,
      env: props.env,
      resources: props.resources,
      replicas: props.autoscaling ? undefined : props.replicas,
      strategy: surgeOnlyStrategy(k8s.IntOrString.fromNumber(1)),
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
      spread: true,
    });
    disruptionAndScaling(this, ctx, 'worker', props.autoscaling);
  }
}
