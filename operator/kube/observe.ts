// Builds the core's Observed for one Promotion from the cache (no API calls).
import { matchesSelector } from '../core/selector.js';
import type { Observed, PromotionObject, SmokeResult, WorkloadLike } from '../core/types.js';
import { LABEL } from '../core/types.js';
import type { CacheReader } from './cache.js';
import { sourcesOf, type Objects } from './sources.js';

export function observe(
  cache: Pick<CacheReader, 'list'>,
  promotion: PromotionObject,
  smoke: SmokeResult | undefined,
  now = new Date(),
): Observed {
  const { source, target } = promotion.spec;
  const s = sourcesOf(promotion);
  // The informers already filter server-side; the core's selector semantics are applied again
  // so that what it sees never depends on how the cache was narrowed.
  const workloads = (
    d: Objects['deployments'][],
    sts: Objects['statefulsets'][],
    selector: typeof source.selector,
  ): WorkloadLike[] => [
    // List items carry no `kind`; the core needs it to tell Deployments from StatefulSets.
    ...d
      .filter((w) => matchesSelector(w.metadata.labels, selector))
      .map((w) => ({ ...w, kind: 'Deployment' as const })),
    ...sts
      .filter((w) => matchesSelector(w.metadata.labels, selector))
      .map((w) => ({ ...w, kind: 'StatefulSet' as const })),
  ];
  return {
    now,
    promotion,
    staging: {
      workloads: workloads(cache.list(s.staging.deployments), cache.list(s.staging.statefulsets), source.selector),
      pods: cache.list(s.staging.pods).filter((p) => matchesSelector(p.metadata.labels, source.selector)),
      migrationJobs: cache
        .list(s.staging.jobs)
        .filter((j) => matchesSelector(j.metadata.labels, source.migrationJobSelector)),
    },
    production: {
      workloads: workloads(
        cache.list(s.production.deployments),
        cache.list(s.production.statefulsets),
        target.selector,
      ),
      migrationJobs: cache
        .list(s.production.jobs)
        .filter(
          (j) =>
            j.metadata.labels?.[LABEL.promotion] === promotion.metadata.name ||
            j.metadata.labels?.[LABEL.component] === 'migrate',
        ),
    },
    ...(smoke ? { smoke } : {}),
  };
}
