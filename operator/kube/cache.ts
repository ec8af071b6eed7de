// The operator's cache: Promotions in the watched namespaces (or cluster-wide), and for each
// Promotion exactly the objects it selects. An object informer is keyed by (kind, namespace,
// label selector) and shared by every Promotion that needs that key, so 50 apps in one
// namespace pair cost the same watches as one; it stops when its last Promotion goes away.
// Handlers receive Promotion keys only (level-triggered): an object event enqueues the
// Promotions that use its informer, found through an index instead of a scan of every Promotion.
// Staging is read-only (workloads, pods, jobs); production has no pod informer, because the
// RBAC grants no pod access there and rollout status lives on the workloads.
import { selectorToString } from '../core/selector.js';
import type { JobLike, PodLike, PromotionObject, WorkloadLike } from '../core/types.js';
import type { Logger } from '../telemetry.js';
import { paths, type KubernetesObject } from './client.js';
import { ResilientInformer, type InformerHealth, type ListWatcher } from './informer.js';
import { Gate } from './gate.js';
import { PROJECT } from './project.js';

/** What each kind's cache holds (list items carry no `kind`). */
export interface Objects {
  deployments: Omit<WorkloadLike, 'kind'>;
  statefulsets: Omit<WorkloadLike, 'kind'>;
  pods: PodLike;
  jobs: JobLike;
}
export type Kind = keyof Objects;

/** One informer's identity: a kind in a namespace, narrowed by a label selector ('' = all). */
export interface Source<K extends Kind = Kind> {
  kind: K;
  namespace: string;
  selector: string;
}

/** Every source one Promotion reads, by role. */
export interface Sources {
  staging: {
    deployments: Source<'deployments'>;
    statefulsets: Source<'statefulsets'>;
    pods: Source<'pods'>;
    jobs: Source<'jobs'>;
  };
  production: { deployments: Source<'deployments'>; statefulsets: Source<'statefulsets'>; jobs: Source<'jobs'> };
}

const safeSelector = (s: Parameters<typeof selectorToString>[0] | undefined) => {
  try {
    return s ? selectorToString(s) : '';
  } catch {
    return ''; // a malformed selector is the core's to report; read the namespace meanwhile
  }
};

/** Per Promotion object (a new object arrives with every change): selectors are turned into strings once. */
const sourcesMemo = new WeakMap<PromotionObject, Sources>();

export function sourcesOf(p: PromotionObject): Sources {
  let s = sourcesMemo.get(p);
  if (!s) sourcesMemo.set(p, (s = computeSources(p)));
  return s;
}

function computeSources(p: PromotionObject): Sources {
  const src = p.spec?.source ?? ({} as PromotionObject['spec']['source']);
  const dst = p.spec?.target ?? ({} as PromotionObject['spec']['target']);
  const at = <K extends Kind>(kind: K, namespace: string, selector: string): Source<K> => ({
    kind,
    namespace,
    selector,
  });
  const s = safeSelector(src.selector);
  const t = safeSelector(dst.selector);
  return {
    staging: {
      deployments: at('deployments', src.namespace, s),
      statefulsets: at('statefulsets', src.namespace, s),
      pods: at('pods', src.namespace, s),
      jobs: at('jobs', src.namespace, safeSelector(src.migrationJobSelector)),
    },
    // The migration Jobs the operator creates carry the Promotion's label; users' may not: all Jobs.
    production: {
      deployments: at('deployments', dst.namespace, t),
      statefulsets: at('statefulsets', dst.namespace, t),
      jobs: at('jobs', dst.namespace, ''),
    },
  };
}

/** The API refuses this list for good (until RBAC or the namespace changes): not an outage. */
const refused = (err: { code?: number } | undefined) => err?.code === 403 || err?.code === 404;

interface Entry<T extends KubernetesObject> {
  informer: ResilientInformer<T>;
  users: Set<string>;
}

const allSources = (s: Sources): Source[] => [...Object.values(s.staging), ...Object.values(s.production)];
const sourceKey = (s: Source) => `${s.kind}|${s.namespace}|${s.selector}`;
const promotionKey = (p: PromotionObject) => `${p.metadata.namespace}/${p.metadata.name}`;
const PATHS: Record<Kind, (ns: string) => string> = {
  deployments: paths.deployments,
  statefulsets: paths.statefulsets,
  pods: paths.pods,
  jobs: paths.jobs,
};

export interface CacheOptions {
  watchNamespaces: readonly string[];
  watchTimeoutMs: number;
  watchdogMs: number;
  onRestart?: (resource: string, why: string) => void;
  /**
   * Informers listing at once. Each start costs a list and a watch open, both behind the client's
   * rate limit: keep the queue there short (main.ts: half the QPS, about a second of requests)
   * so no list waits out its deadline and writes never wait behind a fleet's start-up. @default 25
   */
  listsAtOnce?: number;
  log: Logger;
}

/** A namespace/kind the API refuses to list for one Promotion (403, 404): its config names something unreadable. */
export interface Unreadable {
  namespace: string;
  resource: Kind;
  code?: number;
  message: string;
}

/** What the controller reads (a fake in unit tests). */
export type CacheReader = Pick<Cache, 'getPromotion' | 'notSyncedFor' | 'unreadableFor' | 'list'>;

export class Cache {
  private readonly promotions: ResilientInformer<PromotionObject>[];
  /** The Promotion informer of each watched namespace (none when watching all namespaces: one informer). */
  private readonly promotionsByNamespace = new Map<string, ResilientInformer<PromotionObject>>();
  /** Object informers running (kept, not counted: /metrics asks often and there are thousands). */
  private objectInformerCount = 0;
  /** Object informers by kind, then by source key, with the Promotions using each. */
  private readonly informers: { [K in Kind]: Map<string, Entry<Objects[K]>> } = {
    deployments: new Map(),
    statefulsets: new Map(),
    pods: new Map(),
    jobs: new Map(),
  };
  /** Promotion key -> the source keys it uses. */
  private readonly uses = new Map<string, string[]>();
  private readonly handlers: ((promotionKey: string) => void)[] = [];
  private readonly listGate: Gate;

  constructor(
    private readonly client: ListWatcher,
    private readonly o: CacheOptions,
  ) {
    this.listGate = new Gate(o.listsAtOnce ?? 25);
    const nss = o.watchNamespaces.length ? o.watchNamespaces : [undefined];
    this.promotions = nss.map((ns) => {
      const i = this.make<PromotionObject>(paths.promotions(ns), '', 'promotions', (p) => this.promotionChanged(p));
      if (ns !== undefined) this.promotionsByNamespace.set(ns, i);
      return i;
    });
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
    await Promise.all([...this.promotions, ...this.objectInformers()].map((i) => i.stop()));
  }

  listPromotions(): PromotionObject[] {
    return this.promotions.flatMap((i) => [...i.list()]);
  }

  getPromotion(namespace: string, name: string): PromotionObject | undefined {
    if (this.promotionsByNamespace.size) return this.promotionsByNamespace.get(namespace)?.get(name, namespace);
    for (const i of this.promotions) {
      const p = i.get(name, namespace);
      if (p) return p;
    }
    return undefined;
  }

  /** The cached objects of one source (typed by kind). */
  list<K extends Kind>(source: Source<K>): Objects[K][] {
    const entry: Entry<Objects[K]> | undefined = this.informers[source.kind].get(sourceKey(source));
    return entry ? [...entry.informer.list()] : [];
  }

  /**
   * Why the caches a Promotion needs are not usable yet, or undefined when they are: sources
   * that have not listed, unless the API refused them (403/404, see unreadableFor). Waiting
   * until every source has an answer reports an unreadable namespace once, with all its kinds.
   */
  notSyncedFor(p: PromotionObject): string | undefined {
    const missing = allSources(sourcesOf(p)).filter((s) => {
      const informer = this.entry(s)?.informer;
      return !informer?.hasSynced && !refused(informer?.health().lastError);
    });
    return missing.length
      ? `waiting for caches: ${missing.map((s) => `${s.kind} in ${s.namespace}`).join(', ')}`
      : undefined;
  }

  /** Sources of this Promotion the API refuses to list (403/404): its own problem, never the operator's readiness. */
  unreadableFor(p: PromotionObject): Unreadable[] {
    return allSources(sourcesOf(p)).flatMap((s) => {
      const err = this.entry(s)?.informer.health().lastError;
      return err && refused(err)
        ? [{ namespace: s.namespace, resource: s.kind, code: err.code, message: err.message }]
        : [];
    });
  }

  /**
   * For /readyz: the Promotion informers have listed and none has been down longer than
   * `staleAfterMs`. Object informers are per Promotion (a typo in one spec must not make the
   * whole operator unready) and show up in that Promotion's status instead.
   */
  notReadyReason(staleAfterMs: number, now = Date.now()): string | undefined {
    const bad = this.promotions.filter((i) => {
      const h: InformerHealth = i.health();
      return !h.synced || (h.downSinceMs !== undefined && now - h.downSinceMs > staleAfterMs);
    });
    return bad.length ? `Promotion caches not synced or stale: ${bad.map((i) => i.path).join(', ')}` : undefined;
  }

  /** For /healthz: an informer silent far beyond its watchdog means the restart loop itself is stuck. */
  stuckReason(): string | undefined {
    const all = [...this.promotions, ...this.objectInformers()];
    const stuck = all.filter((i) => i.idleMs() > this.o.watchdogMs * 3);
    return stuck.length ? `informers stuck: ${stuck.map((i) => i.path).join(', ')}` : undefined;
  }

  /** Informers running (Promotion ones included). */
  get size(): number {
    return this.promotions.length + this.objectInformerCount;
  }

  private objectInformers(): ResilientInformer<KubernetesObject>[] {
    return Object.values(this.informers).flatMap((m: Map<string, Entry<KubernetesObject>>) =>
      [...m.values()].map((e) => e.informer),
    );
  }

  private entry(s: Source): Entry<KubernetesObject> | undefined {
    return this.informers[s.kind].get(sourceKey(s));
  }

  private promotionChanged(p: PromotionObject): void {
    const key = promotionKey(p);
    const exists = this.getPromotion(p.metadata.namespace, p.metadata.name) !== undefined;
    const wanted = exists && p.spec ? allSources(sourcesOf(p)) : [];
    const next = wanted.map(sourceKey);
    const before = this.uses.get(key) ?? [];
    for (const s of wanted) {
      const k = sourceKey(s);
      const byKey: Map<string, Entry<KubernetesObject>> = this.informers[s.kind];
      let entry = byKey.get(k);
      if (!entry) {
        const changed = () => this.objectChanged(byKey, k);
        const informer = this.make<KubernetesObject>(
          PATHS[s.kind](s.namespace),
          s.selector,
          s.kind,
          changed,
          changed,
          changed,
          PROJECT[s.kind] as unknown as (o: KubernetesObject) => KubernetesObject,
        );
        byKey.set(k, (entry = { informer, users: new Set() }));
        this.objectInformerCount++;
        void informer.start();
      }
      entry.users.add(key);
    }
    for (const k of before.filter((k) => !next.includes(k))) {
      const byKey: Map<string, Entry<KubernetesObject>> = this.informers[k.split('|')[0] as Kind];
      const entry = byKey.get(k);
      entry?.users.delete(key);
      if (entry && entry.users.size === 0) {
        byKey.delete(k);
        this.objectInformerCount--;
        void entry.informer.stop();
      }
    }
    if (next.length) this.uses.set(key, next);
    else this.uses.delete(key);
    this.emit(key);
  }

  private objectChanged(byKey: Map<string, Entry<KubernetesObject>>, sourceKey: string): void {
    for (const key of byKey.get(sourceKey)?.users ?? []) this.emit(key);
  }

  private emit(key: string): void {
    for (const h of this.handlers) h(key);
  }

  private make<T extends KubernetesObject>(
    path: string,
    labelSelector: string,
    resource: string,
    onEvent: (obj: T) => void,
    onSync?: () => void,
    onFail?: () => void,
    transform?: (o: T) => T,
  ): ResilientInformer<T> {
    return new ResilientInformer<T>(this.client, path, {
      labelSelector,
      transform,
      listGate: this.listGate,
      onSync,
      onFail,
      watchTimeoutMs: this.o.watchTimeoutMs,
      watchdogMs: this.o.watchdogMs,
      onEvent,
      onRestart: (why) => this.o.onRestart?.(resource, why),
      log: this.o.log,
    });
  }
}
