// Issue 11, the whole delivery loop GitOps-native, end to end with real parts: `docker push` of tag B to Debian's
// docker-registry (token auth, notifications on) -> the registry's notification reaches the operator's webhook
// (poll interval 1 h, so only the webhook explains a move) -> the ImageFollow in Git mode runs staging's migration
// Job and then makes ONE commit moving dist/staging/ to B's digest on a real git server (git http-backend) ->
// a stand-in for Argo CD (support/gitops-applier.ts: sync waves, health between waves) applies it -> staging
// verifies (soak) -> the Promotion in Git mode runs production's migration Job and commits production -> the
// applier and the operator apply it -> production runs B. Git and the cluster agree, image for image, and in both
// namespaces the migration Job had completed before any workload took B. Then a human edit in Git is drift.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Deployment, V1Job } from '@kubernetes/client-node';
import { cloneRepo, git, pushCommit, remoteHead, removeTempDirs } from '../../gitops/support.js';
import { TEST_OUTCOME_LABEL, WatchRecorder } from '../harness/index.js';
import { FOLDERS, startLoop, type Loop } from './support/delivery-loop.js';
import { APP } from './support/pipeline.js';
import { jobSucceeded, rv } from './support/scenario.js';

const allImages = (d: V1Deployment) => [
  ...d.spec!.template.spec!.containers.map((c) => c.image!),
  ...(d.spec!.template.spec!.initContainers ?? []).map((c) => c.image!),
];

describe('the delivery loop, GitOps-native (docker push -> webhook -> Git -> applier -> staging -> Git -> production)', () => {
  let loop: Loop;
  const recorders: { deployments: WatchRecorder<V1Deployment>; jobs: WatchRecorder<V1Job> }[] = [];

  beforeAll(async () => {
    loop = await startLoop('op-loop');
    for (const namespace of [loop.p.staging, loop.p.prod])
      recorders.push({
        deployments: await WatchRecorder.start<V1Deployment>(loop.p.kc, {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace,
        }),
        jobs: await WatchRecorder.start<V1Job>(loop.p.kc, { apiVersion: 'batch/v1', kind: 'Job', namespace }),
      });
  }, 240_000);

  afterAll(async () => {
    for (const r of recorders) await Promise.all([r.deployments.stop(), r.jobs.stop()]);
    await loop?.stop();
    removeTempDirs();
  });

  it('push B: staging and production move through two commits; Git and the cluster agree; migrations before images', async () => {
    const { p, registry, authedUrl, applier, op } = loop;
    const before = remoteHead(authedUrl);
    const pushed = await registry.push('ponyshop', 'sha-000000b');
    const image = `${registry.host}/ponyshop@${pushed.digest}`;

    const followed = await loop.waitFollow(
      'staging committed to B',
      (f) => f.status?.current?.digest === pushed.digest,
    );
    const done = await p.waitForPromotion(
      'production on B',
      (x) => x.status?.production?.digest === pushed.digest && !x.status.inFlight,
      240_000,
    );
    const head = remoteHead(authedUrl);
    const sync = await applier.synced(head);
    expect(sync.error).toBeUndefined();

    // The webhook made it happen (poll interval 1 h).
    expect(op.logs.some((r) => r.msg === 'webhook' && Number(r.enqueued) >= 1)).toBe(true);

    // Exactly two commits: staging's (by the ImageFollow), then production's (by the Promotion).
    const clone = cloneRepo(authedUrl);
    const commits = git(clone, ['log', '--reverse', '--format=%H%x09%s', `${before}..HEAD`])
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(commits.map(([, subject]) => subject)).toEqual([
      `Follow ${APP} to sha-000000b ${pushed.digest.slice(0, 19)}`,
      expect.stringMatching(new RegExp(`^Promote ${APP} to .*${pushed.digest.slice(0, 19)}`)),
    ]);
    const followBody = git(clone, ['log', '-1', '--format=%B', commits[0][0]]);
    expect(followBody).toContain(`ImageFollow: ${p.staging}/${APP}`);
    expect(followBody).toContain(`Image: ${image}`);
    expect(followBody).toContain('Tag: sha-000000b');
    expect(followed.status?.current?.commit).toBe(commits[0][0]);
    expect(done.status?.history?.[0]).toMatchObject({ result: 'Succeeded', commit: commits[1][0] });
    expect(git(clone, ['show', '--stat', '--format=', commits[0][0]])).not.toContain('production/');
    expect(git(clone, ['show', '--stat', '--format=', commits[1][0]])).not.toContain('staging/');

    // Git and the cluster agree: every workload image of both environments, in Git and live, is B.
    for (const folder of Object.values(FOLDERS))
      expect(loop.gitImages(folder)).toEqual({ web: image, worker: image, beat: image, migrate: image });
    for (const ns of [p.staging, p.prod]) {
      const live = (await p.apps.listNamespacedDeployment({ namespace: ns })).items;
      expect(live).toHaveLength(3);
      for (const d of live) expect(new Set(allImages(d))).toEqual(new Set([image]));
    }

    // In both namespaces: the migration Job for B (the name Git carries) completed before any workload took B.
    for (const [i, ns] of [p.staging, p.prod].entries()) {
      const { deployments, jobs } = recorders[i];
      const jobDone = jobs.events.find(
        (e) => jobSucceeded(e.object) && JSON.stringify(e.object.spec?.template.spec?.containers).includes(image),
      );
      const firstMove = deployments.events.find((e) => allImages(e.object).includes(image));
      expect(jobDone).toBeDefined();
      expect(firstMove).toBeDefined();
      expect(rv(jobDone!.object)).toBeLessThan(rv(firstMove!.object));
      const live = await p.batch.listNamespacedJob({ namespace: ns });
      expect(live.items.filter((j) => JSON.stringify(j.spec?.template.spec?.containers).includes(image))).toHaveLength(
        1,
      );
    }
  });

  it('a human commit to a managed staging image is drift: the next push is not committed over it', async () => {
    const { p, registry, authedUrl } = loop;
    const clone = cloneRepo(authedUrl);
    const web = readdirSync(join(clone, 'staging')).find((f) => f.includes('-web'))!;
    const content = readFileSync(join(clone, 'staging', web), 'utf8').replace(
      /image: \S+@sha256:[0-9a-f]+/g,
      `image: ${registry.host}/ponyshop:hotfix`,
    );
    pushCommit(authedUrl, { [`staging/${web}`]: content }, 'Hotfix staging web by hand');
    const human = remoteHead(authedUrl);
    const c = await registry.push('ponyshop', 'sha-000000c');
    const held = await loop.waitFollow(
      'GitDrift',
      (f) => f.status?.conditions?.some((x) => x.type === 'Ready' && x.reason === 'GitDrift') ?? false,
    );
    expect(held.status?.conditions?.find((x) => x.type === 'Ready')?.message).toContain(
      `web runs ${registry.host}/ponyshop:hotfix`,
    );
    await new Promise((r) => setTimeout(r, 3000));
    expect(remoteHead(authedUrl)).toBe(human);
    const jobs = await p.batch.listNamespacedJob({ namespace: p.staging });
    expect(jobs.items.some((j) => JSON.stringify(j.spec).includes(c.digest))).toBe(false);
  });

  it('drift set back by a human, then a staging migration that fails: nothing is committed, the digest is not retried', async () => {
    const { p, registry, authedUrl } = loop;
    const clone = cloneRepo(authedUrl);
    const files = readdirSync(join(clone, 'staging'));
    const web = files.find((f) => f.includes('-web'))!;
    const job = files.find((f) => f.startsWith('40-job-'))!;
    const followed = (await loop.getFollow()).status!.current!.image!;
    // The human sets web back to what the follow recorded, and breaks the migration (kwok fails this Job).
    const breakJob = readFileSync(join(clone, 'staging', job), 'utf8').replace(
      // spec.template.metadata.labels (6 spaces deep; the Job's own labels are at 2)
      /(\n {6}labels:\n)( +)/,
      `$1$2${TEST_OUTCOME_LABEL}: fail\n$2`,
    );
    expect(breakJob).toContain(`${TEST_OUTCOME_LABEL}: fail`);
    pushCommit(
      authedUrl,
      {
        [`staging/${web}`]: readFileSync(join(clone, 'staging', web), 'utf8').replaceAll(
          `${registry.host}/ponyshop:hotfix`,
          followed,
        ),
        [`staging/${job}`]: breakJob,
      },
      'Set web back; the migration now fails',
    );
    const human = remoteHead(authedUrl);
    const d = await registry.push('ponyshop', 'sha-000000d');
    const failed = await loop.waitFollow(
      'MigrationFailed',
      (f) => f.status?.failedDigests?.includes(d.digest) ?? false,
    );
    expect(failed.status?.conditions?.find((x) => x.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'MigrationFailed',
    });
    const jobs = (await p.batch.listNamespacedJob({ namespace: p.staging })).items.filter((j) =>
      JSON.stringify(j.spec).includes(d.digest),
    );
    expect(jobs).toHaveLength(1);
    expect(jobs[0].status?.failed).toBeGreaterThan(0);
    expect(remoteHead(authedUrl)).toBe(human);
    expect(loop.gitImages('staging').web).toBe(followed);
  });

  it("the ImageFollow CRD validates writeBack by the Promotion's rules (the grafted schema), naming the field", async () => {
    const { p } = loop;
    const attempt = async (writeBack: unknown) => {
      try {
        await p.custom.createNamespacedCustomObject({
          group: 'ponyexpress.dev',
          version: 'v1alpha1',
          namespace: p.staging,
          plural: 'imagefollows',
          body: {
            apiVersion: 'ponyexpress.dev/v1alpha1',
            kind: 'ImageFollow',
            metadata: { name: 'bad-writeback' },
            spec: {
              repository: 'registry.example.com/shop',
              tags: { tag: 'latest' },
              selector: { matchLabels: { a: 'b' } },
              migrationJobSelector: { matchLabels: { a: 'b' } },
              writeBack,
            },
          },
        });
        return 'accepted';
      } catch (err) {
        return String((err as { body?: string }).body ?? err);
      }
    };
    const missing = await attempt({ git: { url: 'https://git.example.com/fleet.git' } });
    expect(missing).toContain('spec.writeBack.git.path: Required value');
    expect(missing).toContain('spec.writeBack.git.secretRef: Required value');
    expect(await attempt({ git: { url: '', path: 'staging', secretRef: { name: 'x' } } })).toContain(
      'spec.writeBack.git.url: Invalid value',
    );
  });
});
