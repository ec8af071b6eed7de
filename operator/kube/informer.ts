// One resilient informer: list, then watch from the list's resourceVersion, keeping a cache of
// plain JSON objects of one kind in one namespace (or all), optionally narrowed by a label
// selector. The apiserver ends each watch after the watch timeout and we resume from the last
// resourceVersion (bookmarks keep it fresh); "410 Gone" means relist. Any failure restarts the
// loop with backoff, and a watchdog aborts a loop that has shown no sign of life for too long.
// Reads keep using the last good cache meanwhile; `health()` says how fresh it is.
import type { Logger } from '../telemetry.js';
import { KubeError, type KubeClient, type KubeList, type KubernetesObject } from './client.js';
import type { Gate } from './gate.js';
import { slim } from './project.js';

export interface InformerOptions<T> {
  /** Only objects matching this label selector (server-side). @default everything */
  labelSelector?: string;
  /** The apiserver ends a watch after this long; we then resume it. */
  watchTimeoutMs: number;
  /** Restart when no event, bookmark or reconnect was seen for this long. */
  watchdogMs: number;
  /**
   * What the cache keeps of each object (client-go's SetTransform): e.g. only the fields the
   * core reads. @default drops managedFields and kubectl's last-applied annotation
   */
  transform?(obj: T): T;
  /** Keep and report only the objects this accepts (e.g. Promotions in the watched namespaces). @default all */
  accept?(obj: T): boolean;
  /** Keep a per-namespace index for `listIn` (a cluster-wide informer). @default off */
  indexByNamespace?: boolean;
  /** Shared by the informers of one cache: only so many list at once (see gate.ts). @default no limit */
  listGate?: Gate;
  /** @default 500 */
  restartBaseMs?: number;
  /** @default 15000 */
  restartMaxMs?: number;
  // Method syntax on purpose: an informer of pods is usable where any object informer is.
  /** Every change, with the cached object it replaces (undefined when new): a label change can leave a selector. */
  onEvent(obj: T, previous?: T): void;
  /** After each successful list (even an empty one). */
  onSync?(): void;
  /** At the first failure in a row (e.g. a 403: the Promotions using it re-plan with it). */
  onFail?(): void;
  onRestart(why: 'error' | 'watchdog'): void;
  /** Seconds between a watched change's newest managedFields time and its arrival here (a metric). */
  onLag?(seconds: number): void;
  log: Logger;
}

/** The newest managedFields time of an object (ms), if any: when its last write was made (whole seconds). */
function lastWriteMs(obj: KubernetesObject): number | undefined {
  const fields = (obj.metadata?.managedFields ?? []) as { time?: string }[];
  const times = fields.map((f) => Date.parse(f.time ?? '')).filter((t) => !Number.isNaN(t));
  return times.length ? Math.max(...times) : undefined;
}

/** Not listed yet, or down longer than `staleAfterMs`: a cache /readyz must not trust. */
export function isStale(h: InformerHealth, staleAfterMs: number, now: number): boolean {
  return !h.synced || (h.downSinceMs !== undefined && now - h.downSinceMs > staleAfterMs);
}

export interface InformerHealth {
  synced: boolean;
  /** Since when the watch has been down (undefined while watching). */
  downSinceMs?: number;
  /** The last failure, e.g. 403 when RBAC does not grant the namespace. */
  lastError?: { code?: number; message: string };
}

/** What an informer needs from the client (a fake in unit tests). */
export type ListWatcher = Pick<KubeClient, 'list' | 'watch'>;

class Gone extends Error {}

/** List items handled per turn of the event loop. */
const RELIST_CHUNK = 25;

const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export class ResilientInformer<T extends KubernetesObject> {
  private cache = new Map<string, T>();
  /** namespace -> key -> object, when indexByNamespace. */
  private byNamespace = new Map<string, Map<string, T>>();
  private synced = false;
  private stopped = true;
  private failures = 0;
  private lastActivityMs = Date.now();
  private downSinceMs: number | undefined = Date.now();
  private lastError?: InformerHealth['lastError'];
  private abort?: AbortController;
  private watchdog?: NodeJS.Timeout;
  private firstSync?: () => void;

  constructor(
    private readonly client: ListWatcher,
    readonly path: string,
    private readonly o: InformerOptions<T>,
  ) {}

  get hasSynced(): boolean {
    return this.synced;
  }

  get labelSelector(): string {
    return this.o.labelSelector ?? '';
  }

  health(): InformerHealth {
    return { synced: this.synced, downSinceMs: this.downSinceMs, lastError: this.lastError };
  }

  list(): readonly T[] {
    return [...this.cache.values()];
  }

  /** The objects of one namespace (needs indexByNamespace). */
  listIn(namespace: string): readonly T[] {
    const m = this.byNamespace.get(namespace);
    return m ? [...m.values()] : [];
  }

  get(name: string, namespace?: string): T | undefined {
    return this.cache.get(`${namespace ?? ''}/${name}`);
  }

  idleMs(): number {
    return Date.now() - this.lastActivityMs;
  }

  /** Starts the loop; resolves after the first successful list (or at stop). */
  start(): Promise<void> {
    this.stopped = false;
    this.watchdog = setInterval(() => this.checkWatchdog(), Math.max(1000, this.o.watchdogMs / 4));
    this.watchdog.unref();
    const synced = new Promise<void>((resolve) => (this.firstSync = resolve));
    void this.loop();
    return synced;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    this.abort?.abort();
    this.firstSync?.();
  }

  private async loop(): Promise<void> {
    let resourceVersion = '';
    while (!this.stopped) {
      this.abort = new AbortController();
      try {
        if (!resourceVersion) resourceVersion = await this.relist();
        this.lastActivityMs = Date.now();
        await this.client.watch(
          this.path,
          resourceVersion,
          (type, obj) => {
            this.lastActivityMs = Date.now();
            this.downSinceMs = undefined;
            this.failures = 0;
            resourceVersion = this.apply(type, obj as T) ?? resourceVersion;
          },
          {
            signal: this.abort.signal,
            timeoutSeconds: Math.max(1, Math.round(this.o.watchTimeoutMs / 1000)),
            labelSelector: this.o.labelSelector,
          },
        );
      } catch (err) {
        if (this.stopped) return;
        this.downSinceMs ??= Date.now();
        if (err instanceof Gone || (err instanceof KubeError && err.code === 410)) {
          resourceVersion = '';
          continue;
        }
        const delay = Math.min((this.o.restartBaseMs ?? 500) * 2 ** this.failures++, this.o.restartMaxMs ?? 15_000);
        const message = String((err as Error)?.message ?? err).split('\n')[0];
        this.lastError = { code: err instanceof KubeError ? err.code : undefined, message };
        // The first failure in a row is a warning; repeats (backing off) only debug, so a
        // namespace the operator may not read does not flood the log.
        this.o.log[this.failures === 1 ? 'warn' : 'debug']('informer failed; restarting', {
          path: this.path,
          labelSelector: this.o.labelSelector,
          retryInMs: delay,
          err: message,
        });
        this.o.onRestart(this.abort.signal.aborted ? 'watchdog' : 'error');
        if (this.failures === 1) this.o.onFail?.();
        resourceVersion = '';
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  /** Lists, replaces the cache and reports every object (and every vanished one) as an event. */
  private async relist(): Promise<string> {
    const release = await this.o.listGate?.acquire(this.abort?.signal);
    let list: KubeList<T>;
    try {
      list = await this.client.list<T>(this.path, this.o.labelSelector, (o) => this.keep(o));
    } finally {
      release?.();
    }
    const accepted = this.o.accept ? list.items.filter((o) => this.o.accept!(o)) : list.items;
    const fresh = new Map(accepted.map((o) => [keyOf(o), o]));
    const gone = [...this.cache.values()].filter((o) => !fresh.has(keyOf(o)));
    const before = this.cache;
    this.cache = fresh;
    if (this.o.indexByNamespace) {
      this.byNamespace = new Map();
      for (const [k, o] of fresh) this.index(k, o);
    }
    this.synced = true;
    this.downSinceMs = undefined;
    this.lastError = undefined;
    this.firstSync?.();
    const events = [...accepted, ...gone];
    for (let i = 0; i < events.length; i++) {
      this.o.onEvent(events[i], before.get(keyOf(events[i])));
      // A fleet's Promotion list starts every informer its Promotions need: yield to the loop now
      // and then, so lease renewals, probes and answers are not held up by one big list.
      if (i % RELIST_CHUNK === RELIST_CHUNK - 1) await new Promise((r) => setImmediate(r));
    }
    this.o.onSync?.();
    return list.metadata?.resourceVersion ?? '';
  }

  /** Applies one watch event; returns its resourceVersion. */
  private apply(type: string, obj: T): string | undefined {
    if (type === 'ERROR') {
      const status = obj as { code?: number; message?: string };
      if (status.code === 410) throw new Gone(status.message);
      throw new Error(`watch error: ${status.message ?? JSON.stringify(obj)}`);
    }
    if (type === 'BOOKMARK' || (this.o.accept && !this.o.accept(obj))) return obj.metadata?.resourceVersion;
    const key = keyOf(obj);
    const previous = this.cache.get(key);
    if (type === 'ADDED' || type === 'MODIFIED') {
      // A graceful deletion sets deletionTimestamp without a managedFields time of its own: not a lag.
      const written =
        this.o.onLag &&
        !(obj.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp &&
        lastWriteMs(obj);
      if (written) this.o.onLag!((Date.now() - written) / 1000);
      const kept = this.keep(obj);
      this.cache.set(key, kept);
      if (this.o.indexByNamespace) this.index(key, kept);
    } else if (type === 'DELETED') {
      this.cache.delete(key);
      this.byNamespace.get(obj.metadata?.namespace ?? '')?.delete(key);
    }
    this.o.onEvent(obj, previous);
    return obj.metadata?.resourceVersion;
  }

  private index(key: string, o: T): void {
    const ns = o.metadata?.namespace ?? '';
    let m = this.byNamespace.get(ns);
    if (!m) this.byNamespace.set(ns, (m = new Map<string, T>()));
    m.set(key, o);
  }

  private keep(obj: T): T {
    return this.o.transform ? this.o.transform(obj) : slim(obj);
  }

  private checkWatchdog(): void {
    if (this.stopped || this.idleMs() < this.o.watchdogMs) return;
    this.o.log.warn('informer silent for too long; restarting', { path: this.path, idleMs: this.idleMs() });
    this.lastActivityMs = Date.now();
    this.abort?.abort(new Error('watchdog'));
  }
}
