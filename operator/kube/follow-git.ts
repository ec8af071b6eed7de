// Git mode: the StagingMover for GitOps users. Staging moves by ONE commit to its rendered folder
// (spec.writeBack.git), made only after the staging migration Job for the new image succeeded in the cluster
// (the same rule as a production promotion in Git mode, docs/gitops.md); Argo CD or Flux then applies it and
// finds that Job done. Every call re-derives progress from Git (the folder at the branch head) and the cluster
// (the Job by its deterministic name), so a crash or a repeated reconcile never commits twice.
import { planStagingCommit, STAGING_COMPONENTS, stagingCommitEdit } from '../core/follow-git.js';
import { FOLLOW_MOVE_RECHECK_MS, type GitWriteBackSpec } from '../core/follow-types.js';
import { managedImages } from '../core/gitops-files.js';
import { parseImageRef } from '../core/naming.js';
import { selectorToString } from '../core/selector.js';
import type { MoveResult, StagingMover, StagingState, StagingTarget } from '../core/staging-mover.js';
import type { JobLike } from '../core/types.js';
import { migrationGate } from '../core/follow-job.js';
import { GitClient, GitWriteError } from '../io/git.js';
import { DEFAULT_AUTHOR, gitLocation, readGitCredentials, type SecretReader } from './gitops.js';
import { createIfAbsent, KubeError, paths, type KubeClient } from './client.js';

export interface GitStagingMoverOptions {
  client: Pick<KubeClient, 'list' | 'create'>;
  secrets: SecretReader;
  git?: GitClient;
}

const where = (c: GitWriteBackSpec) => `${c.url} (${c.branch ?? 'main'}, ${c.path || '/'})`;

export class GitStagingMover implements StagingMover {
  readonly mode = 'Git';
  readonly git: GitClient;

  constructor(private readonly o: GitStagingMoverOptions) {
    this.git = o.git ?? new GitClient();
  }

  /** What Git says staging runs; {} when the folder's workloads disagree or Git cannot be read (move says why). */
  async current(t: Pick<StagingTarget, 'follow' | 'repository' | 'selector' | 'git'>): Promise<StagingState> {
    if (!t.git) return {};
    try {
      const creds = await readGitCredentials(this.o.secrets, t.follow.namespace, t.git);
      const { files } = await this.git.read(gitLocation(t.git), creds);
      const images = managedImages(files, STAGING_COMPONENTS);
      const found = new Set(STAGING_COMPONENTS.flatMap((c) => (images[c] ? [images[c]] : [])));
      if (found.size !== 1) return {};
      const image = [...found][0];
      return { image, digest: parseImageRef(image)?.digest };
    } catch {
      return {};
    }
  }

  async move(t: StagingTarget): Promise<MoveResult> {
    const config = t.git;
    if (!config)
      return {
        state: 'Failed',
        reason: 'InvalidSpec',
        message: 'Git mode without spec.writeBack.git',
        permanent: false,
      };
    const ns = t.follow.namespace;
    try {
      const creds = await readGitCredentials(this.o.secrets, ns, config);
      const at = gitLocation(config);
      const snapshot = await this.git.read(at, creds);
      const decision = planStagingCommit(snapshot.files, t, t.expected, where(config));
      if (decision.kind === 'upToDate')
        return {
          state: 'Done',
          message: `Git (${snapshot.head.slice(0, 12)}) already says ${t.image}`,
          revision: snapshot.head,
        };
      if (decision.kind === 'drift')
        return {
          state: 'Failed',
          reason: 'GitDrift',
          message: `${where(config)} at ${snapshot.head.slice(0, 12)}: ${decision.message}`,
          permanent: false,
        };
      if (decision.kind === 'noJob')
        return { state: 'Failed', reason: 'MigrationJobTemplateMissing', message: decision.message, permanent: false };

      // The gate: the committed Job, run in the cluster first; Git names the image only once it succeeded.
      const name = decision.job.metadata.name;
      const jobs = (
        await this.o.client.list<JobLike & { metadata: { name: string } }>(
          paths.jobs(ns),
          selectorToString(t.migrationJobSelector),
        )
      ).items;
      const job = jobs.find((j) => j.metadata.name === name);
      if (!job) await createIfAbsent(this.o.client, paths.jobs(ns), decision.job);
      const gate = migrationGate(job, name, {
        created: ' (as committed next); Git is written once it succeeded',
        failed: '; nothing was committed',
      });
      if (gate) return gate;

      const result = await this.git.commit(
        at,
        creds,
        { ...DEFAULT_AUTHOR, ...config.author },
        stagingCommitEdit(t, t.expected, where(config), name),
      );
      if (!result.committed)
        return {
          state: 'InProgress',
          reason: 'Committing',
          message: `${where(config)} changed while committing; deciding again on ${result.sha.slice(0, 12)}`,
          retryAfterMs: FOLLOW_MOVE_RECHECK_MS,
        };
      return {
        state: 'Done',
        message: `migration Job ${name} succeeded; committed ${result.sha.slice(0, 12)} to ${where(config)}${result.attempts > 1 ? ` (after ${result.attempts} attempts)` : ''}`,
        revision: result.sha,
      };
    } catch (err) {
      if (err instanceof GitWriteError)
        return {
          state: 'Failed',
          reason: 'GitWriteFailed',
          message: `Git write-back to ${where(config)} failed: ${err.failure}: ${err.message}${err.failure === 'auth' ? `; check Secret ${ns}/${config.secretRef.name} (username+password or identity+known_hosts)` : ''}`,
          permanent: false,
        };
      if (err instanceof KubeError)
        return {
          state: 'Failed',
          reason: 'ActionFailed',
          message: `${err.reason} (${err.code}): ${err.message}`,
          permanent: false,
        };
      throw err;
    }
  }
}
