import { Construct } from 'constructs';
import type { AppContext } from './app-context.js';
import { appDeployment } from './app-deployment.js';
import { appContainer } from './app-pod.js';
import type { ResourceSpec } from './security.js';

export interface BeatProps {
  readonly context: AppContext;
  readonly resources: ResourceSpec;
  readonly terminationGracePeriodSeconds: number;
}

/**
 * Celery beat, exactly one pod ever: `replicas: 1` with Recreate (the old pod is gone before the new one starts).
 * Deliberately no replicas prop, no HPA and no PDB (a PDB on a single pod would block node drains).
 */
export class Beat extends Construct {
  constructor(scope: Construct, id: string, props: BeatProps) {
    super(scope, id);
    const ctx = props.context;
    const beat = appContainer(ctx, {
      name: 'beat',
      // The schedule file lives on the /tmp emptyDir: the root filesystem is read-only.
      command: ['celery', '--app', ctx.module, 'beat', '--loglevel', 'INFO', '--schedule', '/tmp/celerybeat-schedule'],
      resources: props.resources,
    });
    appDeployment(this, ctx, {
      component: 'beat',
      container: beat,
      resources: props.resources,
      replicas: 1,
      strategy: { type: 'Recreate' },
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
    });
  }
}
