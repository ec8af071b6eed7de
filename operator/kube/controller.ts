// One reconcile of one Promotion key: caches -> Observed -> core reconcile() -> execute.
// Keeps two small bits of memory the caches cannot: the last smoke result per Promotion and the
// Promotion as our own status write returned it (the watch may deliver it a moment later, and
// planning from the older status would repeat a step).
import { onlyProgressDiffers } from '../core/conditions.js';
import { reconcile } from '../core/plan.js';
import type { ActionFailure, DigestResolution, Phase, PromotionObject, SmokeResult } from '../core/types.js';
import type { ControllerMetrics, Logger } from '../telemetry.js';
import type { CacheReader } from './cache.js';
import { realClock, type Clock } from './clock.js';
import { executePlan, LostLeadership, type ExecuteContext } from './execute.js';
import type { GitWriteBack } from './gitops.js';
import { observe } from './observe.js';
import { newerThan, OwnWrites } from './own-writes.js';
import type { ReconcileOutcome } from './queue.js';

/**
 * A staging candidate's progress in new words (core/conditions.ts PROGRESS_REASONS) is written once status
 * has been behind this many statusMinIntervals (5 min by default): the first write already said
 * "not verified yet, and why"; a problem reason is written at the normal interval.
 */
export const PROGRESS_INTERVALS = 10;

/** What the work queue drives: one reconcile of one key (controller-runtime's Reconciler). */
export interface Reconciler {
  reconcile(key: string): Promise<ReconcileOutcome | void>;
}

export interface ControllerOptions {
  cache: CacheReader;
  exec: ExecuteContext;
  metrics: ControllerMetrics;
  log: Logger;
  /** Status may lag observations (no step, no transition) by at most this long per Promotion. @default 0 */
  statusMinIntervalMs?: number;
  /** Resolve tag-only candidates to registry digests (PONYEXPRESS_RESOLVE_DIGESTS). @default false */
  resolveDigests?: boolean;
  /** @default the real clock */
  clock?: Clock;
  /** Git write-back for Promotions with spec.writeBack.git. @default none (such Promotions move nothing) */
  gitWriteBack?: GitWriteBack;
}

export class PromotionController implements Reconciler {
  private readonly smoke = new Map<string, SmokeResult>();
  private readonly resolution = new Map<string, DigestResolution>();
  private readonly written = new Map<string, PromotionObject>();
  private readonly ownWrites = new OwnWrites();
  /** The last write the API refused per Promotion (Observed.failure), until one succeeds or the plan drops it. */
  private readonly failures = new Map<string, ActionFailure>();
  private readonly phaseSince = new Map<string, { phase: Phase; sinceMs: number }>();
  /** Since when status has differed from the cluster only by observations not yet written (see reconcile). */
  private readonly behindSinceMs = new Map<string, number>();

  private readonly cache: CacheReader;
  private readonly exec: ExecuteContext;
  private readonly metrics: ControllerMetrics;
  private readonly log: Logger;
  private readonly statusMinIntervalMs: number;
  private readonly resolveDigests: boolean;
  private readonly clock: Clock;
  private readonly gitWriteBack?: GitWriteBack;

  constructor(o: ControllerOptions) {
    ({ cache: this.cache, exec: this.exec, metrics: this.metrics, log: this.log } = o);
    this.statusMinIntervalMs = o.statusMinIntervalMs ?? 0;
    this.resolveDigests = o.resolveDigests ?? false;
    this.clock = o.clock ?? realClock;
    this.gitWriteBack = o.gitWriteBack;
  }

  async reconcile(key: string): Promise<ReconcileOutcome | void> {
    const [namespace, name] = key.split('/') as [string, string];
    const promotion = this.current(key, this.cache.getPromotion(namespace, name));
    if (!promotion) {
      this.forget(key);
      return;
    }
    // A namespace the Promotion names but the operator cannot list is this Promotion's problem (a condition),
    // not a reason to wait: its informer retries with backoff and its next list wakes this key.
    const unreadable = this.cache.unreadableFor(promotion);
    const waiting = this.cache.notSyncedFor(promotion);
    if (waiting) {
      // The cache enqueues this key again as soon as every source has listed.
      this.log.debug(waiting, { promotion: key });
      return { requeueAfterMs: 30_000 };
    }
    const failure = this.failures.get(key);
    // Our own image patches count before the cache has caught up with them (own-writes.ts).
    const cache: Pick<CacheReader, 'list'> = {
      list: (source) => this.ownWrites.overlay(key, source, this.cache.list(source)),
    };
    const observed = {
      ...observe(cache, promotion, this.smoke.get(key), new Date(this.clock.now())),
      ...(failure ? { failure } : {}),
      ...(unreadable.length ? { unreadable } : {}),
    };
    const resolution = this.resolution.get(key);
    const input = this.resolveDigests
      ? { ...observed, resolveDigests: true, ...(resolution ? { resolution } : {}) }
      : observed;
    const planned = reconcile(input);
    // Git mode (spec.writeBack.git): the images move by one commit first (core/gitmode.ts).
    const plan = this.gitWriteBack ? await this.gitWriteBack.adjust(key, input, planned) : planned;
    // Pure observation churn (staging rolling, rollout counters) is coalesced: written once status has
    // been behind the cluster for statusMinInterval, so states shorter than that cost no write (the next
    // reconcile recomputes them anyway). Steps, phase changes and Events are written at once.
    // A spec edit (new generation) is answered at once too: kstatus readers wait for observedGeneration.
    const observationOnly =
      plan.statusChanged &&
      plan.actions.length === 0 &&
      plan.events.length === 0 &&
      plan.status.observedGeneration === promotion.status?.observedGeneration;
    if (!plan.statusChanged) this.behindSinceMs.delete(key);
    if (observationOnly && this.statusMinIntervalMs > 0) {
      const since = this.behindSinceMs.get(key) ?? this.clock.now();
      this.behindSinceMs.set(key, since);
      // Progress in other words (rolling out -> pods not ready -> soaking) waits PROGRESS_INTERVALS times longer.
      const interval =
        this.statusMinIntervalMs * (onlyProgressDiffers(promotion.status, plan.status) ? PROGRESS_INTERVALS : 1);
      const wait = since + interval - this.clock.now();
      if (wait > 0) return { requeueAfterMs: Math.min(wait, (plan.requeueAfterSeconds ?? Infinity) * 1000) };
    }
    if (plan.actions.length || plan.statusChanged || plan.events.length) {
      this.log.info('reconcile', {
        promotion: key,
        phase: plan.status.phase,
        actions: plan.actions.map((a) => a.type),
        statusChanged: plan.statusChanged,
        events: plan.events.map((e) => e.reason),
      });
    }
    try {
      const result = await executePlan(
        { ...this.exec, log: this.exec.log.with({ promotion: key }) },
        promotion,
        plan,
        resolution,
        failure,
      );
      if (result.failure) {
        this.failures.set(key, result.failure);
        this.metrics.reconciles.inc({ outcome: 'error' });
        // Re-plan at once with the refusal: the core reports it and holds the retry back until its backoff ends.
        return { requeueAfterMs: 0 };
      }
      const degraded = plan.status.conditions?.find((c) => c.type === 'Degraded');
      if (result.wrote || degraded?.reason !== 'ActionFailed') this.failures.delete(key);
      for (const a of result.applied ?? []) this.ownWrites.note(key, a.kind, a.object);
      if (result.written) {
        this.written.set(key, result.written);
        this.behindSinceMs.delete(key);
      }
      this.recordTransitions(key, promotion, plan.status.phase, plan.status.history?.[0]);
      this.metrics.reconciles.inc({ outcome: 'ok' });
      if (result.resolution) this.resolution.set(key, result.resolution);
      if (result.smoke) this.smoke.set(key, result.smoke);
      if (result.smoke || result.resolution) return { requeueAfterMs: 0 };
    } catch (err) {
      if (err instanceof LostLeadership) {
        // Not a failure: the next leader (maybe us again) reconciles this key from scratch.
        this.metrics.writesSkippedNotLeader.inc();
        // Not at once: until the elector notices (and pauses the queue) that would spin.
        this.log.info('write skipped: leadership lapsed', { promotion: key });
        return { requeueAfterMs: 1000 };
      }
      this.metrics.reconciles.inc({ outcome: 'error' });
      this.metrics.reconcileErrors.inc();
      throw err;
    }
    return plan.requeueAfterSeconds !== undefined ? { requeueAfterMs: plan.requeueAfterSeconds * 1000 } : undefined;
  }

  forget(key: string): void {
    this.smoke.delete(key);
    this.resolution.delete(key);
    this.written.delete(key);
    this.ownWrites.forget(key);
    this.failures.delete(key);
    this.phaseSince.delete(key);
    this.behindSinceMs.delete(key);
    this.gitWriteBack?.forget(key);
  }

  /** The newer of the cached Promotion and the one our last status write returned. */
  private current(key: string, cached: PromotionObject | undefined): PromotionObject | undefined {
    const mine = this.written.get(key);
    if (!cached || !mine) return cached;
    const rv = (p: PromotionObject) => (p.metadata as { resourceVersion?: string }).resourceVersion;
    if (newerThan(rv(mine), rv(cached))) return mine;
    this.written.delete(key);
    return cached;
  }

  private recordTransitions(
    key: string,
    before: PromotionObject,
    phase: Phase | undefined,
    newest: { result: string; startedAt: string; finishedAt: string } | undefined,
  ): void {
    const prev = before.status?.history?.[0];
    const isNew = newest && (!prev || prev.startedAt !== newest.startedAt || prev.finishedAt !== newest.finishedAt);
    // 'Observed' records what production ran when first seen; it is not a promotion.
    if (isNew && newest.result !== 'Observed') {
      this.metrics.promotions.inc({ result: newest.result });
    }
    if (!phase) return;
    const seen = this.phaseSince.get(key);
    if (!seen) this.phaseSince.set(key, { phase, sinceMs: this.clock.now() });
    else if (seen.phase !== phase) {
      this.metrics.phaseDuration.observe((this.clock.now() - seen.sinceMs) / 1000, { phase: seen.phase });
      this.phaseSince.set(key, { phase, sinceMs: this.clock.now() });
    }
  }
}
