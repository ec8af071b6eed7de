import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { AppContext } from './app-context.js';
import { appDeployment, disruptionAndScaling, surgeOnlyStrategy } from './app-deployment.js';
import { appContainer } from './app-pod.js';
import type { AutoscalingProps } from './autoscaler.js';
import type { ResourceSpec } from './security.js';

export const HEARTBEAT_FILE = '/tmp/celery-worker-heartbeat';

/**
 * Exec probe: fails when the heartbeat file the worker touches (app contract) is missing or older than `maxAge`.
 * One short python start per period, instead of `celery inspect ping` through the broker.
 */
export function heartbeatCheck(maxAgeSeconds: number): string[] {
  return [
    'python',
    '-c',
    'import os, sys, time; p = os.environ["CELERY_WORKER_HEARTBEAT_FILE"]; ' +
      `sys.exit(0 if os.path.exists(p) and time.time() - os.path.getmtime(p) < ${maxAgeSeconds} else 1)`,
  ];
}

export interface WorkerProps {
  readonly context: AppContext;
  readonly resources: ResourceSpec;
  /** Left out while an HPA owns it. */
  readonly replicas: number;
  /** celery `--concurrency`. */
  readonly concurrency: number;
  /** Warm shutdown budget: celery finishes running tasks after SIGTERM. */
  readonly terminationGracePeriodSeconds: number;
  /** Liveness fails when the heartbeat file is older than this. */
  readonly heartbeatMaxAgeSeconds: number;
  /** Unset: no HPA. */
  readonly autoscaling?: AutoscalingProps;
}

/** Celery worker: a Deployment with no Service, a heartbeat liveness probe, a PDB and an optional HPA. */
export class Worker extends Construct {
  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id);
    const ctx = props.context;
    const check = heartbeatCheck(props.heartbeatMaxAgeSeconds);
    const worker = appContainer(ctx, {
      name: 'worker',
      // Never `-B`: beat runs in its own singleton pod.
      command: [
        'celery',
        '--app',
        ctx.module,
        'worker',
        '--loglevel',
        'INFO',
        '--concurrency',
        String(props.concurrency),
      ],
      resources: props.resources,
      // The file appears once the consumer runs; allow 5 minutes for that.
      startupProbe: { exec: { command: check }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 30 },
      livenessProbe: { exec: { command: check }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
    });
    appDeployment(this, ctx, {
      component: 'worker',
      container: worker,
      resources: props.resources,
      replicas: props.autoscaling ? undefined : props.replicas,
      strategy: surgeOnlyStrategy(k8s.IntOrString.fromNumber(1)),
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
      spread: true,
    });
    disruptionAndScaling(this, ctx, 'worker', props.autoscaling);
  }
}
