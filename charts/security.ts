import { k8s } from 'cdk8s-plus-27';

/** UID/GID the app image runs as; the example Dockerfile creates this user. Pod Security "restricted" needs non-root. */
export const APP_UID = 10001;

/**
 * Namespace labels that enforce Pod Security "restricted", and audit and warn on it too, so a violation is
 * refused, logged and shown to whoever applies it. `latest`: the rules of the cluster's own version.
 */
export function podSecurityLabels(): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of ['enforce', 'audit', 'warn']) {
    labels[`pod-security.kubernetes.io/${mode}`] = 'restricted';
    labels[`pod-security.kubernetes.io/${mode}-version`] = 'latest';
  }
  return labels;
}

/** Pod-level settings for Pod Security Standard "restricted"; `uid` must be the image's non-root user. */
export function restrictedPodSecurityContext(uid: number): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level settings for "restricted", plus a read-only root filesystem. */
export function restrictedContainerSecurityContext(uid: number): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * The only writable path, an emptyDir on /tmp of `size`. Containers request and are limited to that much
 * ephemeral storage: with a read-only root filesystem, /tmp is all they write (besides their logs).
 */
export function tmpVolume(size: string): {
  volume: k8s.Volume;
  mount: k8s.VolumeMount;
  storage: Record<string, k8s.Quantity>;
} {
  return {
    volume: { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString(size) } },
    mount: { name: 'tmp', mountPath: '/tmp' },
    storage: { 'ephemeral-storage': k8s.Quantity.fromString(size) },
  };
}

/** The app's /tmp: gunicorn's worker tmp dir, the Celery heartbeat file and beat's schedule live here. */
export const APP_TMP = tmpVolume('256Mi');

export interface ResourceSpec {
  requests: { cpu: string; memory: string };
  limits: { cpu?: string; memory: string };
}

/**
 * Explicit requests and a memory limit; a CPU limit only when configured (it throttles, rarely what you want);
 * `storage` (the /tmp size) as both request and limit of ephemeral storage.
 */
export function resourceRequirements(r: ResourceSpec, storage: Record<string, k8s.Quantity>): k8s.ResourceRequirements {
  const limits: Record<string, k8s.Quantity> = { memory: k8s.Quantity.fromString(r.limits.memory), ...storage };
  if (r.limits.cpu) limits.cpu = k8s.Quantity.fromString(r.limits.cpu);
  return {
    requests: {
      cpu: k8s.Quantity.fromString(r.requests.cpu),
      memory: k8s.Quantity.fromString(r.requests.memory),
      ...storage,
    },
    limits,
  };
}
