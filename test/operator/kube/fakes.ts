// A fake API client and cache over the core tests' World: the executor's writes change the
// World the way the apiserver and the Deployment controller would, and the cache reads from it.
import type { PromotionObject, WorkloadLike } from '../../../operator/core/types.js';
import type { Objects, Source, Unreadable } from '../../../operator/kube/sources.js';
import { KubeError } from '../../../operator/kube/client.js';
import type { ApiWriter } from '../../../operator/kube/execute.js';
import type { Priority } from '../../../operator/kube/transport.js';
import { job, PRODUCTION, STAGING } from '../core/fixtures.js';
import type { World } from '../core/world.js';

interface Body {
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec: {
    template: {
      metadata?: { annotations?: Record<string, string> };
      spec: { containers: { name: string; image: string }[]; initContainers?: { name: string; image: string }[] };
    };
  };
}

/** Records every write as `<verb> <resource>[/<name>]` and applies it to the World. */
export class FakeApi implements ApiWriter {
  readonly calls: string[] = [];
  /** The calls the executor marked to go ahead in the client rate limit. */
  readonly ahead: string[] = [];
  /** The calls that take their tokens from the Events' own bucket. */
  readonly eventBucket: string[] = [];
  /** Answer the next matching write with this error instead (e.g. 403 on patches). */
  failing?: { match: RegExp; error: KubeError };
  /** Event creates wait for this before they are answered (a slow Events API). */
  eventsHeld?: Promise<void>;
  private rv = 1;

  constructor(private readonly world: World) {}

  writes(): string[] {
    return this.calls.filter((c) => !c.startsWith('create events'));
  }

  private check(call: string, opts: Priority = {}): void {
    if (this.failing?.match.test(call)) throw this.failing.error;
    this.calls.push(call);
    if (opts.ahead) this.ahead.push(call);
    if (opts.event) this.eventBucket.push(call);
  }

  async create<T>(collectionPath: string, body: unknown, opts: Priority = {}): Promise<T> {
    const b = body as Body;
    const resource = collectionPath.split('/').at(-1)!;
    if (resource === 'events') await this.eventsHeld;
    this.check(
      resource === 'events' ? `create events ${(body as { reason: string }).reason}` : `create ${resource}`,
      opts,
    );
    if (resource === 'jobs') {
      if (this.world.production.migrationJobs.some((j) => j.metadata.name === b.metadata.name))
        throw new KubeError(409, 'AlreadyExists', 'exists');
      this.world.production.migrationJobs.push(
        job(b.metadata.name, PRODUCTION, b.metadata.annotations!['ponyexpress.dev/image'], 'Running', PRODUCTION),
      );
    }
    return body as T;
  }

  async apply<T>(path: string, body: unknown, opts: Priority = {}): Promise<T> {
    const name = path.split('/').at(-1)!;
    this.check(`apply deployments/${name}`, opts);
    const w = this.world.production.workloads.find((x) => x.metadata.name === name)!;
    const { template } = (body as Body).spec;
    const have = w.spec!.template;
    for (const c of template.spec.containers) have.spec!.containers.find((x) => x.name === c.name)!.image = c.image;
    for (const c of template.spec.initContainers ?? [])
      have.spec!.initContainers!.find((x) => x.name === c.name)!.image = c.image;
    have.metadata = {
      ...have.metadata,
      annotations: { ...have.metadata?.annotations, ...template.metadata?.annotations },
    };
    w.metadata.generation = (w.metadata.generation ?? 1) + 1;
    (w.metadata as { resourceVersion?: string }).resourceVersion = String(++this.rv);
    w.status = { ...w.status, updatedReplicas: 0 };
    // What the apiserver answers: the whole object (without `kind` here, as the cache keeps it).
    const { kind: _kind, ...answer } = structuredClone(w);
    return answer as T;
  }

  async request<T>(method: string, path: string, opts: { body?: unknown } & Priority = {}): Promise<T> {
    if (!(method === 'PUT' && path.endsWith('/status'))) throw new Error(`unexpected ${method} ${path}`);
    this.check('update promotions/status', opts);
    const b = opts.body as PromotionObject;
    this.world.promotion = {
      ...this.world.promotion,
      status: structuredClone(b.status),
      metadata: { ...this.world.promotion.metadata, resourceVersion: String(++this.rv) } as PromotionObject['metadata'],
    };
    return structuredClone(this.world.promotion) as T;
  }
}

/** The cache as the controller sees it, answering from the World. */
export class FakeCache {
  syncing = false;
  unreadable: Unreadable[] = [];
  /** Workloads whose cached copy stays as it was when frozen: a watch that has not delivered yet. */
  private readonly frozen = new Map<string, WorkloadLike>();

  constructor(private readonly world: World) {}

  getPromotion(namespace: string, name: string): PromotionObject | undefined {
    const p = this.world.promotion;
    return p.metadata.namespace === namespace && p.metadata.name === name ? structuredClone(p) : undefined;
  }

  /** From now on the cache keeps answering these production workloads as they are now; thaw() ends it. */
  freeze(...names: string[]): void {
    for (const w of this.world.production.workloads)
      if (names.includes(w.metadata.name ?? '')) this.frozen.set(w.metadata.name ?? '', structuredClone(w));
  }

  thaw(): void {
    this.frozen.clear();
  }

  notSyncedFor(): string | undefined {
    return this.syncing ? 'waiting for caches: pods in ponyshop-staging' : undefined;
  }

  unreadableFor(): Unreadable[] {
    return this.unreadable;
  }

  list<K extends keyof Objects>(source: Source<K>): Objects[K][] {
    const side =
      source.namespace === STAGING
        ? this.world.staging
        : source.namespace === PRODUCTION
          ? this.world.production
          : undefined;
    if (!side) return [];
    const workloads = side.workloads.map((w) => this.frozen.get(w.metadata.name ?? '') ?? w);
    const byKind: { [Kind in keyof Objects]: Objects[Kind][] } = {
      deployments: workloads.filter((w) => w.kind === 'Deployment').map(({ kind: _kind, ...w }) => w),
      statefulsets: workloads.filter((w) => w.kind === 'StatefulSet').map(({ kind: _kind, ...w }) => w),
      pods: 'pods' in side ? (side.pods as Objects['pods'][]) : [],
      jobs: side.migrationJobs,
    };
    return structuredClone(byKind[source.kind]);
  }
}
