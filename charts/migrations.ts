import { createHash } from 'node:crypto';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ANNOTATION, migrationJobName } from '../contract/index.js';
import type { AppContext } from './app-context.js';
import { appContainer, appPodTemplate } from './app-pod.js';
import { metadataFor } from './labels.js';
import type { ResourceSpec } from './security.js';
import type { EnvMap } from './config/app-env-schema.js';

/** Stable per-app key for pg_advisory_lock, below 2^60 so it fits Postgres' bigint. */
export function advisoryLockKey(app: string): string {
  return BigInt(`0x${createHash('sha256').update(`ponyexpress:migrate:${app}`).digest('hex').slice(0, 15)}`).toString();
}

/**
 * `manage.py migrate --noinput` inside a session-level Postgres advisory lock, so two Jobs (a re-sync,
 * the operator and Argo CD at once) run one after the other; the second finds nothing to do.
 */
export function migrateScript(lockKey: string): string {
  return [
    'import django',
    'django.setup()',
    'from django.core.management import call_command',
    'from django.db import connection',
    `LOCK_KEY = ${lockKey}`,
    'with connection.cursor() as cursor:',
    '    cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])',
    'try:',
    '    call_command("migrate", "--noinput")',
    'finally:',
    '    with connection.cursor() as cursor:',
    '        cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])',
    '',
  ].join('\n');
}

export interface MigrationJobProps {
  readonly context: AppContext;
  readonly resources: ResourceSpec;
  /** Kill a migration that hangs (e.g. on a table lock). */
  readonly activeDeadlineSeconds: number;
  /** Retries (the schema allows at most 2, so a broken migration stops the release quickly). */
  readonly backoffLimit: number;
  /**
   * Seconds a finished Job is kept; the operator reads staging's Job to verify a release, so keep it for days.
   * `null` keeps it until the next release prunes it.
   */
  readonly ttlSecondsAfterFinished: number | null;
  /** The Job's own variables (part of its spec, so of its name). @default {} */
  readonly env?: EnvMap;
}

/** The per-release migration Job, named `<app>-migrate-<hash of image and spec>`. */
export class MigrationJob extends Construct {
  readonly jobName: string;
  /** The Job's `spec` exactly as written to dist/ (the operator runs it for production promotions). */
  readonly plainSpec: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: MigrationJobProps) {
    super(scope, id);
    const ctx = props.context;
    const ttl = props.ttlSecondsAfterFinished;
    const migrate = appContainer(ctx, {
      name: 'migrate',
      command: ['python', '-c', migrateScript(advisoryLockKey(ctx.app))],
      env: props.env,
      resources: props.resources,
    });
    const spec: k8s.JobSpec = {
      backoffLimit: props.backoffLimit,
      activeDeadlineSeconds: props.activeDeadlineSeconds,
      ...(ttl === null ? {} : { ttlSecondsAfterFinished: ttl }),
      template: appPodTemplate(ctx, {
        component: 'migrate',
        containers: [migrate],
        terminationGracePeriodSeconds: 30,
        restartPolicy: 'Never',
        configChecksum: false,
      }),
    };
    this.plainSpec = (k8s.KubeJob.manifest({ spec }) as { spec: Record<string, unknown> }).spec;
    // The operator names the Job it creates for a promoted image with the same function (contract/).
    this.jobName = migrationJobName(ctx.app, ctx.image, this.plainSpec);
    new k8s.KubeJob(this, 'job', {
      metadata: metadataFor(ctx, this.jobName, 'migrate', { [ANNOTATION.image]: ctx.image }),
      spec,
    });
  }
}
