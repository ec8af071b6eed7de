import { k8s } from './k8s.js';

/** UID/GID the app image runs as; the example Dockerfile creates this user. Pod Security "restricted" needs non-root. */
export const APP_UID = 10001;

/** Pod-level settings for Pod Security Standard "restricted". */
export function restrictedPodSecurityContext(): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: APP_UID,
    runAsGroup: APP_UID,
    fsGroup: APP_UID,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level settings for "restricted", plus a read-only root filesystem. */
export function restrictedContainerSecurityContext(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: APP_UID,
    runAsGroup: APP_UID,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The only writable path: gunicorn's worker tmp dir, the Celery heartbeat file and beat's schedule live here. */
export const TMP_VOLUME: k8s.Volume = { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } };
export const TMP_MOUNT: k8s.VolumeMount = { name: 'tmp', mountPath: '/tmp' };

export interface ResourceSpec {
  requests: { cpu: string; memory: string };
  limits: { cpu?: string; memory: string };
}

/** Explicit requests and a memory limit; a CPU limit only when configured (it throttles, rarely what you want). */
export function resourceRequirements(r: ResourceSpec): k8s.ResourceRequirements {
  const limits: Record<string, k8s.Quantity> = { memory: k8s.Quantity.fromString(r.limits.memory) };
  if (r.limits.cpu) limits.cpu = k8s.Quantity.fromString(r.limits.cpu);
  return {
    requests: { cpu: k8s.Quantity.fromString(r.requests.cpu), memory: k8s.Quantity.fromString(r.requests.memory) },
    limits,
  };
}
