import { k8s } from 'cdk8s-plus-27';
import type { AppContext } from './app-context.js';
import { ANNOTATION, APP_ENV, WAIT_FOR_MIGRATIONS_CONTAINER } from '../contract/index.js';
import type { EnvMap, EnvValue } from './config/app-env-schema.js';
import { labelsFor, selectorFor, type Component } from './labels.js';
import {
  APP_TMP,
  APP_UID,
  resourceRequirements,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  type ResourceSpec,
} from './security.js';

/** Init container in every app pod: under plain `kubectl apply` nothing else orders pods after the migration Job. */
export const WAIT_FOR_MIGRATIONS_COMMAND = [
  'sh',
  '-c',
  'until python manage.py migrate --check >/dev/null; do sleep 2; done',
];

/** One user variable as Kubernetes writes it. */
function envVar(name: string, value: EnvValue): k8s.EnvVar {
  if (typeof value === 'string') return { name, value };
  return { name, valueFrom: value };
}

/**
 * Every app container's env, in the order Kubernetes expands `$(VAR)` against: the charts' Secret-backed
 * variables (database, broker and its aliases, Django secret key), then the environment-wide `env`, then the
 * component's own (which wins: an environment-wide name it repeats is left out, since a list with one name
 * twice breaks server-side apply).
 */
export function appEnv(ctx: AppContext, componentEnv: EnvMap = {}): k8s.EnvVar[] {
  const broker = { secretKeyRef: { name: ctx.brokerUrl.name, key: ctx.brokerUrl.key } };
  return [
    ...ctx.postgres.env,
    { name: APP_ENV.brokerUrl, valueFrom: broker },
    ...ctx.brokerAliases.map((name) => ({ name, valueFrom: broker })),
    {
      name: APP_ENV.djangoSecretKey,
      valueFrom: { secretKeyRef: { name: ctx.djangoSecretKey.name, key: ctx.djangoSecretKey.key } },
    },
    ...Object.entries(ctx.sharedEnv)
      .filter(([name]) => !(name in componentEnv))
      .map(([name, value]) => envVar(name, value)),
    ...Object.entries(componentEnv).map(([name, value]) => envVar(name, value)),
  ];
}

export interface AppContainerProps {
  readonly name: string;
  readonly command: string[];
  /** Kubernetes `args`, appended to the command. @default none */
  readonly args?: string[];
  /** The component's own variables, after the environment-wide ones. @default {} */
  readonly env?: EnvMap;
  readonly resources: ResourceSpec;
  readonly ports?: k8s.ContainerPort[];
  readonly startupProbe?: k8s.Probe;
  readonly livenessProbe?: k8s.Probe;
  readonly readinessProbe?: k8s.Probe;
  readonly lifecycle?: k8s.Lifecycle;
}

/** A container running the app image with the shared env, hardening and mounts. */
export function appContainer(ctx: AppContext, props: AppContainerProps): k8s.Container {
  return {
    name: props.name,
    image: ctx.image,
    imagePullPolicy: 'IfNotPresent',
    command: props.command,
    ...(props.args?.length ? { args: props.args } : {}),
    ...(props.ports ? { ports: props.ports } : {}),
    env: appEnv(ctx, props.env),
    envFrom: [{ configMapRef: { name: ctx.configMapName } }],
    resources: resourceRequirements(props.resources, APP_TMP.storage),
    ...(props.startupProbe ? { startupProbe: props.startupProbe } : {}),
    ...(props.livenessProbe ? { livenessProbe: props.livenessProbe } : {}),
    ...(props.readinessProbe ? { readinessProbe: props.readinessProbe } : {}),
    ...(props.lifecycle ? { lifecycle: props.lifecycle } : {}),
    securityContext: restrictedContainerSecurityContext(APP_UID),
    volumeMounts: [APP_TMP.mount, ...ctx.postgres.mounts],
  };
}

/** Same env as the main container: importing the settings for `migrate --check` may need any of it. */
export function waitForMigrationsContainer(ctx: AppContext, resources: ResourceSpec, env?: EnvMap): k8s.Container {
  return appContainer(ctx, {
    name: WAIT_FOR_MIGRATIONS_CONTAINER,
    command: WAIT_FOR_MIGRATIONS_COMMAND,
    resources,
    env,
  });
}

export interface AppPodProps {
  readonly component: Component;
  readonly containers: k8s.Container[];
  /** @default none */
  readonly initContainers?: k8s.Container[];
  readonly terminationGracePeriodSeconds: number;
  /** Spread replicas across nodes and zones. @default false */
  readonly spread?: boolean;
  /** Job pods must not restart in place. @default Always */
  readonly restartPolicy?: 'Always' | 'Never';
  /** Job pods skip the checksum: a settings change must not force a new migration Job. @default true */
  readonly configChecksum?: boolean;
}

/** Topology spread on nodes and zones; ScheduleAnyway so single-zone clusters still schedule. */
function spreadConstraints(ctx: AppContext, component: Component): k8s.TopologySpreadConstraint[] {
  return ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
    topologyKey,
    maxSkew: 1,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selectorFor(ctx, component) },
    // Only count pods of the same ReplicaSet, so a rollout's surge does not skew the spread.
    matchLabelKeys: ['pod-template-hash'],
  }));
}

/** Pod template for any app workload: labels, image/config annotations, restricted security, /tmp. */
export function appPodTemplate(ctx: AppContext, props: AppPodProps): k8s.PodTemplateSpec {
  const annotations: Record<string, string> = {
    'kubectl.kubernetes.io/default-container': props.containers[0].name,
    [ANNOTATION.image]: ctx.image,
  };
  if (props.configChecksum ?? true) annotations[ANNOTATION.configChecksum] = ctx.configChecksum;
  return {
    metadata: { labels: labelsFor(ctx, props.component), annotations },
    spec: {
      serviceAccountName: ctx.serviceAccountName,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      restartPolicy: props.restartPolicy ?? 'Always',
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
      securityContext: restrictedPodSecurityContext(APP_UID),
      ...(props.initContainers ? { initContainers: props.initContainers } : {}),
      containers: props.containers,
      ...(props.spread && props.restartPolicy !== 'Never'
        ? { topologySpreadConstraints: spreadConstraints(ctx, props.component) }
        : {}),
      volumes: [APP_TMP.volume, ...ctx.postgres.volumes],
    },
  };
}
