// A tiny in-memory stand-in for the cluster: it holds plain objects, turns them into Observed, and
// carries out a Plan the way the adapter does (actions in order, then status if changed). Tests drive
// the Kubernetes controllers' part by hand (finishJob, finishRollouts) to control every interleaving.
import { reconcile } from '../../../operator/core/plan.js';
import { actionTarget } from '../../../operator/core/actions.js';
import type {
  ActionFailure,
  JobLike,
  Observed,
  Plan,
  PromotionObject,
  PromotionSpec,
  SetImages,
  SmokeResult,
  WorkloadLike,
} from '../../../operator/core/types.js';
import {
  at,
  COMPONENTS,
  deployment,
  digestOf,
  job,
  pod,
  PRODUCTION,
  promotion,
  REPO,
  setJobState,
  STAGING,
  type Component,
  type JobState,
  type PodOptions,
} from './fixtures.js';

export interface StagingOptions {
  /** Pods report digests in imageID (default true); false models kwok. */
  digests?: boolean;
  readySince?: number;
  migration?: JobState | 'none';
  pods?: Partial<PodOptions>;
}

export interface WorldOptions {
  staging?: string;
  production?: string;
  spec?: Partial<PromotionSpec>;
  annotations?: Record<string, string>;
  stagingOptions?: StagingOptions;
}

export class World {
  seconds = 1000;
  promotion: PromotionObject;
  staging = {
    workloads: [] as WorkloadLike[],
    pods: [] as Observed['staging']['pods'],
    migrationJobs: [] as JobLike[],
  };
  production = { workloads: [] as WorkloadLike[], migrationJobs: [] as JobLike[] };
  smoke?: SmokeResult;
  /** Every action executed, in order: `job <name>`, `set <component> <image>`, `smoke <url>`. */
  timeline: string[] = [];
  statusWrites = 0;
  /** Ordering rules broken while applying plans; must stay empty. */
  violations: string[] = [];
  /** The API refuses these writes (`create jobs`, `patch deployments`, …), like a Role without the verb. */
  refuse = new Map<string, { code: number; reason: string; message: string }>();
  /** The adapter's memory of the last refused action (as the controller keeps it). */
  failure?: ActionFailure;
  /** Staging namespaces the adapter could not list (a typo, or no Role there). */
  unreadable?: Observed['unreadable'];

  constructor(o: WorldOptions = {}) {
    this.promotion = promotion({ spec: o.spec, annotations: o.annotations });
    this.setStaging(o.staging ?? 'A', { readySince: 0, ...o.stagingOptions });
    this.production.workloads = COMPONENTS.map((c) => deployment(PRODUCTION, c, `${REPO}:${o.production ?? 'A'}`));
  }

  /** Staging fully rolled out on `tag`, pods Ready since readySince (seconds), its migration Job in `migration`. */
  setStaging(tag: string, o: StagingOptions = {}): void {
    const image = `${REPO}:${tag}`;
    const digest = o.digests === false ? undefined : digestOf(tag);
    this.staging.workloads = COMPONENTS.map((c) => deployment(STAGING, c, image));
    this.staging.pods = COMPONENTS.flatMap((c) =>
      Array.from({ length: c === 'web' ? 2 : 1 }, (_, index) =>
        pod(c, image, { digest, readySince: o.readySince ?? this.seconds, index, ...o.pods }),
      ),
    );
    const migration = o.migration ?? 'Succeeded';
    this.staging.migrationJobs =
      migration === 'none' ? [] : [job(`ponyshop-migrate-${tag.toLowerCase()}`, STAGING, image, migration)];
  }

  get now(): Date {
    return at(this.seconds);
  }

  tick(seconds: number): void {
    this.seconds += seconds;
  }

  annotate(key: string, value: string | undefined): void {
    const annotations = { ...this.promotion.metadata.annotations };
    if (value === undefined) delete annotations[key];
    else annotations[key] = value;
    this.promotion.metadata.annotations = annotations;
  }

  observe(): Observed {
    return structuredClone({
      now: this.now,
      promotion: this.promotion,
      staging: this.staging,
      production: this.production,
      ...(this.smoke ? { smoke: this.smoke } : {}),
      ...(this.failure ? { failure: this.failure } : {}),
      ...(this.unreadable ? { unreadable: this.unreadable } : {}),
    });
  }

  /** The adapter's part of a refused write: remember it, write nothing else of this plan (see docs/operator-core.md). */
  private refused(plan: Plan): boolean {
    for (const action of plan.actions) {
      const target = actionTarget(action);
      const refusal = target && this.refuse.get(`${target.verb} ${target.resource}`);
      if (target && refusal) {
        const same = this.failure && this.failure.key === target.key;
        this.failure = {
          ...target,
          ...refusal,
          attempts: same ? this.failure!.attempts + 1 : 1,
          failedAt: this.now.toISOString(),
        };
        this.timeline.push(`refused ${target.key}`);
        return true;
      }
      if (target) this.apply({ ...plan, actions: [action], statusChanged: false });
    }
    return false;
  }

  /** Like the adapter: actions in order (only the first `actions` if given), then the status unless writeStatus is false. */
  apply(plan: Plan, o: { writeStatus?: boolean; actions?: number } = {}): void {
    for (const action of plan.actions.slice(0, o.actions ?? plan.actions.length)) {
      if (action.type === 'CreateMigrationJob') {
        const exists = this.production.migrationJobs.some((j) => j.metadata.name === action.job.metadata.name);
        if (!exists)
          this.production.migrationJobs.push(
            job(
              action.job.metadata.name,
              PRODUCTION,
              action.job.metadata.annotations['ponyexpress.dev/image'],
              'Running',
              PRODUCTION,
            ),
          );
        this.timeline.push(`job ${action.job.metadata.name}`);
      } else if (action.type === 'SetImages') {
        this.checkOrdering(action);
        const w = this.production.workloads.find((x) => x.metadata.name === action.target.name)!;
        const spec = w.spec!.template.spec!;
        for (const a of action.containers) spec.containers.find((c) => c.name === a.name)!.image = a.image;
        for (const a of action.initContainers) spec.initContainers!.find((c) => c.name === a.name)!.image = a.image;
        w.metadata.generation = (w.metadata.generation ?? 1) + 1;
        w.status = {
          ...w.status,
          updatedReplicas: 0,
          ...(w.kind === 'StatefulSet' ? { updateRevision: `r${w.metadata.generation}` } : {}),
        };
        this.timeline.push(`set ${w.metadata.labels!['app.kubernetes.io/component']} ${a(action.containers)}`);
      } else if (action.type === 'CheckSmoke') {
        this.timeline.push(`smoke ${action.url}`);
      } else {
        this.timeline.push(`resolve ${action.image}`);
      }
    }
    if (o.writeStatus !== false && plan.statusChanged) {
      this.promotion = { ...this.promotion, status: structuredClone(plan.status) };
      this.statusWrites++;
    }
  }

  /**
   * The safety rules, checked at the moment a workload's image is set: a promotion's image only after its
   * prod migration Job succeeded; beat only after every other workload runs the image with a complete rollout.
   */
  private checkOrdering(action: SetImages): void {
    const image = action.containers[0]?.image;
    if (action.purpose === 'Promotion') {
      const migrated = this.production.migrationJobs.some(
        (j) => j.metadata.name && j.status?.succeeded && j.spec?.template.spec?.containers[0]?.image === image,
      );
      if (!migrated) this.violations.push(`${action.target.name} set to ${image} before its migration succeeded`);
    }
    if (action.target.name !== 'ponyshop-beat') return;
    for (const w of this.production.workloads.filter((x) => x.metadata.name !== 'ponyshop-beat')) {
      const runs = w.spec!.template.spec!.containers[0].image === image;
      const done =
        w.status?.observedGeneration === w.metadata.generation && w.status?.updatedReplicas === w.spec!.replicas;
      if (!runs || !done) this.violations.push(`beat set to ${image} while ${w.metadata.name} was not complete`);
    }
  }

  reconcile(o: { writeStatus?: boolean; actions?: number } = {}, replanned = false): Plan {
    const plan = reconcile(this.observe());
    if (this.refuse.size > 0 && o.actions === undefined) {
      // The controller re-plans at once with the failure (once: a plan refused again waits for its backoff).
      if (this.refused(plan)) return replanned ? plan : this.reconcile(o, true);
      const degraded = plan.status.conditions?.find((c) => c.type === 'Degraded');
      if (plan.actions.some((a) => actionTarget(a)) || degraded?.reason !== 'ActionFailed') this.failure = undefined;
      this.apply({ ...plan, actions: plan.actions.filter((a) => !actionTarget(a)) }, o);
      return plan;
    }
    this.apply(plan, o);
    return plan;
  }

  prodJob(): JobLike | undefined {
    return this.production.migrationJobs.at(-1);
  }

  finishJob(state: JobState = 'Succeeded'): void {
    setJobState(this.prodJob()!, state);
  }

  /** The Deployment controller finishing every pending production rollout (or only these components). */
  finishRollouts(components: Component[] = COMPONENTS): void {
    for (const w of this.production.workloads) {
      if (!components.includes(w.metadata.labels!['app.kubernetes.io/component'] as Component)) continue;
      const replicas = w.spec!.replicas ?? 1;
      w.status = {
        ...w.status,
        observedGeneration: w.metadata.generation,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        replicas,
      };
      if (w.kind === 'StatefulSet') w.status.currentRevision = w.status.updateRevision;
    }
  }

  stall(component: Component): void {
    const w = this.production.workloads.find((x) => x.metadata.labels!['app.kubernetes.io/component'] === component)!;
    w.status = {
      ...w.status,
      observedGeneration: w.metadata.generation,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "x" has timed out progressing.',
        },
      ],
    };
  }

  prodImage(component: Component): string {
    return this.production.workloads.find((w) => w.metadata.labels!['app.kubernetes.io/component'] === component)!.spec!
      .template.spec!.containers[0].image!;
  }

  /** Reconcile, letting Jobs succeed and rollouts finish, until nothing changes. Returns the last plan. */
  settle(maxSteps = 20): Plan {
    for (let i = 0; i < maxSteps; i++) {
      const pending = this.finishPending();
      const plan = this.reconcile();
      if (!pending && plan.actions.length === 0 && !plan.statusChanged) return plan;
    }
    throw new Error('did not settle');
  }

  /** Lets every running prod Job succeed and every rollout finish; true if there was any. */
  finishPending(): boolean {
    const job = this.prodJob();
    const running = !!job?.status?.active;
    if (running) this.finishJob('Succeeded');
    const rolling = this.production.workloads.some(
      (w) => (w.status?.observedGeneration ?? 0) < (w.metadata.generation ?? 0),
    );
    this.finishRollouts();
    return running || rolling;
  }
}

function a(assignments: { image: string }[]): string {
  return assignments[0]?.image ?? '';
}

/**
 * Production settled on A (and recorded), then staging rolled to B `soaked` seconds ago (default 300,
 * a full soak). Spec patches, annotations and staging options apply before staging moves.
 */
export function worldWithB(
  o: {
    spec?: Partial<PromotionSpec>;
    annotations?: Record<string, string>;
    stagingOptions?: StagingOptions;
    soaked?: number;
  } = {},
): World {
  const world = new World({ staging: 'A', production: 'A' });
  world.settle();
  world.promotion.spec = { ...world.promotion.spec, ...o.spec };
  for (const [key, value] of Object.entries(o.annotations ?? {})) world.annotate(key, value);
  world.setStaging('B', { readySince: world.seconds - (o.soaked ?? 300), ...o.stagingOptions });
  return world;
}

/** A Promotion that took production from A to B, settled. */
export function promotedB(o: Parameters<typeof worldWithB>[0] = {}): World {
  const world = worldWithB(o);
  world.settle();
  if (world.promotion.status?.production?.tag !== 'B') throw new Error('B was not promoted');
  return world;
}

export function condition(plan: Plan, type: string) {
  return plan.status.conditions?.find((c) => c.type === type);
}

/** Reasons of the events of several plans, in order. */
export function reasons(plans: Plan[]): string[] {
  return plans.flatMap((p) => p.events.map((e) => e.reason));
}
