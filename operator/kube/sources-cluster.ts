// Cluster scope (opt-in, PONYEXPRESS_WATCH_SCOPE=cluster, a read-only ClusterRole): one informer per
// kind for all namespaces, plus one of Namespaces, instead of one per kind per namespace. At 500 apps
// with a namespace pair each that is 5 object watches (6 with Promotions) instead of 4,000 (each HTTP/2 watch stream costs
// ~12 KB in Node, and every watch is re-opened every watch timeout). The price: every Deployment,
// StatefulSet, Pod and Job in the cluster is cached, trimmed to what the core reads (project.ts).
import { matchesSelector } from '../core/selector.js';
import type { LabelSelector } from '../core/resource.js';
import type { KubernetesObject } from './client.js';
import { isStale, type ResilientInformer } from './informer.js';
import { PROJECT } from './project.js';
import {
  KINDS,
  PATHS,
  refused,
  type InformerFactory,
  type Kind,
  type ObjectSources,
  type Objects,
  type Source,
  type Unreadable,
} from './sources.js';

const NAMESPACES = '/api/v1/namespaces';
const nameOnly = (o: KubernetesObject): KubernetesObject => ({ metadata: { name: o.metadata?.name } });

/** kind -> namespace -> Promotion key -> the selectors it reads there (undefined = everything). */
type Users = Record<Kind, Map<string, Map<string, (LabelSelector | undefined)[]>>>;

export class ClusterSources implements ObjectSources {
  private readonly byKind: Record<Kind, ResilientInformer<KubernetesObject>>;
  private readonly namespaces: ResilientInformer<KubernetesObject>;
  private readonly users: Users = { deployments: new Map(), statefulsets: new Map(), pods: new Map(), jobs: new Map() };
  /** Promotion key -> the sources it uses. */
  private readonly uses = new Map<string, readonly Source[]>();
  private started = false;

  constructor(
    make: InformerFactory,
    private readonly emit: (promotionKey: string) => void,
  ) {
    const all = (kind: Kind) => () => this.emitAll(kind);
    this.byKind = Object.fromEntries(
      KINDS.map((kind) => [
        kind,
        make<KubernetesObject>(PATHS[kind](), kind, {
          indexByNamespace: true,
          transform: PROJECT[kind],
          onEvent: (o, previous) => this.route(kind, o, previous),
          onSync: all(kind),
          onFail: all(kind),
        }),
      ]),
    ) as Record<Kind, ResilientInformer<KubernetesObject>>;
    // A namespace that appears or goes away changes whether its Promotions can be read at all.
    this.namespaces = make<KubernetesObject>(NAMESPACES, 'namespaces', {
      transform: nameOnly,
      onEvent: (ns) => this.emitNamespace(ns.metadata?.name ?? ''),
      onSync: () => this.emitEveryone(),
      onFail: () => this.emitEveryone(),
    });
  }

  get size(): number {
    return this.started ? KINDS.length + 1 : 0;
  }

  use(key: string, sources: readonly Source[]): void {
    this.start();
    for (const s of this.uses.get(key) ?? []) this.users[s.kind].get(s.namespace)?.delete(key);
    for (const s of sources) {
      const byNs = this.users[s.kind];
      let m = byNs.get(s.namespace);
      if (!m) byNs.set(s.namespace, (m = new Map<string, (LabelSelector | undefined)[]>()));
      m.set(key, [...(m.get(key) ?? []), s.match]);
    }
    if (sources.length) this.uses.set(key, sources);
    else this.uses.delete(key);
  }

  list<K extends Kind>(source: Source<K>): Objects[K][] {
    return [...this.byKind[source.kind].listIn(source.namespace)] as unknown as Objects[K][];
  }

  synced(source: Source): boolean {
    return this.byKind[source.kind].hasSynced && this.namespaces.hasSynced;
  }

  refusal(s: Source): Unreadable | undefined {
    const err = this.byKind[s.kind].health().lastError ?? this.namespaces.health().lastError;
    if (err && refused(err)) return { namespace: s.namespace, resource: s.kind, code: err.code, message: err.message };
    if (this.namespaces.hasSynced && !this.namespaces.get(s.namespace))
      return { namespace: s.namespace, resource: s.kind, code: 404, message: `namespace "${s.namespace}" not found` };
    return undefined;
  }

  /** These informers serve every Promotion: down or refused (the ClusterRole missing) is the operator's problem. */
  notReadyReason(staleAfterMs: number, now: number): string | undefined {
    if (!this.started) return undefined;
    const bad = [...Object.values(this.byKind), this.namespaces].filter(
      (i) => isStale(i.health(), staleAfterMs, now) || refused(i.health().lastError),
    );
    return bad.length
      ? `cluster-wide caches not synced, refused or stale: ${bad.map((i) => i.path).join(', ')}`
      : undefined;
  }

  informers(): ResilientInformer<KubernetesObject>[] {
    return this.started ? [...Object.values(this.byKind), this.namespaces] : [];
  }

  /** Lazily, with the first Promotion: an operator with none watches nothing but Promotions. */
  private start(): void {
    if (this.started) return;
    this.started = true;
    for (const i of this.informers()) void i.start();
  }

  /** An object event goes to the Promotions reading its namespace whose selector it matches, before or after. */
  private route(kind: Kind, o: KubernetesObject, previous?: KubernetesObject): void {
    const readers = this.users[kind].get(o.metadata?.namespace ?? '');
    if (!readers) return;
    const hit = (labels: Record<string, string> | undefined, m: LabelSelector | undefined) =>
      !m || matchesSelector(labels, m);
    for (const [key, selectors] of readers) {
      if (selectors.some((m) => hit(o.metadata?.labels, m) || (previous && hit(previous.metadata?.labels, m))))
        this.emit(key);
    }
  }

  private emitAll(kind: Kind): void {
    for (const readers of this.users[kind].values()) for (const key of readers.keys()) this.emit(key);
  }

  private emitNamespace(ns: string): void {
    const keys = new Set(KINDS.flatMap((k) => [...(this.users[k].get(ns)?.keys() ?? [])]));
    for (const key of keys) this.emit(key);
  }

  private emitEveryone(): void {
    for (const key of this.uses.keys()) this.emit(key);
  }
}
