// The cache over a fake list/watch client: informers shared per (kind, namespace, selector),
// stopped with their last Promotion, events routed only to the Promotions that use them, and
// one Promotion's unreadable namespace never making the operator unready.
import { Cache, listsAtOnceFor, type WatchScope } from '../../../operator/kube/cache.js';
import { paths, type KubeList, type KubernetesObject } from '../../../operator/kube/client.js';
import { silentLogger } from '../../../operator/telemetry.js';
import { FakeListWatch, promotion, settle, startCache } from './list-watch-fake.js';

const PROMOTIONS = '/apis/ponyexpress.dev/v1alpha1/namespaces/prod/promotions?';

const started = (api: FakeListWatch) => startCache(api, ['prod']);

/**
 * Starts a cache for `count` Promotions (each with its own staging namespace) whose lists each take a few
 * ms; returns the most lists that ran at once and the Promotions not synced after up to 2 s.
 */
async function startUp(count: number, scope: WatchScope, listsAtOnce: number) {
  const api = new FakeListWatch();
  const all = Array.from({ length: count }, (_, i) => promotion(`p${i}`, `app${i}`, `stg${i}`, 'prod'));
  api.objects.set(scope === 'cluster' ? `${paths.promotions()}?` : PROMOTIONS, all);
  let listing = 0;
  let most = 0;
  const list = api.list.bind(api);
  api.list = async <T extends KubernetesObject>(path: string, selector?: string): Promise<KubeList<T>> => {
    most = Math.max(most, ++listing);
    await new Promise((r) => setTimeout(r, 2));
    listing--;
    return list<T>(path, selector);
  };
  const cache = new Cache(api, {
    watchNamespaces: ['prod'],
    scope,
    watchTimeoutMs: 60_000,
    watchdogMs: 120_000,
    listsAtOnce,
    log: silentLogger,
  });
  await cache.start();
  for (let i = 0; i < 400 && all.some((p) => cache.notSyncedFor(p)); i++) await new Promise((r) => setTimeout(r, 5));
  const unsynced = all.filter((p) => cache.notSyncedFor(p)).map((p) => p.metadata.name);
  await cache.stop();
  return { most, unsynced };
}

describe('Cache', () => {
  it('shares one informer per (kind, namespace, selector) and lists/watches with the selector', async () => {
    const api = new FakeListWatch();
    api.objects.set(PROMOTIONS, [promotion('a', 'shop'), promotion('b', 'shop'), promotion('c', 'blog')]);
    const { cache } = await started(api);
    // 1 Promotion informer; 7 for "shop" (shared by a and b); 6 more for "blog" (production Jobs are shared).
    expect(cache.size).toBe(1 + 7 + 6);
    expect([...api.watching.keys()]).toContain('/api/v1/namespaces/stg/pods?app=shop');
    expect([...api.watching.keys()]).toContain('/apis/batch/v1/namespaces/stg/jobs?app=shop,component=migrate');
    expect(cache.notSyncedFor(promotion('a', 'shop'))).toBeUndefined();
    expect(cache.getPromotion('prod', 'b')?.metadata.name).toBe('b');
    expect(cache.getPromotion('stg', 'b')).toBeUndefined(); // not a watched namespace
    await cache.stop();
  });

  it('routes an object event to the Promotions using its informer only', async () => {
    const api = new FakeListWatch();
    api.objects.set(PROMOTIONS, [promotion('a', 'shop'), promotion('b', 'shop'), promotion('c', 'blog')]);
    const { cache, keys } = await started(api);
    keys.length = 0;
    api.watching.get('/api/v1/namespaces/stg/pods?app=shop')!('ADDED', {
      metadata: { name: 'p', namespace: 'stg', labels: { app: 'shop' } },
    });
    expect(keys.sort()).toEqual(['prod/a', 'prod/b']);
    expect(cache.list({ kind: 'pods', namespace: 'stg', selector: 'app=shop' }).map((p) => p.metadata.name)).toEqual([
      'p',
    ]);
    await cache.stop();
  });

  it('caches of each object only what the core reads, from the list and from the watch alike', async () => {
    const api = new FakeListWatch();
    api.objects.set(PROMOTIONS, [promotion('a', 'shop')]);
    const pod = (name: string) => ({
      metadata: { name, namespace: 'stg', labels: { app: 'shop' }, managedFields: [{ manager: 'kubelet' }] },
      spec: { nodeName: 'n1', containers: [{ name: 'web', image: 'r/app:b2', env: [{ name: 'A', value: 'x' }] }] },
      status: {
        phase: 'Running',
        podIP: '10.0.0.1',
        containerStatuses: [{ name: 'web', ready: true, containerID: 'c' }],
      },
    });
    api.objects.set('/api/v1/namespaces/stg/pods?app=shop', [pod('listed')]);
    const { cache } = await started(api);
    api.watching.get('/api/v1/namespaces/stg/pods?app=shop')!('ADDED', pod('watched'));
    const kept = (name: string) => ({
      metadata: { name, namespace: 'stg', labels: { app: 'shop' } },
      spec: { containers: [{ name: 'web', image: 'r/app:b2' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'web', ready: true }] },
    });
    const cached = cache.list({ kind: 'pods', namespace: 'stg', selector: 'app=shop' });
    expect(JSON.parse(JSON.stringify(cached))).toEqual([kept('listed'), kept('watched')]);
    await cache.stop();
  });

  it('reports how far behind the apiserver a watch event arrives, by its newest managedFields time', async () => {
    const api = new FakeListWatch();
    api.objects.set(PROMOTIONS, [promotion('a', 'shop')]);
    const lags: [string, number][] = [];
    const cache = new Cache(api, {
      watchNamespaces: ['prod'],
      watchTimeoutMs: 60_000,
      watchdogMs: 120_000,
      onLag: (resource, seconds) => lags.push([resource, seconds]),
      log: silentLogger,
    });
    await cache.start();
    await settle();
    const at = (ago: number) => new Date(Date.now() - ago * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const watch = api.watching.get('/api/v1/namespaces/stg/pods?app=shop')!;
    watch('MODIFIED', {
      metadata: {
        name: 'p',
        namespace: 'stg',
        labels: { app: 'shop' },
        managedFields: [
          { manager: 'kube-controller-manager', time: at(60) },
          { manager: 'kubelet', time: at(5) },
        ],
      },
    });
    watch('ADDED', { metadata: { name: 'q', namespace: 'stg', labels: { app: 'shop' } } }); // no time: no lag
    expect(lags.map(([r]) => r)).toEqual(['pods']);
    // The times have whole seconds: the lag is 5 s, or up to a second more.
    expect(lags[0][1]).toBeGreaterThanOrEqual(4.9);
    expect(lags[0][1]).toBeLessThan(6.5);
    await cache.stop();
  });

  it('lets only listsAtOnce informers list at a time, so a fleet start-up never queues lists past their deadline', async () => {
    // 20 Promotions: 4 staging informers each, plus the shared production ones.
    expect(await startUp(20, 'namespaces', 3)).toEqual({ most: 3, unsynced: [] });
  });

  it.each<[WatchScope, number]>([
    ['cluster', 1],
    ['namespaces', 50],
  ])('in %s scope lists %d at a time by default (the client allowing 100/s)', async (scope, expected) => {
    expect(listsAtOnceFor(scope, 100)).toBe(expected);
    expect(await startUp(60, scope, listsAtOnceFor(scope, 100))).toEqual({ most: expected, unsynced: [] });
  });

  it('stops the informers of a deleted Promotion that no other Promotion uses', async () => {
    const api = new FakeListWatch();
    const c = promotion('c', 'blog');
    api.objects.set(PROMOTIONS, [promotion('a', 'shop'), c]);
    const { cache } = await started(api);
    api.watching.get(PROMOTIONS)!('DELETED', c);
    await settle();
    expect(cache.size).toBe(1 + 7);
    expect([...api.watching.keys()].some((k) => k.includes('blog'))).toBe(false);
    await cache.stop();
  });

  it('keeps the operator ready when one Promotion names a namespace it may not read', async () => {
    const api = new FakeListWatch();
    api.forbidden.add('typo-staging');
    const bad = promotion('bad', 'shop', 'typo-staging');
    api.objects.set(PROMOTIONS, [promotion('a', 'shop'), bad]);
    const { cache } = await started(api);
    expect(cache.notReadyReason(30_000)).toBeUndefined();
    expect(cache.notSyncedFor(bad)).toBeUndefined(); // every source has its answer: refused
    expect(
      cache
        .unreadableFor(bad)
        .map((u) => u.resource)
        .sort(),
    ).toEqual(['deployments', 'jobs', 'pods', 'statefulsets']);
    expect(cache.unreadableFor(bad)).toContainEqual({
      resource: 'pods',
      namespace: 'typo-staging',
      code: 403,
      message: 'GET /api/v1/namespaces/typo-staging/pods: 403 forbidden',
    });
    expect(cache.notSyncedFor(promotion('a', 'shop'))).toBeUndefined();
    await cache.stop();
  });

  it('is not ready until the Promotion informers have listed', () => {
    const cache = new Cache(new FakeListWatch(), {
      watchNamespaces: ['prod'],
      watchTimeoutMs: 60_000,
      watchdogMs: 120_000,
      log: silentLogger,
    });
    expect(cache.notReadyReason(30_000)).toMatch(/Promotion caches not synced or stale/);
  });
});
