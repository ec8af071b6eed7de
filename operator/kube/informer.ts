// One resilient informer: list, then watch from the list's resourceVersion, keeping a cache of
// plain JSON objects. The apiserver ends each watch after the watch timeout and we resume from the
// last resourceVersion (bookmarks keep it fresh); "410 Gone" means relist. Any failure restarts
// the loop with backoff, and a watchdog aborts a loop that has shown no sign of life for too
// long. Reads keep using the last good cache meanwhile. Handlers only enqueue keys, so the
// replay after a relist is harmless.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../runtime/log.js';
import { KubeError, type KubeClient } from './client.js';

export interface InformerOptions {
  /** The apiserver ends a watch after this long; we then resume it. */
  watchTimeoutMs: number;
  /** Restart when no event, bookmark or reconnect was seen for this long. */
  watchdogMs: number;
  /** @default 500 */
  restartBaseMs?: number;
  /** @default 15000 */
  restartMaxMs?: number;
  onEvent: (obj: KubernetesObject) => void;
  onRestart: (why: string) => void;
  log: Logger;
}

class Gone extends Error {}

const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export class ResilientInformer<T extends KubernetesObject> {
  private cache = new Map<string, T>();
  private synced = false;
  /** The last list was refused (403/404): what the Promotion names cannot be read; not an outage. */
  refused?: { code: number; message: string };
  private stopped = true;
  private failures = 0;
  private lastActivityMs = Date.now();
  private abort?: AbortController;
  private watchdog?: NodeJS.Timeout;
  private firstSync?: () => void;

  constructor(private readonly client: KubeClient, readonly path: string, private readonly o: InformerOptions) {}

  get hasSynced(): boolean {
    return this.synced;
  }

  list(namespace?: string): readonly T[] {
    const all = [...this.cache.values()];
    return namespace ? all.filter((o) => o.metadata?.namespace === namespace) : all;
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
        await this.client.watch(this.path, resourceVersion, (type, obj) => {
          this.lastActivityMs = Date.now();
          this.failures = 0;
          resourceVersion = this.apply(type, obj as T) ?? resourceVersion;
        }, { signal: this.abort.signal, timeoutSeconds: Math.max(1, Math.round(this.o.watchTimeoutMs / 1000)) });
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof Gone || (err instanceof KubeError && err.code === 410)) {
          resourceVersion = '';
          continue;
        }
        const delay = Math.min((this.o.restartBaseMs ?? 500) * 2 ** this.failures++, this.o.restartMaxMs ?? 15_000);
        this.o.log.warn('informer failed; restarting', { path: this.path, retryInMs: delay, err: String((err as Error)?.message ?? err).split('\n')[0] });
        this.o.onRestart(this.abort.signal.aborted ? 'watchdog' : 'error');
        resourceVersion = '';
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  /** Lists, replaces the cache and reports every object (and every vanished one) as an event. */
  private async relist(): Promise<string> {
    let list: Awaited<ReturnType<typeof this.client.list<T>>>;
    try {
      list = await this.client.list<T>(this.path);
    } catch (err) {
      if (err instanceof KubeError && (err.code === 403 || err.code === 404)) this.refused = { code: err.code, message: err.message.split('\n')[0] };
      throw err;
    }
    this.refused = undefined;
    const fresh = new Map(list.items.map((o) => [keyOf(o), o]));
    const gone = [...this.cache.values()].filter((o) => !fresh.has(keyOf(o)));
    this.cache = fresh;
    this.synced = true;
    this.firstSync?.();
    for (const o of [...list.items, ...gone]) this.o.onEvent(o);
    return list.metadata?.resourceVersion ?? '';
  }

  /** Applies one watch event; returns its resourceVersion. */
  private apply(type: string, obj: T): string | undefined {
    if (type === 'ERROR') {
      const status = obj as unknown as { code?: number; message?: string };
      if (status.code === 410) throw new Gone(status.message);
      throw new Error(`watch error: ${status.message ?? JSON.stringify(obj)}`);
    }
    if (type === 'ADDED' || type === 'MODIFIED') this.cache.set(keyOf(obj), obj);
    else if (type === 'DELETED') this.cache.delete(keyOf(obj));
    if (type !== 'BOOKMARK') this.o.onEvent(obj);
    return obj.metadata?.resourceVersion;
  }

  private checkWatchdog(): void {
    if (this.stopped || this.idleMs() < this.o.watchdogMs) return;
    this.o.log.warn('informer silent for too long; restarting', { path: this.path, idleMs: this.idleMs() });
    this.lastActivityMs = Date.now();
    this.abort?.abort(new Error('watchdog'));
  }
}
