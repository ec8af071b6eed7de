// Server-side apply of a list of objects through client-node, no kubectl needed.
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';

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
const APPLY_ORDER = [
  'Namespace',
  'CustomResourceDefinition',
  'PriorityClass',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'Secret',
  'Service',
];

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
 * client-node's `patch` re-serialises the body through its typed models, which silently drops every
 * field the models do not know, among them a CRD schema's `x-kubernetes-*` keys and any unknown field the
 * apiserver ought to reject. This sends the object exactly as given.
 */
class RawApplyApi extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig): RawApplyApi {
    const client = kc.makeApiClient(RawApplyApi);
    client.setDefaultNamespace(kc);
    return client;
  }

  async apply(object: KubernetesObject, query: Record<string, string | undefined>): Promise<KubernetesObject> {
    const path = await this.specUriPath(object, 'patch');
    const request = this.configuration.baseServer.makeRequestContext(path, 'PATCH');
    request.setHeaderParam('Accept', 'application/json');
    request.setHeaderParam('Content-Type', 'application/apply-patch+yaml');
    for (const [key, value] of Object.entries(query)) if (value !== undefined) request.setQueryParam(key, value);
    request.setBody(JSON.stringify(object));
    return this.requestPromise(request);
  }
}

/**
 * Applies every object with server-side apply, in dependency order. Stops at the first
 * object the apiserver rejects and throws an Error naming it with the apiserver's message.
 */
export async function applyObjects(
  kc: KubeConfig,
  objects: ReadonlyArray<KubernetesObject | ManifestObject>,
  options: ApplyOptions = {},
): Promise<KubernetesObject[]> {
  // client-node puts namespaced objects without a namespace into the context's namespace.
  const client = RawApplyApi.forConfig(options.namespace ? withNamespace(kc, options.namespace) : kc);
  const applied: KubernetesObject[] = [];
  for (const object of sortForApply(objects)) {
    try {
      applied.push(
        await client.apply(object, {
          fieldManager: options.fieldManager ?? 'ponyexpress-test',
          force: String(options.force ?? true),
          dryRun: options.dryRun ? 'All' : undefined,
          fieldValidation: 'Strict',
        }),
      );
    } catch (error) {
      throw new Error(`apiserver rejected ${describeObject(object)}: ${apiErrorMessage(error)}`, { cause: error });
    }
  }
  return applied;
}
