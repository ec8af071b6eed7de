// The operator's cache: Promotions in the watched namespaces (or cluster-wide), and for each
// Promotion exactly the objects it selects, held by one of two ObjectSources: namespaced (the
// default: one informer per kind, namespace and selector, shared by the Promotions using it) or
// cluster (opt-in: one informer per kind for all namespaces). Handlers receive Promotion keys only
// (level-triggered): an object event enqueues the Promotions that read it.
// Staging is read-only (workloads, pods, jobs); production has no pod informer, because the
// RBAC grants no pod access there and rollout status lives on the workloads.
import type { PromotionObject } from '../core/types.js';
import type { Logger } from '../telemetry.js';
import { paths, type KubernetesObject } from './client.js';
import { isStale, ResilientInformer, type ListWatcher } from './informer.js';
import { Gate } from './gate.js';
import { ClusterSources } from './sources-cluster.js';
import { NamespacedSources } from './sources-namespaced.js';
import {
  allSources,
  sourcesOf,
  type FactoryOptions,
  type InformerFactory,
  type Kind,
  type ObjectSources,
  type Objects,
  type Source,
  type Unreadable,
} from './sources.js';

const promotionKey = (p: PromotionObject) => `${p.metadata.namespace}/${p.metadata.name}`;

/** How objects are watched: `namespaces` needs only Roles; `cluster` a read-only ClusterRole. */
export type WatchScope = 'namespaces' | 'cluster';

export interface CacheOptions {
  watchNamespaces: readonly string[];
  /** @default 'namespaces' */
  scope?: WatchScope;
  watchTimeoutMs: number;
  watchdogMs: number;
  onRestart?: (resource: string, why: string) => void;
  /** How far behind the apiserver each watch event arrives (informer.ts onLag). */
  onLag?: (resource: string, seconds: number) => void;
  /**
   * Informers listing at once. Each start costs a list and a watch open, both behind the client's
   * rate limit: keep the queue there short (main.ts takes listsAtOnceFor, by scope) so no list
   * waits out its deadline and writes never wait behind a fleet's start-up. @default 25
   */
  listsAtOnce?: number;
  log: Logger;
}

/**
 * Informers listing at once, by scope (main.ts). `namespaces`: thousands of small lists, half the QPS (about a
 * second of requests). `cluster`: a handful of big ones (every pod, every Deployment), one at a time; their pages
 * in flight together only made more garbage at once: at a restart with 500 Promotions the longest event-loop
 * delay passed 50 ms in 7 of 50 restarts with them together, in none of 60 one at a time (docs/operator-bench.md).
 */
export function listsAtOnceFor(scope: WatchScope, qps: number): number {
  return scope === 'cluster' ? 1 : Math.max(1, Math.floor(qps / 2));
}

/** What the controller reads (a fake in unit tests). */
export type CacheReader = Pick<Cache, 'getPromotion' | 'notSyncedFor' | 'unreadableFor' | 'list'>;

export class Cache {
  private readonly promotions: ResilientInformer<PromotionObject>[];
  /** The Promotion informer of each watched namespace (none with one informer for all namespaces). */
  private readonly promotionsByNamespace = new Map<string, ResilientInformer<PromotionObject>>();
  private readonly objects: ObjectSources;
  private readonly handlers: ((promotionKey: string) => void)[] = [];
  private readonly listGate: Gate;

  constructor(
    private readonly client: ListWatcher,
    private readonly o: CacheOptions,
  ) {
    this.listGate = new Gate(o.listsAtOnce ?? 25);
    const emit = (key: string) => this.emit(key);
    const make: InformerFactory = (path, resource, opts) => this.make(path, resource, opts);
    const cluster = o.scope === 'cluster';
    this.objects = cluster ? new ClusterSources(make, emit) : new NamespacedSources(make, emit);
    const onEvent = (p: PromotionObject) => this.promotionChanged(p);
    if (cluster || !o.watchNamespaces.length) {
      // One watch for all namespaces (the ClusterRole allows it), keeping the watched ones only.
      const watched = new Set(o.watchNamespaces);
      const accept = watched.size ? (p: PromotionObject) => watched.has(p.metadata.namespace) : undefined;
      this.promotions = [this.make<PromotionObject>(paths.promotions(), 'promotions', { onEvent, accept })];
    } else {
      this.promotions = o.watchNamespaces.map((ns) => {
        const i = this.make<PromotionObject>(paths.promotions(ns), 'promotions', { onEvent });
        this.promotionsByNamespace.set(ns, i);
        return i;
      });
    }
  }

  /** Registers a handler that receives the key of every Promotion whose inputs changed. */
  addHandler(handler: (promotionKey: string) => void): void {
    this.handlers.push(handler);
  }

  /** Starts the Promotion informers; resolves once each has listed. Object informers follow the Promotions. */
  async start(): Promise<void> {
    await Promise.all(this.promotions.map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.promotions, ...this.objects.informers()].map((i) => i.stop()));
  }

  listPromotions(): PromotionObject[] {
    return this.promotions.flatMap((i) => [...i.list()]);
  }

  getPromotion(namespace: string, name: string): PromotionObject | undefined {
    if (this.promotionsByNamespace.size) return this.promotionsByNamespace.get(namespace)?.get(name, namespace);
    return this.promotions[0].get(name, namespace);
  }

  /** The cached objects of one source (typed by kind). */
  list<K extends Kind>(source: Source<K>): Objects[K][] {
    return this.objects.list(source);
  }

  /**
   * Why the caches a Promotion needs are not usable yet, or undefined when they are: sources
   * that have not listed, unless the API refused them (403/404, see unreadableFor). Waiting
   * until every source has an answer reports an unreadable namespace once, with all its kinds.
   */
  notSyncedFor(p: PromotionObject): string | undefined {
    const missing = allSources(sourcesOf(p)).filter((s) => !this.objects.synced(s) && !this.objects.refusal(s));
    return missing.length
      ? `waiting for caches: ${missing.map((s) => `${s.kind} in ${s.namespace}`).join(', ')}`
      : undefined;
  }

  /** Sources of this Promotion the API refuses to list (403/404, or a namespace that does not exist). */
  unreadableFor(p: PromotionObject): Unreadable[] {
    return allSources(sourcesOf(p)).flatMap((s) => this.objects.refusal(s) ?? []);
  }

  /**
   * For /readyz: the Promotion informers (and in cluster scope the shared object informers) have
   * listed and none has been down longer than `staleAfterMs`. Namespaced object informers are per
   * Promotion (a typo in one spec must not make the whole operator unready) and show up in that
   * Promotion's status instead.
   */
  notReadyReason(staleAfterMs: number, now = Date.now()): string | undefined {
    const bad = this.promotions.filter((i) => isStale(i.health(), staleAfterMs, now));
    const shared = this.objects.notReadyReason(staleAfterMs, now);
    if (bad.length) return `Promotion caches not synced or stale: ${bad.map((i) => i.path).join(', ')}`;
    return shared;
  }

  /** For /healthz: an informer silent far beyond its watchdog means the restart loop itself is stuck. */
  stuckReason(): string | undefined {
    const all = [...this.promotions, ...this.objects.informers()];
    const stuck = all.filter((i) => i.idleMs() > this.o.watchdogMs * 3);
    return stuck.length ? `informers stuck: ${stuck.map((i) => i.path).join(', ')}` : undefined;
  }

  /** Informers running (Promotion ones included). */
  get size(): number {
    return this.promotions.length + this.objects.size;
  }

  private promotionChanged(p: PromotionObject): void {
    const key = promotionKey(p);
    const exists = this.getPromotion(p.metadata.namespace, p.metadata.name) !== undefined;
    this.objects.use(key, exists && p.spec ? allSources(sourcesOf(p)) : []);
    this.emit(key);
  }

  private emit(key: string): void {
    for (const h of this.handlers) h(key);
  }

  private make<T extends KubernetesObject>(
    path: string,
    resource: string,
    opts: FactoryOptions<T>,
  ): ResilientInformer<T> {
    return new ResilientInformer<T>(this.client, path, {
      ...opts,
      listGate: this.listGate,
      watchTimeoutMs: this.o.watchTimeoutMs,
      watchdogMs: this.o.watchdogMs,
      onRestart: (why) => this.o.onRestart?.(resource, why),
      onLag: this.o.onLag && ((seconds) => this.o.onLag!(resource, seconds)),
      log: this.o.log,
    });
  }
}
