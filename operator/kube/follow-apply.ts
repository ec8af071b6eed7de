// Direct apply: the StagingMover for clusters without GitOps. Staging moves the way the charts order a
// release: the migration Job for the new image first (from the newest staging migration Job), and only
// when it has succeeded the images of web, worker and beat, by server-side apply of the image fields
// under the operator's field manager. Every step is re-derived from the cluster on each call.
import { applyConfiguration } from '../core/actions.js';
import { migrationGate, newestJob, stagingMigrationJob } from '../core/follow-job.js';
import { isAppContainer, parseImageRef } from '../core/naming.js';
import { ANNOTATION } from '../core/resource.js';
import { selectorToString } from '../core/selector.js';
import type { MoveResult, StagingMover, StagingState, StagingTarget } from '../core/staging-mover.js';
import type { ContainerLike, JobLike, SetImages, WorkloadLike } from '../core/types.js';
import { createIfAbsent, KubeError, paths, type KubeClient } from './client.js';

type Client = Pick<KubeClient, 'list' | 'create' | 'apply'>;

async function workloads(
  client: Client,
  namespace: string,
  selector: string,
): Promise<(WorkloadLike & { metadata: { name: string } })[]> {
  const [deployments, statefulsets] = await Promise.all([
    client.list<WorkloadLike & { metadata: { name: string } }>(paths.deployments(namespace), selector),
    client.list<WorkloadLike & { metadata: { name: string } }>(paths.statefulsets(namespace), selector),
  ]);
  return [
    ...deployments.items.map((w) => ({ ...w, kind: 'Deployment' as const })),
    ...statefulsets.items.map((w) => ({ ...w, kind: 'StatefulSet' as const })),
  ];
}

const appContainers = (w: WorkloadLike, repository: string): ContainerLike[] =>
  [...(w.spec?.template.spec?.containers ?? []), ...(w.spec?.template.spec?.initContainers ?? [])].filter((c) =>
    isAppContainer(c, repository),
  );

export class DirectApplyMover implements StagingMover {
  readonly mode = 'DirectApply';

  constructor(private readonly client: Client) {}

  async current(target: Pick<StagingTarget, 'follow' | 'repository' | 'selector'>): Promise<StagingState> {
    const all = await workloads(this.client, target.follow.namespace, selectorToString(target.selector));
    const images = new Set(all.flatMap((w) => appContainers(w, target.repository).map((c) => c.image ?? '')));
    if (images.size !== 1) return {};
    const image = [...images][0];
    return { image, digest: parseImageRef(image)?.digest };
  }

  async move(t: StagingTarget): Promise<MoveResult> {
    const ns = t.follow.namespace;
    try {
      const all = await workloads(this.client, ns, selectorToString(t.selector));
      if (all.length === 0)
        return {
          state: 'Failed',
          reason: 'NoStagingWorkloads',
          message: `no Deployment or StatefulSet in ${ns} matches spec.selector ${selectorToString(t.selector)}`,
          permanent: false,
        };
      const stale = all.filter((w) => appContainers(w, t.repository).some((c) => c.image !== t.image));
      if (stale.length === 0) return { state: 'Done', message: `${all.length} workload(s) run ${t.image}` };

      const jobs = (
        await this.client.list<JobLike & { metadata: { name: string } }>(
          paths.jobs(ns),
          selectorToString(t.migrationJobSelector),
        )
      ).items;
      const ours = jobs.find((j) => j.metadata.annotations?.[ANNOTATION.image] === t.image);
      if (!ours) {
        const template = newestJob(jobs);
        if (!template)
          return {
            state: 'Failed',
            reason: 'MigrationJobTemplateMissing',
            message: `no Job in ${ns} matches spec.migrationJobSelector ${selectorToString(t.migrationJobSelector)}; apply staging's chart once (it renders the migration Job the follower copies)`,
            permanent: false,
          };
        const job = stagingMigrationJob(template, {
          app: t.app,
          image: t.image,
          repository: t.repository,
          namespace: ns,
          follow: t.follow.name,
        });
        await createIfAbsent(this.client, paths.jobs(ns), job);
        return migrationGate(undefined, job.metadata.name)!;
      }
      const gate = migrationGate(ours, ours.metadata.name);
      if (gate) return gate;

      for (const w of stale) {
        const assign = (cs: ContainerLike[] | undefined) =>
          (cs ?? []).filter((c) => isAppContainer(c, t.repository)).map((c) => ({ name: c.name, image: t.image }));
        const action: SetImages = {
          type: 'SetImages',
          target: { apiVersion: 'apps/v1', kind: w.kind, namespace: ns, name: w.metadata.name },
          containers: assign(w.spec?.template.spec?.containers),
          initContainers: assign(w.spec?.template.spec?.initContainers),
          wave: 0,
          purpose: 'Promotion',
        };
        const collection = w.kind === 'Deployment' ? paths.deployments(ns) : paths.statefulsets(ns);
        await this.client.apply(`${collection}/${w.metadata.name}`, applyConfiguration(action));
      }
      return {
        state: 'Done',
        message: `migration Job ${ours.metadata.name} succeeded; images set on ${stale.map((w) => w.metadata.name).join(', ')}`,
      };
    } catch (err) {
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
