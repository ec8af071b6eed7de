// What one Promotion reads from the cluster, as sources: a kind in a namespace, narrowed by a label
// selector. Two ways to hold them (sources-namespaced.ts, sources-cluster.ts) share this vocabulary.
import { selectorToString } from '../core/selector.js';
import type { LabelSelector } from '../core/resource.js';
import type { JobLike, PodLike, PromotionObject, WorkloadLike } from '../core/types.js';
import { paths, type KubernetesObject } from './client.js';
import type { InformerOptions, ResilientInformer } from './informer.js';

/** What each kind's cache holds (list items carry no `kind`). */
export interface Objects {
  deployments: Omit<WorkloadLike, 'kind'>;
  statefulsets: Omit<WorkloadLike, 'kind'>;
  pods: PodLike;
  jobs: JobLike;
}
export type Kind = keyof Objects;
export const KINDS: readonly Kind[] = ['deployments', 'statefulsets', 'pods', 'jobs'];

/** One informer's identity: a kind in a namespace, narrowed by a label selector ('' = all). */
export interface Source<K extends Kind = Kind> {
  kind: K;
  namespace: string;
  selector: string;
  /** The same selector as an object, for routing events in memory. @default everything */
  match?: LabelSelector;
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

/** A namespace/kind the API refuses to list for one Promotion (403, 404): its config names something unreadable. */
export interface Unreadable {
  namespace: string;
  resource: Kind;
  code?: number;
  message: string;
}

const safeSelector = (s: LabelSelector | undefined) => {
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
  const at = <K extends Kind>(kind: K, namespace: string, match: LabelSelector | undefined): Source<K> => {
    const selector = safeSelector(match);
    return { kind, namespace, selector, ...(selector ? { match } : {}) };
  };
  return {
    staging: {
      deployments: at('deployments', src.namespace, src.selector),
      statefulsets: at('statefulsets', src.namespace, src.selector),
      pods: at('pods', src.namespace, src.selector),
      jobs: at('jobs', src.namespace, src.migrationJobSelector),
    },
    // The migration Jobs the operator creates carry the Promotion's label; users' may not: all Jobs.
    production: {
      deployments: at('deployments', dst.namespace, dst.selector),
      statefulsets: at('statefulsets', dst.namespace, dst.selector),
      jobs: at('jobs', dst.namespace, undefined),
    },
  };
}

export const allSources = (s: Sources): Source[] => [...Object.values(s.staging), ...Object.values(s.production)];
export const sourceKey = (s: Source) => `${s.kind}|${s.namespace}|${s.selector}`;

/** Collection paths per kind (client.ts); `undefined` = all namespaces. */
export const PATHS: Record<Kind, (ns?: string) => string> = paths;

/** The API refuses this list for good (until RBAC or the namespace changes): not an outage. */
export const refused = (err: { code?: number } | undefined) => err?.code === 403 || err?.code === 404;

/** What differs between informers; the cache adds the shared settings (gate, timeouts, metrics, log). */
export type FactoryOptions<T> = Pick<
  InformerOptions<T>,
  'labelSelector' | 'onEvent' | 'onSync' | 'onFail' | 'transform' | 'accept' | 'indexByNamespace'
>;
export type InformerFactory = <T extends KubernetesObject>(
  path: string,
  resource: string,
  o: FactoryOptions<T>,
) => ResilientInformer<T>;

/**
 * Where the objects of every Promotion's sources come from. Namespaced: one informer per source
 * key, shared by the Promotions using it. Cluster: one informer per kind for all namespaces.
 */
export interface ObjectSources {
  /** The sources one Promotion now uses ([] when it is gone); starts and stops what that needs. */
  use(promotionKey: string, sources: readonly Source[]): void;
  list<K extends Kind>(source: Source<K>): Objects[K][];
  /** Has this source's cache listed? */
  synced(source: Source): boolean;
  /** Why the API refuses this source (403, 404), else undefined. */
  refusal(source: Source): Unreadable | undefined;
  /** For /readyz: informers every Promotion shares, down or unsynced (undefined in namespaced mode). */
  notReadyReason(staleAfterMs: number, now: number): string | undefined;
  informers(): ResilientInformer<KubernetesObject>[];
  /** Informers running. */
  readonly size: number;
}
