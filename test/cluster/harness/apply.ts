// Server-side apply of a list of objects through client-node, no kubectl needed.
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';

export interface ApplyOptions {
  /** @default 'ponyexpress-test' */
  fieldManager?: string;
  /** Take ownership of fields another manager set (like `kubectl apply --server-side --force-conflicts`). @default true */
  force?: boolean;
  /** Namespace for namespaced objects that carry none. @default none (the object must say) */
  namespace?: string;
  /** Validate and run admission without persisting. @default false */
  dryRun?: boolean;
}

/** Any Kubernetes object, as plain data (e.g. parsed from dist/ YAML). */
export type ManifestObject = KubernetesObject & { [field: string]: unknown };

/** Cluster-scoped and "definition" kinds go first so objects that depend on them apply cleanly. */
const APPLY_ORDER = ['Namespace', 'CustomResourceDefinition', 'PriorityClass', 'ServiceAccount', 'ClusterRole',
  'ClusterRoleBinding', 'Role', 'RoleBinding', 'ConfigMap', 'Secret', 'Service'];

export function sortForApply<T extends KubernetesObject>(objects: readonly T[]): T[] {
  const rank = (o: T) => {
    const index = APPLY_ORDER.indexOf(o.kind ?? '');
    return index === -1 ? APPLY_ORDER.length : index;
  };
  return [...objects].sort((a, b) => rank(a) - rank(b));
}

/** The apiserver's own message from a client-node error (its body is a Status object). */
export function apiErrorMessage(error: unknown): string {
  const e = error as { code?: number; body?: unknown; message?: string };
  let body = e.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // not JSON: keep the text
    }
  }
  const message = (body as { message?: string } | undefined)?.message ?? (typeof body === 'string' ? body : undefined);
  return `${e.code ? `HTTP ${e.code}: ` : ''}${message ?? e.message ?? String(error)}`;
}

export function describeObject(o: KubernetesObject): string {
  return `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
}

function withNamespace(kc: KubeConfig, namespace: string): KubeConfig {
  const copy = new KubeConfig();
  const current = kc.getCurrentContext();
  copy.loadFromOptions({
    clusters: kc.clusters,
    users: kc.users,
    contexts: kc.contexts.map((c) => (c.name === current ? { ...c, namespace } : c)),
    currentContext: current,
  });
  return copy;
}

/**
 * Applies every object with server-side apply, in dependency order. Stops at the first
 * object the apiserver rejects and throws an Error naming it with the apiserver's message.
 */
export async function applyObjects(kc: KubeConfig, objects: ReadonlyArray<KubernetesObject | ManifestObject>, options: ApplyOptions = {}): Promise<KubernetesObject[]> {
  // client-node puts namespaced objects without a namespace into the context's namespace.
  const client = KubernetesObjectApi.makeApiClient(options.namespace ? withNamespace(kc, options.namespace) : kc);
  const applied: KubernetesObject[] = [];
  for (const object of sortForApply(objects)) {
    try {
      applied.push(await client.patch(object, undefined, options.dryRun ? 'All' : undefined,
        options.fieldManager ?? 'ponyexpress-test', options.force ?? true, PatchStrategy.ServerSideApply));
    } catch (error) {
      throw new Error(`apiserver rejected ${describeObject(object)}: ${apiErrorMessage(error)}`, { cause: error });
    }
  }
  return applied;
}
