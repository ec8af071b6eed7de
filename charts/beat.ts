import { Construct } from 'constructs';
import type { AppContext } from './app-context.js';
import { appDeployment } from './app-deployment.js';
import { appContainer } from './app-pod.js';
import type { EnvMap } from './config/app-env-schema.js';
import type { BeatLiveness } from './config/probe-schema.js';
import { beatProbes } from './probes.js';
import type { ResourceSpec } from './security.js';

export interface BeatProps {
  readonly context: AppContext;
  readonly resources: ResourceSpec;
  readonly terminationGracePeriodSeconds: number;
  /** `tick`: exec `python -m ponyexpress_django.check beat` (the helper's hook writes the tick file). @default tick */
  readonly liveness?: BeatLiveness;
  /** Liveness fails when beat is this many seconds late for the tick it announced. */
  readonly tickMaxAgeSeconds: number;
  /** Replaces `celery --app <app> beat …` entirely. @default the charts' celery command */
  readonly command?: string[];
  /** Appended to the command, e.g. `--scheduler django_celery_beat.schedulers:DatabaseScheduler`. @default none */
  readonly args?: string[];
  /** Beat's own variables. @default {} */
  readonly env?: EnvMap;
}

/**
 * Celery beat, exactly one pod ever: `replicas: 1` with Recreate (the old pod is gone before the new one starts).
 * Deliberately no replicas prop, no HPA and no PDB (a PDB on a single pod would block node drains).
 * A hung beat keeps running while it schedules nothing, so its liveness probe checks that it still ticks.
 */
export class Beat extends Construct {
  constructor(scope: Construct, id: string, props: BeatProps) {
    super(scope, id);
    const ctx = props.context;
    const beat = appContainer(ctx, {
      name: 'beat',
      // The schedule file lives on the /tmp emptyDir: the root filesystem is read-only.
      command: props.command ?? [
        'celery',
        '--app',
        ctx.celeryApp,
        'beat',
        '--loglevel',
        'INFO',
        '--schedule',
        '/tmp/celerybeat-schedule',
      ],
      args: props.args,
      env: props.env,
      resources: props.resources,
      ...beatProbes(props.liveness ?? 'tick', props.tickMaxAgeSeconds),
    });
    appDeployment(this, ctx, {
      component: 'beat',
      container: beat,
      env: props.env,
      resources: props.resources,
      replicas: 1,
      strategy: { type: 'Recreate' },
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
    });
  }
}
