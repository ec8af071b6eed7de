// Shared set-up of an operator scenario: an isolated pipeline, the operator process(es) acting
// as the chart's ServiceAccount, and watch recorders on production for the timeline asserts.
import { WatchRecorder } from '../../harness/index.js';
import type { KubernetesObject, V1Deployment, V1Job, V1Pod } from '@kubernetes/client-node';
import { OperatorProcess } from './operator-process.js';
import { Pipeline, REPO } from './pipeline.js';

export interface ProdTimeline {
  deployments: WatchRecorder<V1Deployment>;
  jobs: WatchRecorder<V1Job>;
  pods: WatchRecorder<V1Pod>;
  stop(): Promise<void>;
}

export async function recordProduction(p: Pipeline): Promise<ProdTimeline> {
  const [deployments, jobs, pods] = await Promise.all([
    WatchRecorder.start<V1Deployment>(p.kc, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: p.prod }),
    WatchRecorder.start<V1Job>(p.kc, { apiVersion: 'batch/v1', kind: 'Job', namespace: p.prod }),
    WatchRecorder.start<V1Pod>(p.kc, { apiVersion: 'v1', kind: 'Pod', namespace: p.prod }),
  ]);
  return {
    deployments,
    jobs,
    pods,
    stop: async () => void (await Promise.all([deployments.stop(), jobs.stop(), pods.stop()])),
  };
}

/** resourceVersion as a number: etcd revisions order events across kinds. */
export const rv = (o: KubernetesObject) => BigInt(o.metadata?.resourceVersion ?? '0');

export const imageOf = (d: V1Deployment) => d.spec?.template.spec?.containers[0]?.image ?? '';
export const runsTag = (tag: string) => (image: string) => image === `${REPO}:${tag}` || image.endsWith(`:${tag}`);

/** The first recorded revision at which `pred` held for an event's object, or undefined. */
export function firstRevision<T extends KubernetesObject>(
  rec: WatchRecorder<T>,
  pred: (o: T) => boolean,
): bigint | undefined {
  const hit = rec.events.find((e) => e.type !== 'DELETED' && pred(e.object));
  return hit ? rv(hit.object) : undefined;
}

export const component = (o: KubernetesObject) => o.metadata?.labels?.['app.kubernetes.io/component'];
export const jobSucceeded = (j: V1Job) =>
  Boolean(j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'));

export async function startOperator(
  p: Pipeline,
  identity: string,
  env: Record<string, string> = {},
  entry: 'ts' | 'js' = 'ts',
): Promise<OperatorProcess> {
  const op = new OperatorProcess({
    kubeconfig: await p.operatorKubeconfig(),
    namespace: p.system,
    watchNamespaces: [p.prod],
    identity,
    env,
    entry,
  });
  await op.start();
  return op;
}

export interface ScenarioOptions {
  setUp?: Parameters<Pipeline['setUp']>[1];
  /** Wait until the operator has recorded production's tag a1, then record production. @default true */
  record?: boolean;
  /** Extra operator settings. @default none */
  env?: Record<string, string>;
}

/**
 * Registers beforeAll/afterAll for one scenario: pipeline on a1, one operator process, and
 * (by default) the production timeline. Further operators pushed to `ops` are stopped too.
 */
export function operatorScenario(prefix: string, options: ScenarioOptions = {}) {
  const s = {
    p: new Pipeline(prefix),
    ops: [] as OperatorProcess[],
    timeline: undefined as unknown as ProdTimeline,
    get op(): OperatorProcess {
      return s.ops[0];
    },
  };
  beforeAll(async () => {
    await s.p.setUp('a1', options.setUp);
    s.ops.push(await startOperator(s.p, `${prefix}-0`, options.env));
    if (options.record ?? true) {
      await s.p.waitForPromotion('production recorded as a1', (x) => x.status?.production?.tag === 'a1');
      s.timeline = await recordProduction(s.p);
    }
  });
  afterAll(async () => {
    await s.timeline?.stop();
    for (const op of s.ops) await op.stop();
  });
  return s;
}
