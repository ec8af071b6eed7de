// A small JSON client for the apiserver. Everything stays plain JSON (timestamps are strings
// in lists and watch events alike), so informer caches hold one shape. Every request is counted
// for /metrics and the benchmark.
import { FIELD_MANAGER } from '../core/types.js';
import { HttpError, type Lane, type Priority, type Transport } from './transport.js';

export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

/**
 * Any object as the apiserver sends it in JSON (timestamps are strings, unlike client-node's
 * model classes); the core's *Like types are all assignable to it.
 */
export interface KubernetesObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: unknown[];
  };
}

export interface KubeList<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Kubernetes verbs of the HTTP methods (watch is reported by countWatch). */
const VERB: Record<Method, string> = { GET: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** Called as a request starts; what it returns, if anything, is called with the seconds until its answer (or error). */
export type RequestObserver = (verb: string, resource: string) => ((seconds: number) => void) | void;

/** `deployments`, `promotions/status`, `leases`, … from a REST path. */
export function resourceOf(path: string): string {
  const parts = path.split('?')[0].split('/').filter(Boolean);
  const ns = parts.indexOf('namespaces');
  const rest = ns >= 0 && parts.length > ns + 2 ? parts.slice(ns + 2) : parts.slice(parts[0] === 'api' ? 2 : 3);
  return rest.length >= 3 ? `${rest[0]}/${rest[2]}` : (rest[0] ?? 'unknown');
}

/**
 * Items per list page. Each page is parsed and trimmed in one turn of the event loop, so the page
 * size bounds that turn: a page of 500 pods (5.9 MB of JSON with managedFields) took 50 ms to parse
 * here (median; up to 110 ms), a page of 100 6.5 ms. Matters for cluster-wide lists of thousands of pods.
 */
export const LIST_PAGE_SIZE = 100;

export class KubeClient {
  constructor(
    readonly transport: Transport,
    private readonly observe: RequestObserver = () => {},
    private readonly timeoutMs = 30_000,
  ) {}

  url(path: string, query: Record<string, string | undefined> = {}): string {
    const url = new URL(this.transport.access.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    return url.toString();
  }

  /** `lane`: which connections carry it (leader election has its own); `timeoutMs`: its deadline, queueing included. */
  async request<T>(
    method: Method,
    path: string,
    opts: {
      body?: unknown;
      contentType?: string;
      query?: Record<string, string | undefined>;
      lane?: Lane;
      timeoutMs?: number;
    } & Priority = {},
  ): Promise<T> {
    const done = this.observe(VERB[method], resourceOf(path));
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const started = performance.now();
    const res = await this.transport
      .send(method, this.url(path, opts.query), {
        body,
        contentType: opts.contentType,
        timeoutMs: opts.timeoutMs ?? this.timeoutMs,
        lane: opts.lane,
        ahead: opts.ahead,
        event: opts.event,
      })
      .finally(() => done?.((performance.now() - started) / 1000));
    if (res.status >= 400) throw kubeError(method, path, new HttpError(res.status, res.text));
    const text = res.text;
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Watches `path` from resourceVersion, with bookmarks, until the apiserver ends the watch after
   * timeoutSeconds (resolves) or it fails, is aborted or goes silent (rejects).
   */
  async watch(
    path: string,
    resourceVersion: string,
    onEvent: (type: string, object: KubernetesObject) => void,
    opts: { signal: AbortSignal; timeoutSeconds: number; labelSelector?: string },
  ): Promise<void> {
    this.observe('watch', resourceOf(path));
    const url = this.url(path, {
      watch: 'true',
      resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(opts.timeoutSeconds),
      labelSelector: opts.labelSelector || undefined,
    });
    try {
      await this.transport.stream(
        url,
        (line) => {
          const event = JSON.parse(line) as { type: string; object: KubernetesObject };
          onEvent(event.type, event.object);
        },
        { signal: opts.signal, idleMs: (opts.timeoutSeconds + 30) * 1000 },
      );
    } catch (err) {
      throw err instanceof HttpError ? kubeError('WATCH', path, err) : err;
    }
  }

  /**
   * All pages of a list (informers relist with this). `keep` turns each item into what the caller keeps, page by page, so a
   * cluster-wide list of thousands of pods never holds them all whole at once.
   */
  async list<T extends KubernetesObject>(
    path: string,
    labelSelector?: string,
    keep: (item: T) => T = (item) => item,
  ): Promise<KubeList<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion: string | undefined;
    do {
      const page = await this.request<KubeList<T>>('GET', path, {
        query: { limit: String(LIST_PAGE_SIZE), continue: cont, labelSelector: labelSelector || undefined },
      });
      for (const item of page.items) items.push(keep(item));
      cont = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion;
    } while (cont);
    return { metadata: { resourceVersion }, items };
  }

  /** Server-side apply under the operator's field manager. */
  apply<T>(path: string, body: unknown, opts: Priority = {}): Promise<T> {
    return this.request<T>('PATCH', path, {
      body,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: FIELD_MANAGER, force: 'true' },
      ...opts,
    });
  }

  create<T>(collectionPath: string, body: unknown, opts: Priority = {}): Promise<T> {
    return this.request<T>('POST', collectionPath, { body, query: { fieldManager: FIELD_MANAGER }, ...opts });
  }

  mergePatch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, {
      body,
      contentType: 'application/merge-patch+json',
      query: { fieldManager: FIELD_MANAGER },
    });
  }
}

/** The apiserver's Status (reason, message) as a KubeError. */
export function kubeError(method: string, path: string, err: HttpError): KubeError {
  let status: { reason?: string; message?: string } = {};
  try {
    status = JSON.parse(err.body) as typeof status;
  } catch {
    /* not a Status */
  }
  return new KubeError(
    err.statusCode,
    status.reason ?? 'Unknown',
    `${method} ${path}: ${err.statusCode} ${status.message ?? err.body.slice(0, 200)}`,
  );
}

/** REST paths of the kinds the operator touches. */
export const paths = {
  promotions: (ns?: string) =>
    ns ? `/apis/ponyexpress.dev/v1alpha1/namespaces/${ns}/promotions` : '/apis/ponyexpress.dev/v1alpha1/promotions',
  deployments: (ns?: string) => (ns ? `/apis/apps/v1/namespaces/${ns}/deployments` : '/apis/apps/v1/deployments'),
  statefulsets: (ns?: string) => (ns ? `/apis/apps/v1/namespaces/${ns}/statefulsets` : '/apis/apps/v1/statefulsets'),
  pods: (ns?: string) => (ns ? `/api/v1/namespaces/${ns}/pods` : '/api/v1/pods'),
  jobs: (ns?: string) => (ns ? `/apis/batch/v1/namespaces/${ns}/jobs` : '/apis/batch/v1/jobs'),
};

/**
 * POST that treats 409 AlreadyExists as done: for objects whose name is derived from their content (the
 * migration Jobs), an existing one is this very create, made by an earlier reconcile.
 */
export async function createIfAbsent(
  client: Pick<KubeClient, 'create'>,
  collection: string,
  body: unknown,
): Promise<void> {
  try {
    await client.create(collection, body);
  } catch (err) {
    if (!(err instanceof KubeError && err.code === 409)) throw err;
  }
}
