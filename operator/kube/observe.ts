// Builds the core's Observed for one Promotion from the informer caches (no API calls).
import type { JobLike, Observed, PodLike, PromotionObject, SmokeResult, WorkloadLike } from '../core/types.js';
import { LABEL } from '../core/types.js';
import type { InformerSet } from './informers.js';
import { matchesSelector } from '../core/selector.js';

export function observe(informers: InformerSet, promotion: PromotionObject, smoke: SmokeResult | undefined, now = new Date()): Observed {
  const { source, target } = promotion.spec;
  const workloads = (ns: string, selector: typeof source.selector): WorkloadLike[] => [
    // List items carry no `kind`; the core needs it to tell Deployments from StatefulSets.
    ...informers.list<WorkloadLike>('deployments', ns).filter((w) => matchesSelector(w.metadata.labels, selector)).map((w) => ({ ...w, kind: 'Deployment' as const })),
    ...informers.list<WorkloadLike>('statefulsets', ns).filter((w) => matchesSelector(w.metadata.labels, selector)).map((w) => ({ ...w, kind: 'StatefulSet' as const })),
  ];
  return {
    now,
    promotion,
    staging: {
      workloads: workloads(source.namespace, source.selector),
      pods: informers.list<PodLike>('pods', source.namespace).filter((p) => matchesSelector(p.metadata.labels, source.selector)),
      migrationJobs: informers.list<JobLike>('jobs', source.namespace).filter((j) => matchesSelector(j.metadata.labels, source.migrationJobSelector)),
    },
    production: {
      workloads: workloads(target.namespace, target.selector),
      migrationJobs: informers.list<JobLike>('jobs', target.namespace).filter(
        (j) => j.metadata.labels?.[LABEL.promotion] === promotion.metadata.name || j.metadata.labels?.[LABEL.component] === 'migrate',
      ),
    },
    ...(smoke ? { smoke } : {}),
  };
}

/** Promotion keys (namespace/name) an object in `namespace` with these labels may affect. */
export function promotionsAffectedBy(promotions: readonly PromotionObject[], namespace: string, labels: Record<string, string> | undefined): string[] {
  return promotions
    .filter((p) => {
      const { source, target } = p.spec ?? {};
      if (source?.namespace === namespace) {
        return matchesSelector(labels, source.selector ?? {}) || matchesSelector(labels, source.migrationJobSelector ?? {});
      }
      if (target?.namespace === namespace) {
        return matchesSelector(labels, target.selector ?? {}) || labels?.[LABEL.promotion] === p.metadata.name || labels?.[LABEL.component] === 'migrate';
      }
      return false;
    })
    .map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
}
