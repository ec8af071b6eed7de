// A real promotion on a real kind cluster (set up by global-setup.ts: both environments on FIRST_TAG, the
// operator in-cluster from its image under its chart's RBAC, every image pulled from a local registry).
// The bad releases come first, so production must stay on FIRST_TAG through both; then the good one, whose
// whole production timeline is recorded by watches and checked at every moment.
import {
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Deployment,
  type V1Job,
  type V1Pod,
} from '@kubernetes/client-node';
import { WatchRecorder } from '../cluster/harness/watch-recorder.js';
import { BROKEN_MIGRATION_MESSAGE, CRASH_MESSAGE } from './bad-images.js';
import {
  APP_IMAGE,
  BROKEN_MIGRATION_TAG,
  CRASHING_TAG,
  NEXT_TAG,
  PRODUCTION_NS,
  SOAK_SECONDS,
  STAGING_NS,
  run,
} from './kind-env.js';
import {
  component,
  condition,
  digestOf,
  imageOf,
  isReady,
  kindKubeConfig,
  podDigests,
  readPromotion,
  registryDigest,
  seconds,
  waitFor,
} from './support.js';

/** The app's objects only (production's Redis and PostgreSQL stand-ins share the namespace). */
const APP_PODS = 'app.kubernetes.io/name=ponyshop';
let kc: KubeConfig;
let deployments: WatchRecorder<V1Deployment>;
let jobs: WatchRecorder<V1Job>;
let pods: WatchRecorder<V1Pod>;
let firstImages: Map<string, string>;

const promotionState = async () => {
  const p = await readPromotion(kc);
  return `Promotion status: ${JSON.stringify({ phase: p.status?.phase, staging: p.status?.staging, production: p.status?.production, inFlight: p.status?.inFlight?.phase, conditions: p.status?.conditions?.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`) }, null, 1)}`;
};

/** Production's Deployments never changed image, and the operator created no Job there (so far). */
function expectProductionUntouched(): void {
  const changed = deployments.events.filter((e) => imageOf(e.object) !== firstImages.get(e.object.metadata!.name!));
  expect(changed.map((e) => `${e.object.metadata?.name} -> ${imageOf(e.object)}`)).toEqual([]);
  expect(jobs.events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata?.name)).toEqual([]);
}

/** Holds for a whole soak window plus a margin, checking that staging is never verified and production never moves. */
async function holdNotPromoted(tag: string): Promise<void> {
  const until = Date.now() + (SOAK_SECONDS + 15) * 1000;
  while (Date.now() < until) {
    const p = await readPromotion(kc);
    expect({ tag: p.status?.staging?.tag, verified: p.status?.staging?.verified }).not.toEqual({ tag, verified: true });
    expectProductionUntouched();
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function podLogs(namespace: string, selector: string, container?: string): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const list = await core.listNamespacedPod({ namespace, labelSelector: selector });
  const logs = await Promise.all(
    list.items.map((p) =>
      core
        .readNamespacedPodLog({ name: p.metadata!.name!, namespace, container, previous: false })
        .catch(() =>
          core.readNamespacedPodLog({ name: p.metadata!.name!, namespace, container, previous: true }).catch(() => ''),
        ),
    ),
  );
  return logs.join('\n');
}

beforeAll(async () => {
  kc = kindKubeConfig();
  [deployments, jobs, pods] = await Promise.all([
    WatchRecorder.start<V1Deployment>(kc, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: PRODUCTION_NS,
      labelSelector: APP_PODS,
    }),
    WatchRecorder.start<V1Job>(kc, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      namespace: PRODUCTION_NS,
      labelSelector: APP_PODS,
    }),
    WatchRecorder.start<V1Pod>(kc, {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: PRODUCTION_NS,
      labelSelector: APP_PODS,
    }),
  ]);
  firstImages = new Map(deployments.initial.map((d) => [d.metadata!.name!, imageOf(d)]));
});

afterAll(async () => {
  await Promise.all([deployments?.stop(), jobs?.stop(), pods?.stop()]);
});

describe('kind: a real promotion with real pods', () => {
  it('a staging image whose migration fails is never promoted', async () => {
    run('kind/stage.sh', [BROKEN_MIGRATION_TAG]);
    // Staging's real migrate Job runs the broken migration against the real database and fails (backoffLimit
    // exhausted); web's new pods wait on the migrations gate, so staging's rollout never completes either.
    const failed = await waitFor(
      `staging's migrate Job of ${BROKEN_MIGRATION_TAG} to fail`,
      async () =>
        (await kc.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: STAGING_NS })).items.find(
          (j) =>
            j.spec?.template.spec?.containers.some((c) => c.image?.endsWith(`:${BROKEN_MIGRATION_TAG}`)) &&
            j.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True'),
        ),
      300_000,
      promotionState,
    );
    // It failed for the reason built into the image.
    expect(await podLogs(STAGING_NS, `job-name=${failed.metadata!.name!}`)).toContain(BROKEN_MIGRATION_MESSAGE);
    await holdNotPromoted(BROKEN_MIGRATION_TAG);
    const p = await readPromotion(kc);
    expect(condition(p, 'StagingVerified')?.status).toBe('False');
    process.stderr.write(
      `[kind] broken migration ${BROKEN_MIGRATION_TAG}: StagingVerified=False ${condition(p, 'StagingVerified')?.reason}: ${condition(p, 'StagingVerified')?.message}\n`,
    );
  }, 600_000);

  it('an image that crashes at start never passes staging soak', async () => {
    run('kind/stage.sh', [CRASHING_TAG]);
    // Its migration passes (only gunicorn is broken); web's new pods then crash again and again.
    await waitFor(
      `staging web pods of ${CRASHING_TAG} to have crashed at least twice`,
      async () => {
        const list = await kc
          .makeApiClient(CoreV1Api)
          .listNamespacedPod({ namespace: STAGING_NS, labelSelector: 'app.kubernetes.io/component=web' });
        return list.items.some(
          (pod) =>
            pod.spec?.containers[0]?.image?.endsWith(`:${CRASHING_TAG}`) &&
            (pod.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2,
        )
          ? true
          : undefined;
      },
      300_000,
      promotionState,
    );
    expect(await podLogs(STAGING_NS, 'app.kubernetes.io/component=web', 'web')).toContain(CRASH_MESSAGE);
    await holdNotPromoted(CRASHING_TAG);
    // The crash loop is named as such (a problem reason, written at the normal interval), not as the
    // rollout it holds back (RolloutIncomplete, progress that is written only after 5 minutes).
    const p = await waitFor(
      'StagingVerified to name the crashing web container',
      async () => {
        const promotion = await readPromotion(kc);
        return condition(promotion, 'StagingVerified')?.reason === 'PodsCrashing' ? promotion : undefined;
      },
      120_000,
      promotionState,
    );
    expect(p.status?.staging?.tag === CRASHING_TAG && p.status.staging.verified).toBe(false);
    expect(condition(p, 'StagingVerified')).toMatchObject({
      status: 'False',
      message: expect.stringMatching(/container web restarted \d+ times?/),
    });
    process.stderr.write(
      `[kind] crashing ${CRASHING_TAG}: ${condition(p, 'StagingVerified')?.reason}: ${condition(p, 'StagingVerified')?.message}\n`,
    );
  }, 600_000);

  it('promotes staging digest to production: migration first, web never short, one beat pod', async () => {
    const desiredWeb = deployments.current().find((d) => component(d) === 'web')?.spec?.replicas ?? 0;
    const applied = Date.now();
    run('kind/stage.sh', [NEXT_TAG]);
    const done = await waitFor(
      `production to be promoted to ${NEXT_TAG}`,
      async () => {
        const p = await readPromotion(kc);
        return p.status?.production?.tag === NEXT_TAG && p.status.phase === 'Succeeded' && !p.status.inFlight
          ? p
          : undefined;
      },
      600_000,
      promotionState,
    );
    const promotedAt = Date.now();
    // Every production rollout finished (the last Deployment state in the timeline).
    await waitFor(
      'production rollouts to finish',
      async () =>
        deployments
          .current()
          .every(
            (d) =>
              (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
              d.status?.updatedReplicas === d.spec?.replicas &&
              d.status?.availableReplicas === d.spec?.replicas,
          ) || undefined,
      300_000,
    );

    // The digest: the registry's for NEXT_TAG, what staging's pods report as imageID, and what production runs.
    const digest = registryDigest(APP_IMAGE, NEXT_TAG);
    const stagingDigests = [...new Set((await podDigests(kc, STAGING_NS, 'web')).map(digestOf))];
    expect(stagingDigests).toEqual([digest]);
    expect(done.status?.production?.digest).toBe(digest);
    for (const d of deployments.current()) expect(imageOf(d)).toBe(`${APP_IMAGE}@${digest}`);
    for (const c of ['web', 'worker', 'beat']) {
      const ids = await podDigests(kc, PRODUCTION_NS, c);
      expect({ component: c, digests: [...new Set(ids.map(digestOf))] }).toEqual({ component: c, digests: [digest] });
    }

    // The timeline. The production migration Job (the one the operator created) completed before any image changed.
    const created = jobs.events.find((e) => e.type === 'ADDED');
    const migrated = jobs.events.find(
      (e) =>
        e.object.metadata?.name === created?.object.metadata?.name &&
        e.object.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'),
    );
    const moved = (c?: string) =>
      deployments.events.find((e) => (!c || component(e.object) === c) && imageOf(e.object).includes(digest));
    const rolledOut = (c: string) =>
      deployments.events.find(
        (e) =>
          component(e.object) === c &&
          imageOf(e.object).includes(digest) &&
          (e.object.status?.observedGeneration ?? 0) >= (e.object.metadata?.generation ?? 1) &&
          e.object.status?.updatedReplicas === e.object.spec?.replicas &&
          e.object.status?.availableReplicas === e.object.spec?.replicas &&
          e.object.status?.replicas === e.object.spec?.replicas,
      );
    const story = deployments.describe((d) => `${d.metadata?.name}:${imageOf(d).slice(-12)}`);
    expect(created).toBeDefined();
    expect(migrated).toBeDefined();
    expect(moved()).toBeDefined();
    expect({ migratedBeforeAnyImageChange: migrated!.at <= moved()!.at, story }).toMatchObject({
      migratedBeforeAnyImageChange: true,
    });
    // Migration Job ⇒ web + worker ⇒ beat, by the apiserver's own order (resourceVersion).
    const rv = (e?: { object: { metadata?: { resourceVersion?: string } } }) =>
      BigInt(e?.object.metadata?.resourceVersion ?? '0');
    expect(rv(migrated) < rv(moved())).toBe(true);
    expect(rv(moved('beat')) > rv(rolledOut('web')) && rv(moved('beat')) > rv(rolledOut('worker'))).toBe(true);
    // At every moment: web had at least its desired number of Ready (not terminating) pods, and never two beat pods.
    expect(desiredWeb).toBeGreaterThan(0);
    // Web's count is checked over the promotion (from staging's release of NEXT_TAG on); the failure names the
    // moment and why each web pod was not counted (a probe timing out on a loaded machine shows up here too).
    const during = pods.events.filter((e) => e.at >= applied);
    const readyWeb = (live: V1Pod[]) => live.filter((pod) => component(pod) === 'web' && isReady(pod));
    const worst = during.reduce<(typeof during)[number] | undefined>(
      (min, e) => (!min || readyWeb(e.live).length < readyWeb(min.live).length ? e : min),
      undefined,
    );
    const why = (live: V1Pod[]) =>
      live
        .filter((pod) => component(pod) === 'web')
        .map(
          (pod) =>
            `${pod.metadata?.name}${pod.metadata?.deletionTimestamp ? ' (terminating)' : ''}: ${pod.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '?'} ${pod.status?.containerStatuses?.[0]?.image ?? ''}`,
        )
        .join('; ');
    const minReadyWeb = worst ? readyWeb(worst.live).length : desiredWeb;
    expect({
      neverShort: minReadyWeb >= desiredWeb,
      minReadyWeb,
      desiredWeb,
      at: worst ? `+${seconds(worst.at - applied)} after the release: ${why(worst.live)}` : '',
    }).toMatchObject({ neverShort: true });
    // Two beat *processes* would double every schedule. A pod whose containers have all stopped is in a terminal
    // phase (the kubelet sets Succeeded/Failed before the object is deleted, and Recreate may start the new pod
    // then), so it no longer counts; on failure the beat pods' timeline says which two overlapped.
    const runningBeat = (pod: V1Pod) =>
      component(pod) === 'beat' && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
    const beatLine = (pod: V1Pod) =>
      component(pod) === 'beat'
        ? `${pod.metadata?.name} ${pod.status?.phase}${pod.metadata?.deletionTimestamp ? ' (terminating)' : ''}`
        : '-';
    expect({ maxRunningBeat: pods.maxLive(runningBeat), timeline: pods.describe(beatLine) }).toMatchObject({
      maxRunningBeat: 1,
    });

    // The phases of the real promotion (times from the watch events and the poll that saw Succeeded).
    const phases = [
      ['verify: staging rollout + soak', applied, created!.at],
      ['migrate: production Job', created!.at, migrated!.at],
      ['web + worker', moved()!.at, Math.max(rolledOut('web')!.at, rolledOut('worker')!.at)],
      ['beat', moved('beat')!.at, rolledOut('beat')!.at],
      ['verified -> Succeeded seen', created!.at, promotedAt],
      ['total: staging applied -> Succeeded', applied, promotedAt],
    ] as const;
    process.stderr.write(
      `[kind] promotion of ${NEXT_TAG} (${digest.slice(0, 19)}…, soakSeconds ${SOAK_SECONDS}):\n${phases
        .map(([name, from, to]) => `  ${name.padEnd(36)} ${seconds(to - from)}`)
        .join('\n')}\n`,
    );
  }, 900_000);
});
