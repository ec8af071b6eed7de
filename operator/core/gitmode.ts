// Git write-back, folded into a plan (opt-in: spec.writeBack.git). The core's plan stays what it is; this
// turns it into its Git-mode form, purely:
// - the first SetImages of a promotion or rollback becomes ONE CommitToGit (all waves' images and the Job in
//   one commit). A promotion's waves start only after its migration Job succeeded, so the commit that names
//   the new image is never made before the migration: whoever applies it (Argo CD, Flux, the operator) finds
//   the Job done, and the pods' wait-for-migrations init container is a second gate;
// - once Git says the image, the SetImages run as before (the operator applies the same images Git says, so
//   Argo CD or Flux and the operator agree field for field);
// - a managed image in Git that is neither production nor the flight's image is a human's commit: drift.
//   Nothing is done (no commit over it, no patch): GitDrift conditions and one Event until Git agrees again;
// - a read or write that failed (credentials, a push still rejected after the retries): GitWriteFailed,
//   naming the Secret; no SetImages, so the cluster never runs what Git does not say.
import { canonicalJson } from '../../contract/index.js';
import { nextCondition } from './conditions.js';
import { parseImageRef } from './naming.js';
import type { Condition, ConditionType } from './resource.js';
import type { Observed, Plan, SetImages } from './types.js';

export interface GitObserved {
  /** Branch head the folder was read at ('' before the first read). */
  head: string;
  /** component → image the folder's workloads (and `migrate`, its Job) run at `head`. */
  images: Record<string, string>;
  /** The commit this operator made last, and the image it set (kept by the adapter). */
  lastCommit?: { sha: string; image: string };
  /** The last read or write failed: what, and git's words. */
  error?: { failure: 'auth' | 'rejected' | 'unreachable' | 'other'; message: string };
}

export interface CommitToGit {
  type: 'CommitToGit';
  image: string;
  tag?: string;
  purpose: 'Promotion' | 'Rollback';
  /** The migration Job that succeeded for this image (a promotion's gate). */
  migratedBy?: string;
}

export interface GitModePlan {
  plan: Plan;
  commit?: CommitToGit;
}

export function sameReference(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = parseImageRef(a);
  const y = parseImageRef(b);
  if (!x || !y) return a === b;
  if (x.repository !== y.repository) return false;
  if (x.digest && y.digest) return x.digest === y.digest;
  return x.tag !== undefined && x.tag === y.tag;
}

const WORKLOADS = new Set(['web', 'worker', 'beat']);

export function gitModePlan(observed: Observed, plan: Plan, git: GitObserved | undefined): GitModePlan {
  const config = observed.promotion.spec.writeBack?.git;
  if (!config) return { plan };
  const status = structuredClone(plan.status);
  const events = [...plan.events];
  const keep = (a: Plan['actions'][number]) => a.type !== 'SetImages';
  let actions = plan.actions;
  const previous = observed.promotion.status;
  const secret = `${observed.promotion.metadata.namespace}/${config.secretRef.name}`;
  const hold = (reason: string, message: string, type: 'Warning') => {
    const generation = observed.promotion.metadata.generation ?? 0;
    const now = observed.now.toISOString();
    const set = (t: ConditionType, s: 'True' | 'False') => {
      const before = previous?.conditions?.find((c) => c.type === t);
      const next: Condition = nextCondition(before, t, { status: s, reason, message }, generation, now);
      const list = status.conditions ?? [];
      const i = list.findIndex((c) => c.type === t);
      if (i >= 0) list[i] = next;
      else list.push(next);
      status.conditions = list;
    };
    set('Ready', 'False');
    set('Degraded', 'True');
    set('Stalled', 'True');
    const was = previous?.conditions?.find((c) => c.type === 'Degraded');
    if (was?.reason !== reason || was.message !== message) events.push({ type, reason, message });
  };

  if (!status.git && previous?.git) status.git = structuredClone(previous.git);
  const production = status.production?.image;
  const flight = status.inFlight;
  const drift = git?.error
    ? undefined
    : Object.entries(git?.images ?? {}).find(
        ([component, image]) =>
          WORKLOADS.has(component) &&
          production !== undefined &&
          !sameReference(image, production) &&
          !sameReference(image, flight?.image),
      );

  let commit: CommitToGit | undefined;
  if (!git) {
    actions = actions.filter(keep); // not read yet: nothing moves that Git does not say
  } else if (git.error) {
    actions = actions.filter(keep);
    hold(
      'GitWriteFailed',
      `Git write-back to ${config.url} (${config.branch ?? 'main'}, ${config.path}) failed: ${git.error.failure}: ${git.error.message}` +
        (git.error.failure === 'auth'
          ? `; check the credentials in Secret ${secret} (username+password or identity+known_hosts)`
          : ''),
      'Warning',
    );
  } else if (drift) {
    actions = [];
    const [component, found] = drift;
    status.git = { ...status.git, drift: { component, found, commit: git.head } };
    hold(
      'GitDrift',
      `Git (${git.head.slice(0, 12)}) says ${component} runs ${found}, not ${production}: someone else's commit changed a managed image; automation holds and will not revert it (set Git back, or promote or roll back by hand)`,
      'Warning',
    );
  } else {
    const sets = plan.actions.filter((a): a is SetImages => a.type === 'SetImages');
    const first = sets[0]?.containers[0]?.image;
    const components = Object.entries(git.images).filter(([c]) => WORKLOADS.has(c));
    const gitSays = (image: string) => components.length > 0 && components.every(([, i]) => sameReference(i, image));
    if (first && flight && !gitSays(first)) {
      actions = actions.filter(keep);
      commit = {
        type: 'CommitToGit',
        image: flight.image,
        ...(flight.tag ? { tag: flight.tag } : {}),
        purpose: sets[0].purpose,
        ...(flight.migrationJob && sets[0].purpose === 'Promotion' ? { migratedBy: flight.migrationJob } : {}),
      };
    }
    if (status.git?.drift) {
      const { drift: _, ...rest } = status.git;
      status.git = rest;
    }
    if (git.lastCommit) {
      status.git = { commit: git.lastCommit.sha, image: git.lastCommit.image };
      if (flight && sameReference(flight.image, git.lastCommit.image)) flight.commit = git.lastCommit.sha;
      const newest = status.history?.[0];
      const wasNewest = previous?.history?.[0];
      const isNew = newest && canonicalJson(newest) !== canonicalJson(wasNewest);
      if (isNew && newest.result !== 'Observed' && sameReference(newest.image, git.lastCommit.image))
        newest.commit = git.lastCommit.sha;
    }
  }
  const statusChanged = canonicalJson(status) !== canonicalJson(previous ?? {});
  return { plan: { ...plan, actions, status, statusChanged, events }, ...(commit ? { commit } : {}) };
}
