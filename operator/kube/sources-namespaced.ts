// Namespaced RBAC (the default): one informer per (kind, namespace, label selector), shared by every
// Promotion that needs that key, stopped when its last Promotion goes away. An object event goes to
// the Promotions using its informer, found through an index instead of a scan of every Promotion.
import type { KubernetesObject } from './client.js';
import type { ResilientInformer } from './informer.js';
import { PROJECT } from './project.js';
import {
  PATHS,
  refused,
  sourceKey,
  type InformerFactory,
  type Kind,
  type ObjectSources,
  type Objects,
  type Source,
  type Unreadable,
} from './sources.js';

interface Entry {
  informer: ResilientInformer<KubernetesObject>;
  users: Set<string>;
}

export class NamespacedSources implements ObjectSources {
  /** Source key -> its informer and the Promotions using it. */
  private readonly entries = new Map<string, Entry>();
  /** Promotion key -> the source keys it uses. */
  private readonly uses = new Map<string, string[]>();

  constructor(
    private readonly make: InformerFactory,
    private readonly emit: (promotionKey: string) => void,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  use(key: string, sources: readonly Source[]): void {
    const next = sources.map(sourceKey);
    const before = this.uses.get(key) ?? [];
    for (const s of sources) {
      const k = sourceKey(s);
      let entry = this.entries.get(k);
      if (!entry) {
        const changed = () => {
          for (const user of this.entries.get(k)?.users ?? []) this.emit(user);
        };
        const informer = this.make<KubernetesObject>(PATHS[s.kind](s.namespace), s.kind, {
          labelSelector: s.selector,
          onEvent: changed,
          onSync: changed,
          onFail: changed,
          transform: PROJECT[s.kind],
        });
        this.entries.set(k, (entry = { informer, users: new Set() }));
        void informer.start();
      }
      entry.users.add(key);
    }
    for (const k of before.filter((k) => !next.includes(k))) {
      const entry = this.entries.get(k);
      entry?.users.delete(key);
      if (entry && entry.users.size === 0) {
        this.entries.delete(k);
        void entry.informer.stop();
      }
    }
    if (next.length) this.uses.set(key, next);
    else this.uses.delete(key);
  }

  list<K extends Kind>(source: Source<K>): Objects[K][] {
    const entry = this.entries.get(sourceKey(source));
    return entry ? ([...entry.informer.list()] as unknown as Objects[K][]) : [];
  }

  synced(source: Source): boolean {
    return this.entries.get(sourceKey(source))?.informer.hasSynced ?? false;
  }

  refusal(s: Source): Unreadable | undefined {
    const err = this.entries.get(sourceKey(s))?.informer.health().lastError;
    return err && refused(err)
      ? { namespace: s.namespace, resource: s.kind, code: err.code, message: err.message }
      : undefined;
  }

  /** Each informer here serves some Promotions only: its trouble shows in their status, not in /readyz. */
  notReadyReason(): string | undefined {
    return undefined;
  }

  informers(): ResilientInformer<KubernetesObject>[] {
    return [...this.entries.values()].map((e) => e.informer);
  }
}
