// The contract's order, checked per pipeline from cluster-wide watch recordings of a fleet's
// production namespaces: the production migration Job completes before any image changes, beat
// moves only after web and worker rolled out, never two beat pods, one Job per image. Returns
// what was broken (empty when all held), with the revisions that show it.
import type { KubeConfig, KubernetesObject, V1Deployment, V1Job, V1Pod } from '@kubernetes/client-node';
import { rolloutComplete, WatchRecorder } from '../../harness/index.js';
import { component, imageOf, jobSucceeded, runsTag } from './scenario.js';

export interface FleetTimeline {
  deployments: WatchRecorder<V1Deployment>;
  jobs: WatchRecorder<V1Job>;
  beats: WatchRecorder<V1Pod>;
  stop(): Promise<void>;
}

/** Records every production Deployment, migration Job and beat pod of the fleet (the app's labels). */
export async function recordFleet(kc: KubeConfig): Promise<FleetTimeline> {
  const [deployments, jobs, beats] = await Promise.all([
    WatchRecorder.start<V1Deployment>(kc, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      labelSelector: 'app.kubernetes.io/instance=ponyshop-production',
    }),
    WatchRecorder.start<V1Job>(kc, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      labelSelector: 'app.kubernetes.io/component=migrate',
    }),
    WatchRecorder.start<V1Pod>(kc, {
      apiVersion: 'v1',
      kind: 'Pod',
      labelSelector: 'app.kubernetes.io/instance=ponyshop-production,app.kubernetes.io/component=beat',
    }),
  ]);
  return {
    deployments,
    jobs,
    beats,
    stop: async () => void (await Promise.all([deployments.stop(), jobs.stop(), beats.stop()])),
  };
}

/** What broke the order in production namespace `prod` while it moved to `tag` ([] = nothing). */
export function orderViolations(t: FleetTimeline, prod: string, tag: string): string[] {
  const isTag = runsTag(tag);
  const inNs = <T extends { metadata?: { namespace?: string } }>(o: T) => o.metadata?.namespace === prod;
  // Across recorders, events are ordered by resourceVersion (the etcd revision).
  const firstRev = <T extends KubernetesObject>(rec: WatchRecorder<T>, pred: (o: T) => boolean): bigint | undefined => {
    const hit = rec.events.find((e) => e.type !== 'DELETED' && inNs(e.object) && pred(e.object));
    return hit ? BigInt(hit.object.metadata!.resourceVersion!) : undefined;
  };
  const jobImage = (j: V1Job) => j.spec?.template.spec?.containers[0]?.image ?? '';
  const migrated = firstRev(t.jobs, (j) => isTag(jobImage(j)) && jobSucceeded(j));
  const firstChange = firstRev(t.deployments, (d) => isTag(imageOf(d)));
  const changed = (c: string) => firstRev(t.deployments, (d) => component(d) === c && isTag(imageOf(d)));
  const rolledOut = (c: string) =>
    firstRev(t.deployments, (d) => component(d) === c && isTag(imageOf(d)) && rolloutComplete(d));
  const story = {
    migrated,
    firstChange,
    beat: changed('beat'),
    webDone: rolledOut('web'),
    workerDone: rolledOut('worker'),
  };
  const shown = `${prod}: ${JSON.stringify(story, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`;
  const problems: string[] = [];
  if (migrated === undefined || firstChange === undefined || migrated >= firstChange)
    problems.push(`migration Job not complete before the first image change, ${shown}`);
  const { beat, webDone, workerDone } = story;
  if (beat === undefined || webDone === undefined || workerDone === undefined || beat <= webDone || beat <= workerDone)
    problems.push(`beat not moved after web and worker rolled out, ${shown}`);
  const beats = t.beats.maxLive((pod: V1Pod) => inNs(pod) && component(pod) === 'beat');
  if (beats !== 1) problems.push(`${prod}: ${beats} beat pods at once, expected 1`);
  const jobs = t.jobs.current().filter((j: V1Job) => inNs(j) && isTag(jobImage(j))).length;
  if (jobs !== 1) problems.push(`${prod}: ${jobs} migration Jobs for ${tag}, expected 1`);
  return problems;
}
