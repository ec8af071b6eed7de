// Staging moves through Git, the decision (pure): given staging's rendered folder at the branch head, the
// followed image and what this follow last recorded, either Git already says it, or a human changed a managed
// image (drift: never written over), or the ONE commit to make: web, worker, beat and the migration Job,
// rewritten with synth's naming and hashing (gitops-files.ts). The Job in that commit is the Job the
// operator runs in the cluster first, byte for byte, so whoever applies the commit finds it done.
import { PROMOTION_DEFAULTS } from '../../contract/index.js';
import { readManifest, type Files } from './gitops-files.js';
import type { StagingTarget } from './staging-mover.js';
import type { JobManifest } from './types.js';
import { commitMessage, decideWriteBack, type WriteBackInput } from './writeback.js';

/** The workload components a staging folder carries (the promotion waves' components, in order). */
export const STAGING_COMPONENTS: readonly string[] = PROMOTION_DEFAULTS.waves.flat();

export type StagingCommit =
  | { kind: 'upToDate' }
  | { kind: 'drift'; component: string; found: string; message: string }
  /** The folder renders no migration Job: nothing to gate on, so nothing is committed. */
  | { kind: 'noJob'; message: string }
  | { kind: 'commit'; changes: Record<string, string | null>; message: string; job: JobManifest };

export function planStagingCommit(
  files: Files,
  target: Pick<StagingTarget, 'follow' | 'app' | 'repository' | 'tag' | 'image'>,
  /** What this follow last recorded (status.current.image): Git may say only this or the target. */
  expected: string | undefined,
  folder: string,
): StagingCommit {
  const input: WriteBackInput = {
    by: { kind: 'ImageFollow', name: `${target.follow.namespace}/${target.follow.name}` },
    app: target.app,
    repository: target.repository,
    components: STAGING_COMPONENTS,
    image: target.image,
    tag: target.tag,
    purpose: 'Follow',
    ...(expected ? { expected } : {}),
  };
  const decision = decideWriteBack(files, input);
  if (decision.kind !== 'commit') return decision;
  const job = Object.values(decision.changes)
    .map((content) => (content === null ? undefined : readManifest(content)?.object))
    .find((o) => o?.kind === 'Job') as JobManifest | undefined;
  if (!job || !decision.jobName)
    return {
      kind: 'noJob',
      message: `${folder} has no migration Job (kind Job, label app.kubernetes.io/component=migrate) for ${target.app}; staging's chart renders one, and Git mode commits an image only after its migration ran: publish dist/<staging>/ there`,
    };
  job.metadata = { ...job.metadata, namespace: target.follow.namespace };
  return {
    kind: 'commit',
    changes: decision.changes,
    message: commitMessage({ ...input, migratedBy: decision.jobName }, decision.jobName),
    job,
  };
}

/**
 * The commit's edit, re-run by the git client on every head it lands on (a rejected push is fetched and decided
 * again): a human's image meanwhile is drift and a Job that would differ from the one that ran (`jobName`) is not
 * committed under its name; both give nothing to commit.
 */
export function stagingCommitEdit(
  target: Parameters<typeof planStagingCommit>[1],
  expected: string | undefined,
  folder: string,
  jobName: string,
): (head: { files: Files }) => { changes: Record<string, string | null>; message: string } | undefined {
  return (head) => {
    const again = planStagingCommit(head.files, target, expected, folder);
    return again.kind === 'commit' && again.job.metadata.name === jobName
      ? { changes: again.changes, message: again.message }
      : undefined;
  };
}
