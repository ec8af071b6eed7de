// The cache in cluster scope (PONYEXPRESS_WATCH_SCOPE=cluster): one informer per kind for all
// namespaces plus one of Namespaces, whatever the number of Promotions; events routed by namespace
// and selector; a namespace that does not exist is that Promotion's problem; a refused
// cluster-wide list (no ClusterRole) is the operator's.
import type { KubernetesObject } from '../../../operator/kube/client.js';
import { FakeListWatch, promotion, startCache } from './list-watch-fake.js';

const ALL_PROMOTIONS = '/apis/ponyexpress.dev/v1alpha1/promotions?';
const PODS = '/api/v1/pods?';
const NAMESPACES = '/api/v1/namespaces?';
const ns = (name: string): KubernetesObject => ({ metadata: { name } });
const pod = (name: string, namespace: string, app: string): KubernetesObject => ({
  metadata: { name, namespace, labels: { app } },
});

const started = (api: FakeListWatch, watchNamespaces = ['prod', 'prod2']) =>
  startCache(api, watchNamespaces, 'cluster');

describe('Cache, cluster scope', () => {
  it('watches each kind once for all namespaces, however many Promotions, and only the watched namespaces\u2019 Promotions', async () => {
    const api = new FakeListWatch();
    api.objects.set(NAMESPACES, ['stg', 'stg2', 'prod', 'prod2'].map(ns));
    api.objects.set(ALL_PROMOTIONS, [
      promotion('a', 'shop'),
      promotion('b', 'blog', 'stg2', 'prod2'),
      promotion('x', 'shop', 'stg', 'elsewhere'), // not a watched namespace
    ]);
    api.objects.set(PODS, [pod('p1', 'stg', 'shop'), pod('p2', 'stg2', 'blog'), pod('p3', 'stg', 'blog')]);
    const { cache } = await started(api);
    expect(cache.size).toBe(1 + 4 + 1);
    expect([...api.watching.keys()].sort()).toEqual([
      '/api/v1/namespaces?',
      '/api/v1/pods?',
      '/apis/apps/v1/deployments?',
      '/apis/apps/v1/statefulsets?',
      '/apis/batch/v1/jobs?',
      ALL_PROMOTIONS,
    ]);
    expect(
      cache
        .listPromotions()
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(cache.getPromotion('elsewhere', 'x')).toBeUndefined();
    // A source lists its namespace; the core filters by selector (observe.ts).
    const names = (namespace: string) =>
      cache
        .list({ kind: 'pods', namespace, selector: 'app=shop' })
        .map((p) => p.metadata.name)
        .sort();
    expect(names('stg')).toEqual(['p1', 'p3']);
    expect(names('stg2')).toEqual(['p2']);
    expect(cache.notSyncedFor(promotion('a', 'shop'))).toBeUndefined();
    expect(cache.notReadyReason(30_000)).toBeUndefined();
    await cache.stop();
  });

  it('routes an event to the Promotions reading that namespace whose selector matches it, before or after the change', async () => {
    const api = new FakeListWatch();
    api.objects.set(NAMESPACES, ['stg', 'prod'].map(ns));
    api.objects.set(ALL_PROMOTIONS, [promotion('a', 'shop'), promotion('b', 'blog')]);
    const { cache, keys } = await started(api, ['prod']);
    const pods = api.watching.get(PODS)!;
    keys.length = 0;
    pods('ADDED', pod('p', 'stg', 'shop'));
    expect(keys).toEqual(['prod/a']);
    keys.length = 0;
    pods('MODIFIED', pod('p', 'stg', 'blog')); // relabelled: it left a's selector and entered b's
    expect(keys.sort()).toEqual(['prod/a', 'prod/b']);
    keys.length = 0;
    pods('ADDED', pod('q', 'other', 'shop'));
    expect(keys).toEqual([]);
    await cache.stop();
  });

  it("reports a namespace that does not exist as that Promotion's, and re-plans it when the namespace appears", async () => {
    const api = new FakeListWatch();
    api.objects.set(NAMESPACES, ['stg', 'prod'].map(ns));
    const bad = promotion('bad', 'shop', 'typo-staging');
    api.objects.set(ALL_PROMOTIONS, [promotion('a', 'shop'), bad]);
    const { cache, keys } = await started(api, ['prod']);
    expect(cache.notReadyReason(30_000)).toBeUndefined();
    expect(cache.notSyncedFor(bad)).toBeUndefined();
    expect(cache.unreadableFor(bad)).toContainEqual({
      namespace: 'typo-staging',
      resource: 'pods',
      code: 404,
      message: 'namespace "typo-staging" not found',
    });
    expect(cache.unreadableFor(promotion('a', 'shop'))).toEqual([]);
    keys.length = 0;
    api.watching.get(NAMESPACES)!('ADDED', ns('typo-staging'));
    expect(keys).toEqual(['prod/bad']);
    expect(cache.unreadableFor(bad)).toEqual([]);
    await cache.stop();
  });

  it('is not ready while a cluster-wide list is refused (the ClusterRole is missing), and says which', async () => {
    const api = new FakeListWatch();
    api.objects.set(NAMESPACES, ['stg', 'prod'].map(ns));
    api.forbiddenPaths.add('/api/v1/pods');
    api.objects.set(ALL_PROMOTIONS, [promotion('a', 'shop')]);
    const { cache } = await started(api, ['prod']);
    expect(cache.notReadyReason(30_000)).toBe('cluster-wide caches not synced, refused or stale: /api/v1/pods');
    expect(cache.unreadableFor(promotion('a', 'shop'))).toContainEqual(
      expect.objectContaining({ resource: 'pods', code: 403 }),
    );
    await cache.stop();
  });

  it('watches only Promotions until the first one appears', async () => {
    const api = new FakeListWatch();
    const { cache } = await started(api, ['prod']);
    expect([...api.watching.keys()]).toEqual([ALL_PROMOTIONS]);
    expect(cache.size).toBe(1);
    await cache.stop();
  });
});
