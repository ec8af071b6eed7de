// A list/watch client in memory for the cache's tests: objects by `path?labelSelector`, open
// watches by the same key (push events through them), namespaces that answer 403.
import type { PromotionObject } from '../../../operator/core/types.js';
import { KubeError, type KubeList, type KubernetesObject } from '../../../operator/kube/client.js';
import type { ListWatcher } from '../../../operator/kube/informer.js';
import { Cache, type WatchScope } from '../../../operator/kube/cache.js';
import { silentLogger } from '../../../operator/telemetry.js';

export const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

export class FakeListWatch implements ListWatcher {
  readonly objects = new Map<string, KubernetesObject[]>();
  /** Open watches by `path?selector`. */
  readonly watching = new Map<string, (type: string, o: KubernetesObject) => void>();
  /** Namespaces whose lists answer 403. */
  forbidden = new Set<string>();
  /** Collection paths (e.g. a cluster-wide one) that answer 403. */
  forbiddenPaths = new Set<string>();

  async list<T extends KubernetesObject>(
    path: string,
    labelSelector?: string,
    keep: (o: T) => T = (o) => o,
  ): Promise<KubeList<T>> {
    const ns = path.split('/namespaces/')[1]?.split('/')[0] ?? '';
    if (this.forbidden.has(ns) || this.forbiddenPaths.has(path))
      throw new KubeError(403, 'Forbidden', `GET ${path}: 403 forbidden`);
    return {
      metadata: { resourceVersion: '1' },
      items: ((this.objects.get(`${path}?${labelSelector ?? ''}`) ?? []) as T[]).map(keep),
    };
  }

  async watch(
    path: string,
    _rv: string,
    onEvent: (type: string, o: KubernetesObject) => void,
    opts: { signal: AbortSignal; labelSelector?: string },
  ): Promise<void> {
    const key = `${path}?${opts.labelSelector ?? ''}`;
    this.watching.set(key, onEvent);
    await new Promise<void>((resolve) => opts.signal.addEventListener('abort', () => resolve(), { once: true }));
    this.watching.delete(key);
    throw new Error('aborted');
  }
}

export const promotion = (name: string, app: string, stg = 'stg', prod = 'prod'): PromotionObject => ({
  metadata: { name, namespace: prod },
  spec: {
    imageRepository: 'r/app',
    source: {
      namespace: stg,
      selector: { matchLabels: { app } },
      migrationJobSelector: { matchLabels: { app, component: 'migrate' } },
    },
    target: {
      namespace: prod,
      selector: { matchLabels: { app } },
      migrationJobTemplate: { template: { spec: { containers: [{ name: 'migrate' }] } } },
    },
  },
});

/** A started cache over `api`, and the Promotion keys its handler received. */
export async function startCache(api: FakeListWatch, watchNamespaces: string[], scope: WatchScope = 'namespaces') {
  const cache = new Cache(api, {
    watchNamespaces,
    scope,
    watchTimeoutMs: 60_000,
    watchdogMs: 120_000,
    log: silentLogger,
  });
  const keys: string[] = [];
  cache.addHandler((k) => keys.push(k));
  await cache.start();
  await settle();
  return { cache, keys };
}
