// The CLI's only I/O with the cluster: read and annotate Promotion objects with the user's kubeconfig.
import { ApiException, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { PROMOTION_GROUP, PROMOTION_PLURAL, PROMOTION_VERSION, type PromotionObject } from '../core/types.js';
import type { Target } from './args.js';
import { CliError } from './errors.js';

/** Field manager of the CLI's patches, so `managedFields` shows who held or approved. */
export const CLI_FIELD_MANAGER = 'ponyexpress-cli';

export interface PromotionClient {
  readonly namespace: string;
  list(allNamespaces: boolean): Promise<PromotionObject[]>;
  get(name: string): Promise<PromotionObject>;
  annotate(name: string, patch: object): Promise<void>;
}

export function connect(target: Target): PromotionClient {
  const kc = new KubeConfig();
  try {
    if (target.kubeconfig) kc.loadFromFile(target.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new CliError(`cannot read kubeconfig: ${(err as Error).message}`);
  }
  if (target.context) {
    if (!kc.getContextObject(target.context)) {
      throw new CliError(
        `no context "${target.context}" in the kubeconfig; contexts: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        }`,
      );
    }
    kc.setCurrentContext(target.context);
  }
  if (!kc.getCurrentCluster())
    throw new CliError('no current cluster in the kubeconfig (set KUBECONFIG or use --kubeconfig)');
  const namespace = target.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const api = kc.makeApiClient(CustomObjectsApi);
  const base = { group: PROMOTION_GROUP, version: PROMOTION_VERSION, plural: PROMOTION_PLURAL };

  const explain = (err: unknown, name?: string): never => {
    if (err instanceof ApiException) {
      const what = name ? `Promotion "${name}" in namespace "${namespace}"` : `Promotions in namespace "${namespace}"`;
      if (err.code === 404 && name) throw new CliError(`${what} not found (list them with: ponyexpress status -A)`);
      if (err.code === 404) throw new CliError('the Promotion CRD is not installed (apply dist/operator/ first)');
      if (err.code === 403)
        throw new CliError(`forbidden: your credentials may not access ${what}: ${serverMessage(err)}`);
      throw new CliError(`API error ${err.code} for ${what}: ${serverMessage(err)}`);
    }
    // fetch reports "fetch failed"; the useful part (ECONNREFUSED, a TLS error, …) is its cause.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(
      `cannot reach the cluster at ${kc.getCurrentCluster()?.server}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
    );
  };

  return {
    namespace,
    async list(allNamespaces) {
      try {
        const list: unknown = allNamespaces
          ? await api.listCustomObjectForAllNamespaces({
              group: base.group,
              version: base.version,
              resourcePlural: base.plural,
            })
          : await api.listNamespacedCustomObject({ ...base, namespace });
        return (list as { items: PromotionObject[] }).items;
      } catch (err) {
        return explain(err);
      }
    },
    async get(name) {
      try {
        return (await api.getNamespacedCustomObject({ ...base, namespace, name })) as PromotionObject;
      } catch (err) {
        return explain(err, name);
      }
    },
    async annotate(name, patch) {
      try {
        await api.patchNamespacedCustomObject(
          { ...base, namespace, name, body: patch, fieldManager: CLI_FIELD_MANAGER },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      } catch (err) {
        explain(err, name);
      }
    },
  };
}

function serverMessage(err: ApiException<unknown>): string {
  const body = err.body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  return (body as { message?: string } | undefined)?.message ?? String(body);
}
