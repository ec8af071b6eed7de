// Records every change to one kind of object (optionally filtered by namespace and label
// selector) as a timeline, so a test can assert properties that must hold at EVERY moment
// of a rollout ("never two beat pods", "web never below desired ready"), not only at the end.
import { KubernetesObjectApi, Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface RecordedEvent<T> {
  /** Date.now() when the event arrived. */
  at: number;
  type: WatchEventType;
  object: T;
  /** Every object that existed right after this event (deleted ones removed). */
  live: T[];
}

export interface RecordOptions {
  apiVersion: string;
  kind: string;
  /** @default all namespaces */
  namespace?: string;
  /** @default none */
  labelSelector?: string;
  /** The resource name in URLs. @default kind lower-cased + 's' */
  plural?: string;
}

export class WatchRecorder<T extends KubernetesObject = KubernetesObject> {
  /** The objects that existed when recording started. */
  readonly initial: T[];
  readonly events: RecordedEvent<T>[] = [];
  /** Problems the watch hit (connection lost and resumed, etc.), for diagnostics. */
  readonly notes: string[] = [];
  private readonly live = new Map<string, T>();
  private abort?: AbortController;
  private stopped = false;
  private relistNeeded = false;

  private constructor(
    private readonly kc: KubeConfig,
    private readonly options: RecordOptions,
    initial: T[],
    private resourceVersion: string,
  ) {
    this.initial = initial;
    for (const object of initial) this.live.set(key(object), object);
  }

  /** Lists the current objects, then watches from that point: no change is missed. */
  static async start<T extends KubernetesObject>(kc: KubeConfig, options: RecordOptions): Promise<WatchRecorder<T>> {
    const list = await listObjects<T>(kc, options);
    const recorder = new WatchRecorder<T>(kc, options, list.items, list.metadata?.resourceVersion ?? '0');
    await recorder.watch();
    return recorder;
  }

  /** The current objects as seen through the watch. */
  current(): T[] {
    return [...this.live.values()];
  }

  /** The states to check an invariant against: the initial one, then one after each event. */
  states(): T[][] {
    return [this.initial, ...this.events.map((e) => e.live)];
  }

  /** The largest number of objects matching `filter` that existed at one moment. */
  maxLive(filter: (o: T) => boolean = () => true): number {
    return Math.max(...this.states().map((s) => s.filter(filter).length));
  }

  /** The smallest number of objects matching `filter` that existed at one moment. */
  minLive(filter: (o: T) => boolean): number {
    return Math.min(...this.states().map((s) => s.filter(filter).length));
  }

  /** A compact timeline for failure messages. */
  describe(summary: (o: T) => string = (o) => o.metadata?.name ?? '?'): string {
    const t0 = this.events[0]?.at ?? 0;
    return this.events
      .map((e) => `+${e.at - t0}ms ${e.type} ${summary(e.object)} -> [${e.live.map(summary).join(', ')}]`)
      .join('\n');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
  }

  private path(): string {
    const { apiVersion, namespace } = this.options;
    const plural = this.options.plural ?? `${this.options.kind.toLowerCase()}s`;
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return `${base}${namespace ? `/namespaces/${namespace}` : ''}/${plural}`;
  }

  private async watch(): Promise<void> {
    const query = {
      resourceVersion: this.resourceVersion,
      labelSelector: this.options.labelSelector,
      allowWatchBookmarks: true,
    };
    this.abort = await new Watch(this.kc).watch(
      this.path(),
      query,
      (type, object: T) => {
        if (type === 'ERROR') {
          this.notes.push(`watch error: ${JSON.stringify(object)}`);
          // 410 Gone: the version is older than the apiserver keeps (e.g. after its restart).
          if ((object as { code?: number }).code === 410) this.relistNeeded = true;
          return;
        }
        this.resourceVersion = object.metadata?.resourceVersion ?? this.resourceVersion;
        if (type === 'BOOKMARK') return;
        this.record(type as WatchEventType, object);
      },
      (error: unknown) => {
        if (this.stopped) return;
        // The apiserver closes watches now and then (and on restart): resume from the last
        // version seen. If that version is too old the next watch fails and is noted.
        this.notes.push(
          `watch ended (${error instanceof Error ? String(error) : error ? JSON.stringify(error) : 'closed by server'}); resuming at ${this.resourceVersion}`,
        );
        this.resume();
      },
    );
  }

  private record(type: WatchEventType, object: T): void {
    if (type === 'DELETED') this.live.delete(key(object));
    else this.live.set(key(object), object);
    this.events.push({ at: Date.now(), type, object, live: this.current() });
  }

  /**
   * After a 410 the changes in between are lost: list again and record the difference as
   * events (noted, since intermediate states may be missing from the timeline).
   */
  private async relist(): Promise<void> {
    const list = await listObjects<T>(this.kc, this.options);
    const now = new Map(list.items.map((o) => [key(o), o]));
    for (const [k, old] of this.live) if (!now.has(k)) this.record('DELETED', old);
    for (const [k, object] of now) {
      const before = this.live.get(k);
      if (before?.metadata?.resourceVersion !== object.metadata?.resourceVersion)
        this.record(before ? 'MODIFIED' : 'ADDED', object);
    }
    this.resourceVersion = list.metadata?.resourceVersion ?? this.resourceVersion;
    this.relistNeeded = false;
    this.notes.push(`relisted at ${this.resourceVersion}: states between the last event and now may be missing`);
  }

  /** Retries the watch every 500 ms until it connects (the apiserver may be restarting). */
  private resume(): void {
    setTimeout(() => {
      if (this.stopped) return;
      (this.relistNeeded ? this.relist().then(() => this.watch()) : this.watch()).catch((error: unknown) => {
        this.notes.push(`resume failed: ${String(error)}`);
        this.resume();
      });
    }, 500);
  }
}

function listObjects<T extends KubernetesObject>(kc: KubeConfig, options: RecordOptions) {
  return KubernetesObjectApi.makeApiClient(kc).list<T>(
    options.apiVersion,
    options.kind,
    options.namespace,
    undefined,
    undefined,
    undefined,
    undefined,
    options.labelSelector,
  );
}

function key(o: KubernetesObject): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}
