// Carries out a Plan: actions in order, one wave's image patches together (the first failure stops
// the plan, and the next reconcile re-derives what is left), then status (only when changed), then Events
// (recorded: the recorder sends them, and the reconcile does not wait for them).
// Every write first checks the leader fence, so a replica that lost its Lease stops at once.
import { actionTarget, applyConfiguration } from '../core/actions.js';
import type {
  Action,
  ActionFailure,
  DigestResolution,
  Plan,
  PromotionObject,
  PromotionStatus,
  SmokeResult,
} from '../core/types.js';
import { FIELD_MANAGER, PROMOTION_GROUP, PROMOTION_KIND, PROMOTION_PLURAL, PROMOTION_VERSION } from '../core/types.js';
import type { Logger } from '../telemetry.js';
import { KubeError, paths, type KubeClient, type KubernetesObject } from './client.js';
import type { EventSink } from './events.js';
import type { Priority } from './transport.js';
import { PROJECT, slim } from './project.js';
import { resolveDigest, type RegistryOptions } from '../io/registry.js';
import { checkSmoke } from '../io/smoke.js';

export class LostLeadership extends Error {
  constructor() {
    super('not the leader any more; dropping the rest of the plan');
    this.name = 'LostLeadership';
  }
}

/** The writes the executor makes (a fake in unit tests). */
export type ApiWriter = Pick<KubeClient, 'create' | 'apply' | 'request'>;

export interface ExecuteContext {
  client: ApiWriter;
  isLeader: () => boolean;
  /** Where the plan's Events go (events.ts's EventRecorder). */
  events: EventSink;
  smokeTimeoutMs: number;
  /** Registry access for ResolveDigest (anonymous). @default https only, except loopback; 10 s timeout */
  registry?: RegistryOptions;
  log: Logger;
}

export interface ExecuteResult {
  /** A smoke check ran: reconcile again now, so the plan sees its result. */
  smoke?: SmokeResult;
  /** A digest lookup ran (successful or not): reconcile again now, so the plan sees its result. */
  resolution?: DigestResolution;
  /** The Promotion as the apiserver returned it after the status write. */
  written?: PromotionObject;
  /**
   * A write the API refused. The rest of the plan (its status and events assumed the write) was dropped:
   * reconcile again now with Observed.failure set, and the core reports it and backs the retry off.
   */
  failure?: ActionFailure;
  /** At least one write action succeeded (an earlier failure of it is over). */
  wrote?: boolean;
  /** The workloads as the apiserver returned them after our image patches, trimmed as the cache keeps them. */
  applied?: { kind: 'deployments' | 'statefulsets'; object: KubernetesObject }[];
}

type ActionResult = { smoke?: SmokeResult; applied?: NonNullable<ExecuteResult['applied']>[number] };

/** A promotion in flight's writes go out ahead of other requests when the client rate limit queues. */
const AHEAD: Priority = { ahead: true };

/** `previousResolution`: the last ResolveDigest result for this Promotion (counts consecutive failures). */
export async function executePlan(
  ctx: ExecuteContext,
  promotion: PromotionObject,
  plan: Plan,
  previousResolution?: DigestResolution,
  previousFailure?: ActionFailure,
): Promise<ExecuteResult> {
  const result: ExecuteResult = {};
  // A promotion in flight (a step now, or one taken before and not yet finished) goes ahead as a whole:
  // its status write and Events too, since its next step waits for this reconcile to end (at 500
  // promotions, a Job that finished in 6 s waited 6 s more for its reconcile's status write).
  const inFlight = !!promotion.status?.inFlight || plan.actions.some((a) => actionTarget(a));
  const priority = inFlight ? AHEAD : {};
  for (const batch of batches(plan.actions)) {
    const [first] = batch;
    if (first.type === 'ResolveDigest') {
      result.resolution = await resolveDigest(first, ctx.registry ?? {}, previousResolution);
      const { digest, error, attempts } = result.resolution;
      if (digest) ctx.log.info('resolved digest', { image: first.image, digest });
      else ctx.log.warn('could not resolve digest', { image: first.image, error, attempts });
      continue;
    }
    const settled = await Promise.allSettled(batch.map((action) => executeAction(ctx, action as WriteAction)));
    settled.forEach((s, i) => {
      if (s.status !== 'fulfilled') return;
      if (s.value.smoke) result.smoke = s.value.smoke;
      if (s.value.applied) (result.applied ??= []).push(s.value.applied);
      if (actionTarget(batch[i])) result.wrote = true;
    });
    const i = settled.findIndex((s) => s.status === 'rejected');
    if (i < 0) continue;
    const err = (settled[i] as PromiseRejectedResult).reason as unknown;
    const target = actionTarget(batch[i]);
    if (!(err instanceof KubeError) || !target) throw err;
    const same = previousFailure?.key === target.key;
    result.failure = {
      ...target,
      code: err.code,
      reason: err.reason || 'Unknown',
      message: err.message.split('\n')[0],
      attempts: same ? previousFailure.attempts + 1 : 1,
      failedAt: new Date().toISOString(),
    };
    ctx.log.warn('write refused', {
      action: target.key,
      code: err.code,
      reason: err.reason,
      attempts: result.failure.attempts,
    });
    return result;
  }
  if (plan.statusChanged) result.written = await writeStatus(ctx, promotion, plan.status, priority);
  // Only the leader records them; they are sent in the background (best effort, as status has the state).
  if (plan.events.length) fence(ctx);
  for (const event of plan.events) ctx.events.record(promotion, event, priority);
  return result;
}

type WriteAction = Exclude<Action, { type: 'ResolveDigest' }>;

/**
 * The plan's actions in order, one at a time, except that one wave's SetImages go out together: its
 * workloads move as one, in no order (under load each patch was a round trip of up to a second).
 */
function batches(actions: readonly Action[]): Action[][] {
  const out: Action[][] = [];
  for (const a of actions) {
    const last = out.at(-1);
    const prev = last?.[0];
    if (a.type === 'SetImages' && prev?.type === 'SetImages' && prev.wave === a.wave) last!.push(a);
    else out.push([a]);
  }
  return out;
}

function fence(ctx: ExecuteContext): void {
  if (!ctx.isLeader()) throw new LostLeadership();
}

async function executeAction(ctx: ExecuteContext, action: WriteAction): Promise<ActionResult> {
  switch (action.type) {
    case 'CreateMigrationJob': {
      fence(ctx);
      const { job } = action;
      try {
        await ctx.client.create(paths.jobs(job.metadata.namespace), job, AHEAD);
        ctx.log.info('created migration job', { job: job.metadata.name, namespace: job.metadata.namespace });
      } catch (err) {
        // The name is derived from image + template, so an existing Job is this very step, done before.
        if (!(err instanceof KubeError && err.code === 409)) throw err;
        ctx.log.info('migration job already exists', { job: job.metadata.name });
      }
      return {};
    }
    case 'SetImages': {
      fence(ctx);
      const { target } = action;
      const collection =
        target.kind === 'Deployment' ? paths.deployments(target.namespace) : paths.statefulsets(target.namespace);
      const answer = await ctx.client.apply<KubernetesObject | undefined>(
        `${collection}/${target.name}`,
        applyConfiguration(action),
        AHEAD,
      );
      ctx.log.info('set images', {
        workload: `${target.kind}/${target.name}`,
        wave: action.wave,
        purpose: action.purpose,
        images: action.containers.map((c) => c.image),
      });
      const kind = target.kind === 'Deployment' ? 'deployments' : 'statefulsets';
      return answer?.metadata ? { applied: { kind, object: PROJECT[kind](answer as never) } } : {};
    }
    case 'CheckSmoke':
      return { smoke: await checkSmoke(action, ctx.smokeTimeoutMs) };
  }
}

async function writeStatus(
  ctx: ExecuteContext,
  p: PromotionObject,
  status: PromotionStatus,
  priority: Priority,
): Promise<PromotionObject> {
  fence(ctx);
  // A full update of the status subresource, guarded by resourceVersion: the operator is the only
  // writer of status, and a 409 (our cache was stale) just re-runs the reconcile on fresh data.
  // Not server-side apply: the apiserver cannot build SSA's typed object for a Promotion whose
  // spec.target.migrationJobTemplate holds fields the CRD leaves schemaless ("field not declared
  // in schema"), and a status update must never fail on what the user put in the spec.
  const body = {
    apiVersion: `${PROMOTION_GROUP}/${PROMOTION_VERSION}`,
    kind: PROMOTION_KIND,
    metadata: {
      name: p.metadata.name,
      namespace: p.metadata.namespace,
      resourceVersion: (p.metadata as { resourceVersion?: string }).resourceVersion,
    },
    spec: p.spec,
    status,
  };
  const path = `/apis/${PROMOTION_GROUP}/${PROMOTION_VERSION}/namespaces/${p.metadata.namespace}/${PROMOTION_PLURAL}/${p.metadata.name}/status`;
  // Kept by the controller until its cache catches up: without managedFields, as the cache keeps it.
  const written = await ctx.client.request<PromotionObject>('PUT', path, {
    body,
    query: { fieldManager: FIELD_MANAGER },
    ...priority,
  });
  return written && slim(written);
}
