import { expand, lookupIn } from './expand.js';
import type { Container, KubeObject, SecretFixtures } from './types.js';

/** What the kubelet knows about the pod when it fills `fieldRef`s. */
export interface PodContext {
  name: string;
  namespace: string;
  uid: string;
  podIP: string;
  hostIP: string;
  nodeName: string;
  serviceAccountName: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface EnvSources {
  /** ConfigMaps from the synthesised manifests, by name (namespace of the pod). */
  configMaps: ReadonlyMap<string, Record<string, string>>;
  /** Fixture Secrets (decoded), by name: the manifests only reference Secrets. */
  secrets: SecretFixtures;
  pod: PodContext;
}

export class EnvResolutionError extends Error {}

export function configMapsOf(objects: KubeObject[], namespace: string): Map<string, Record<string, string>> {
  return new Map(
    objects
      .filter((o) => o.kind === 'ConfigMap' && (o.metadata.namespace ?? namespace) === namespace)
      .map((o) => [o.metadata.name, o.data ?? {}]),
  );
}

/**
 * The container's environment as the kubelet builds it (makeEnvironmentVariables):
 * envFrom first, then env in order; a literal value is `$(VAR)`-expanded against
 * what is defined so far, valueFrom results are not expanded; later names win.
 * A missing Secret, ConfigMap or key fails loudly unless the reference is optional.
 */
export function resolveEnv(container: Container, sources: EnvSources): Map<string, string> {
  const env = new Map<string, string>();
  const where = `container ${container.name}`;

  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) throw new EnvResolutionError(`${where}: envFrom entry with neither configMapRef nor secretRef`);
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const data = from.configMapRef ? sources.configMaps.get(ref.name) : sources.secrets[ref.name];
    if (!data) {
      if (ref.optional) continue;
      throw new EnvResolutionError(`${where}: envFrom ${kind} "${ref.name}" does not exist`);
    }
    for (const [key, value] of Object.entries(data)) env.set(`${from.prefix ?? ''}${key}`, value);
  }

  for (const v of container.env ?? []) {
    if (v.value !== undefined && v.value !== '') {
      env.set(v.name, expand(v.value, lookupIn(env)));
      continue;
    }
    if (!v.valueFrom) {
      env.set(v.name, '');
      continue;
    }
    const value = valueFrom(v.name, v.valueFrom, sources, where);
    if (value !== undefined) env.set(v.name, value);
  }
  return env;
}

function valueFrom(
  name: string,
  from: NonNullable<Container['env']>[number]['valueFrom'] & object,
  sources: EnvSources,
  where: string,
): string | undefined {
  const keyRef = from.secretKeyRef ?? from.configMapKeyRef;
  if (keyRef) {
    const kind = from.secretKeyRef ? 'Secret' : 'ConfigMap';
    const data = from.secretKeyRef ? sources.secrets[keyRef.name] : sources.configMaps.get(keyRef.name);
    if (!data) {
      if (keyRef.optional) return undefined;
      throw new EnvResolutionError(`${where}: ${name} references ${kind} "${keyRef.name}", which does not exist`);
    }
    if (!(keyRef.key in data)) {
      if (keyRef.optional) return undefined;
      throw new EnvResolutionError(
        `${where}: ${name} references key "${keyRef.key}" of ${kind} "${keyRef.name}", which has only: ${Object.keys(data).join(', ')}`,
      );
    }
    return data[keyRef.key];
  }
  if (from.fieldRef) return fieldValue(from.fieldRef.fieldPath, sources.pod, where);
  throw new EnvResolutionError(
    `${where}: ${name} uses a valueFrom this harness does not resolve: ${JSON.stringify(from)}`,
  );
}

function fieldValue(path: string, pod: PodContext, where: string): string {
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed) return (keyed[1] === 'labels' ? pod.labels : pod.annotations)[keyed[2]] ?? '';
  const simple: Record<string, string> = {
    'metadata.name': pod.name,
    'metadata.namespace': pod.namespace,
    'metadata.uid': pod.uid,
    'spec.nodeName': pod.nodeName,
    'spec.serviceAccountName': pod.serviceAccountName,
    'status.hostIP': pod.hostIP,
    'status.hostIPs': pod.hostIP,
    'status.podIP': pod.podIP,
    'status.podIPs': pod.podIP,
  };
  if (path in simple) return simple[path];
  throw new EnvResolutionError(`${where}: unsupported fieldRef ${path}`);
}

/** command and args with `$(VAR)` expanded against the final environment, as the kubelet does. */
export function expandCommand(
  container: Container,
  env: ReadonlyMap<string, string>,
): { command?: string[]; args?: string[] } {
  const lookup = lookupIn(env);
  return {
    command: container.command?.map((c) => expand(c, lookup)),
    args: container.args?.map((a) => expand(a, lookup)),
  };
}
