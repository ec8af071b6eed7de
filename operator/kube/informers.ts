// All informers of the operator, started on demand: Promotions in the watched namespaces (or
// cluster-wide), then, for every namespace a Promotion names, the kinds it needs there.
// Staging is read-only (workloads, pods, jobs); production has no pod informer, because the
// RBAC grants no pod access there and rollout status lives on the workloads.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { PromotionObject, Unreadable } from '../core/types.js';
import type { Logger } from '../runtime/log.js';
import { paths, type KubeClient } from './client.js';
import { ResilientInformer } from './informer.js';

export type Resource = 'deployments' | 'statefulsets' | 'pods' | 'jobs';
const STAGING: readonly Resource[] = ['deployments', 'statefulsets', 'pods', 'jobs'];
const PRODUCTION: readonly Resource[] = ['deployments', 'statefulsets', 'jobs'];

export interface InformerSetOptions {
  watchNamespaces: readonly string[];
  watchTimeoutMs: number;
  watchdogMs: number;
  onPromotionEvent: (p: PromotionObject) => void;
  onObjectEvent: (resource: Resource, obj: KubernetesObject) => void;
  onRestart: (resource: string, why: string) => void;
  log: Logger;
}

export class InformerSet {
  private readonly promotions: ResilientInformer<KubernetesObject>[];
  private readonly byNamespace = new Map<string, ResilientInformer<KubernetesObject>>();

  constructor(private readonly client: KubeClient, private readonly o: InformerSetOptions) {
    const nss = o.watchNamespaces.length ? o.watchNamespaces : [undefined];
    this.promotions = nss.map((ns) =>
      this.make(paths.promotions(ns), 'promotions', (obj) => {
        const p = obj as unknown as PromotionObject;
        if (p.spec?.source?.namespace) this.ensure(p.spec.source.namespace, STAGING);
        if (p.spec?.target?.namespace) this.ensure(p.spec.target.namespace, PRODUCTION);
        o.onPromotionEvent(p);
      }),
    );
  }

  async start(): Promise<void> {
    await Promise.all(this.promotions.map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.promotions, ...this.byNamespace.values()].map((i) => i.stop()));
  }

  listPromotions(): PromotionObject[] {
    return this.promotions.flatMap((i) => i.list() as unknown as PromotionObject[]);
  }

  getPromotion(namespace: string, name: string): PromotionObject | undefined {
    for (const i of this.promotions) {
      const p = i.get(name, namespace);
      if (p) return p as unknown as PromotionObject;
    }
    return undefined;
  }

  list<T>(resource: Resource, namespace: string): T[] {
    return (this.byNamespace.get(key(resource, namespace))?.list(namespace) ?? []) as unknown as T[];
  }

  /** Why the caches a Promotion needs are not usable yet, or undefined when they are. */
  notSyncedFor(p: PromotionObject): string | undefined {
    const need = [...STAGING.map((r) => key(r, p.spec.source.namespace)), ...PRODUCTION.map((r) => key(r, p.spec.target.namespace))];
    const missing = need.filter((k) => !this.byNamespace.get(k)?.hasSynced);
    return missing.length ? `waiting for caches: ${missing.join(', ')}` : undefined;
  }

  /** What of a Promotion's namespaces the API refuses to list (403/404): its own config problem (Observed.unreadable). */
  unreadableFor(p: PromotionObject): Unreadable[] {
    const need: [Resource, string][] = [...STAGING.map((r) => [r, p.spec.source.namespace] as [Resource, string]), ...PRODUCTION.map((r) => [r, p.spec.target.namespace] as [Resource, string])];
    return need.flatMap(([resource, namespace]) => {
      const refused = this.byNamespace.get(key(resource, namespace))?.refused;
      return refused ? [{ namespace, resource, code: refused.code, message: refused.message }] : [];
    });
  }

  /** For /readyz: every informer has listed at least once; one whose namespace refuses listing is a Promotion's problem, not ours. */
  notSyncedReason(): string | undefined {
    const waiting = [...this.promotions, ...this.byNamespace.values()].filter((i) => !i.hasSynced && !i.refused).map((i) => i.path);
    return waiting.length ? `informers not synced: ${waiting.join(', ')}` : undefined;
  }

  /** For /healthz: an informer silent far beyond its watchdog means the restart loop itself is stuck. */
  stuckReason(): string | undefined {
    const stuck = [...this.promotions, ...this.byNamespace.values()].filter((i) => !i.refused && i.idleMs() > this.o.watchdogMs * 3);
    return stuck.length ? `informers stuck: ${stuck.map((i) => i.path).join(', ')}` : undefined;
  }

  private ensure(namespace: string, resources: readonly Resource[]): void {
    for (const r of resources) {
      const k = key(r, namespace);
      if (this.byNamespace.has(k)) continue;
      const path = ({ deployments: paths.deployments, statefulsets: paths.statefulsets, pods: paths.pods, jobs: paths.jobs } as const)[r](namespace);
      const informer = this.make(path, r, (obj) => this.o.onObjectEvent(r, obj));
      this.byNamespace.set(k, informer);
      void informer.start();
    }
  }

  private make(path: string, resource: string, onEvent: (obj: KubernetesObject) => void): ResilientInformer<KubernetesObject> {
    return new ResilientInformer(this.client, path, {
      watchTimeoutMs: this.o.watchTimeoutMs,
      watchdogMs: this.o.watchdogMs,
      onEvent,
      onRestart: (why) => this.o.onRestart(resource, why),
      log: this.o.log,
    });
  }
}

const key = (resource: Resource, namespace: string) => `${resource}:${namespace}`;
