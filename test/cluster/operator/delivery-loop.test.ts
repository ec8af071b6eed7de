// Issue 11, the whole delivery loop GitOps-native, end to end with real parts: `docker push` of tag B to Debian's
// docker-registry (token auth, notifications on) -> the registry's notification reaches the operator's webhook
// (poll interval 1 h, so only the webhook explains a move) -> the ImageFollow in Git mode runs staging's migration
// Job and then makes ONE commit moving dist/staging/ to B's digest on a real git server (git http-backend) ->
// a stand-in for Argo CD (support/gitops-applier.ts: sync waves, health between waves) applies it -> staging
// verifies (soak) -> the Promotion in Git mode runs production's migration Job and commits production -> the
// applier and the operator apply it -> production runs B. Git and the cluster agree, image for image, and in both
// namespaces the migration Job had completed before any workload took B. Then a human edit in Git is drift.
import { App } from 'cdk8s';
import type { V1Deployment, V1Job } from '@kubernetes/client-node';
import { migrationJobName, toYaml } from '../../../contract/index.js';
import { operatorSettingsSchema } from '../../../charts/config/operator-schema.js';
import { SYNC_WAVE_ANNOTATION } from '../../../charts/ordering.js';
import { OperatorChart } from '../../../charts/operator/operator-chart.js';
import type { ImageFollowObject } from '../../../operator/core/follow-types.js';
import { jobSpecFor } from '../../../operator/core/migration.js';
import { managedImages } from '../../../operator/core/gitops-files.js';
import { GitHttpServer } from '../../gitops/git-http-server.js';
import { cloneRepo, git, pushCommit, remoteHead, removeTempDirs } from '../../gitops/support.js';
import { freePort, startTokenRegistry, type TokenRegistry } from '../../operator/io/token-registry.js';
import { type ManifestObject, waitUntil, WatchRecorder } from '../harness/index.js';
import { GitOpsApplier } from './support/gitops-applier.js';
import type { OperatorProcess } from './support/operator-process.js';
import { APP, labels, Pipeline } from './support/pipeline.js';
import { jobSucceeded, rv, startOperator } from './support/scenario.js';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WEBHOOK_SECRET = 'delivery-loop-webhook-secret-42';
const REGCRED = 'regcred';
const GIT_SECRET = 'fleet-git';
const server = new GitHttpServer('fleet-bot', 'fleet-token');
const authed = (url: string) => url.replace('http://', 'http://fleet-bot:fleet-token@');
const ENVS = [
  { env: 'staging', folder: 'staging' },
  { env: 'production', folder: 'production' },
] as const;

/** One operator for the pipeline, with the chart's Roles: follow (regcred + the Git Secret) and production Git. */
class LoopPipeline extends Pipeline {
  override operatorManifests(): ManifestObject[] {
    const chart = new OperatorChart(new App(), this.prefix, {
      settings: operatorSettingsSchema.parse({ namespace: this.system }),
      pipelines: [
        {
          app: APP,
          stagingNamespace: this.staging,
          productionNamespace: this.prod,
          gitSecret: GIT_SECRET,
          follow: { secretName: REGCRED, gitSecret: GIT_SECRET },
        },
      ],
    });
    const wanted = new Set(['CustomResourceDefinition', 'Namespace', 'ServiceAccount', 'Role', 'RoleBinding']);
    return (chart.toJson() as ManifestObject[]).filter((o) => wanted.has(o.kind!));
  }

  /** An environment's folder as publish:gitops writes dist/<env>/: the migration Job (wave -1) and the workloads. */
  folder(env: 'staging' | 'production', tag: string): Record<string, string> {
    const ns = env === 'staging' ? this.staging : this.prod;
    const image = `${this.repo}:${tag}`;
    const spec = jobSpecFor(this.jobSpec(env, image, false), image, this.repo);
    const name = migrationJobName(APP, image, spec);
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: ns,
        labels: labels(env, 'migrate'),
        annotations: { [SYNC_WAVE_ANNOTATION]: '-1', 'ponyexpress.dev/image': image },
      },
      spec,
    };
    const files: Record<string, string> = { [`40-job-${name}.yaml`]: `# ${env}\n${toYaml(job)}` };
    for (const d of this.workloads(ns, env, tag))
      files[`50-deployment-${d.metadata!.name}.yaml`] = `# ${env}\n${toYaml(d)}`;
    return files;
  }
}

const allImages = (d: V1Deployment) => [
  ...d.spec!.template.spec!.containers.map((c) => c.image!),
  ...(d.spec!.template.spec!.initContainers ?? []).map((c) => c.image!),
];
const complete = (j: V1Job) => jobSucceeded(j);

describe('the delivery loop, GitOps-native (docker push -> webhook -> Git -> applier -> staging -> Git -> production)', () => {
  let registry: TokenRegistry;
  let p: LoopPipeline;
  let op: OperatorProcess | undefined;
  let applier: GitOpsApplier;
  let url = '';
  const recorders: { deployments: WatchRecorder<V1Deployment>; jobs: WatchRecorder<V1Job> }[] = [];

  const getFollow = async () =>
    (await p.custom.getNamespacedCustomObject({
      group: 'ponyexpress.dev',
      version: 'v1alpha1',
      namespace: p.staging,
      plural: 'imagefollows',
      name: APP,
    })) as ImageFollowObject;
  const waitFollow = async (what: string, check: (f: ImageFollowObject) => boolean, timeoutMs = 120_000) => {
    let last: ImageFollowObject | undefined;
    await waitUntil(async () => check((last = await getFollow())), { what, timeoutMs, intervalMs: 250 }).catch(
      (err: Error) => {
        throw new Error(`${err.message}; last status: ${JSON.stringify(last?.status ?? {}).slice(0, 1500)}`);
      },
    );
    return last!;
  };
  /** component file -> every app image in it, at the branch head. */
  const gitImages = (folder: string) => {
    const dir = cloneRepo(authed(url));
    const files = Object.fromEntries(
      readdirSync(join(dir, folder))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => [f, readFileSync(join(dir, folder, f), 'utf8')]),
    );
    return managedImages(files, ['web', 'worker', 'beat']);
  };

  beforeAll(async () => {
    const webhookPort = await freePort();
    registry = await startTokenRegistry({
      notify: { url: `http://127.0.0.1:${webhookPort}/hooks/registry`, bearer: WEBHOOK_SECRET },
    });
    await server.start();
    url = server.createRepo('fleet');
    p = new LoopPipeline('op-loop', `${registry.host}/ponyshop`);
    await p.setUp('a1', { soakSeconds: 2 });

    // The GitOps repository as publish:gitops leaves it: staging/ and production/ on a1.
    const files: Record<string, string> = {};
    for (const { env, folder } of ENVS)
      for (const [name, content] of Object.entries(p.folder(env, 'a1'))) files[`${folder}/${name}`] = content;
    pushCommit(authed(url), files, 'Publish staging and production on a1');

    const auths = JSON.parse(registry.dockerConfigJson).auths;
    await p.core.createNamespacedSecret({
      namespace: p.staging,
      body: {
        metadata: { name: REGCRED },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') },
      },
    });
    for (const namespace of [p.staging, p.prod])
      await p.core.createNamespacedSecret({
        namespace,
        body: { metadata: { name: GIT_SECRET }, stringData: { username: 'fleet-bot', password: 'fleet-token' } },
      });

    // The applier (Argo CD's part) syncs both folders from the branch head, from now on.
    applier = new GitOpsApplier({ kc: p.kc, url: authed(url), folders: ENVS.map((e) => e.folder) });
    applier.start();
    const first = await applier.synced(remoteHead(authed(url)));
    expect(first.error).toBeUndefined();

    await p.patchSpec({
      writeBack: { git: { url, path: 'production', secretRef: { name: GIT_SECRET } } },
    });
    for (const namespace of [p.staging, p.prod])
      recorders.push({
        deployments: await WatchRecorder.start<V1Deployment>(p.kc, {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace,
        }),
        jobs: await WatchRecorder.start<V1Job>(p.kc, { apiVersion: 'batch/v1', kind: 'Job', namespace }),
      });

    const secretFile = join(mkdtempSync(join(tmpdir(), 'op-loop-')), 'secret');
    writeFileSync(secretFile, WEBHOOK_SECRET, { mode: 0o600 });
    op = await startOperator(p, 'op-loop-0', {
      PONYEXPRESS_FOLLOW_NAMESPACES: p.staging,
      PONYEXPRESS_WEBHOOK_PORT: String(webhookPort),
      PONYEXPRESS_WEBHOOK_HOST: '127.0.0.1',
      PONYEXPRESS_WEBHOOK_SECRET_FILE: secretFile,
    });
    await p.waitForPromotion('production recorded as a1', (x) => x.status?.production?.tag === 'a1');
    await p.custom.createNamespacedCustomObject({
      group: 'ponyexpress.dev',
      version: 'v1alpha1',
      namespace: p.staging,
      plural: 'imagefollows',
      body: {
        apiVersion: 'ponyexpress.dev/v1alpha1',
        kind: 'ImageFollow',
        metadata: { name: APP, namespace: p.staging, labels: { 'app.kubernetes.io/name': APP } },
        spec: {
          repository: `${registry.host}/ponyshop`,
          tags: { regex: '^sha-[0-9a-f]{7}$' },
          credentials: { secretName: REGCRED },
          intervalSeconds: 3600, // only the webhook can make the push visible within this test
          selector: {
            matchLabels: { 'app.kubernetes.io/instance': `${APP}-staging` },
            matchExpressions: [
              { key: 'app.kubernetes.io/component', operator: 'In', values: ['web', 'worker', 'beat'] },
            ],
          },
          migrationJobSelector: {
            matchLabels: { 'app.kubernetes.io/instance': `${APP}-staging`, 'app.kubernetes.io/component': 'migrate' },
          },
          writeBack: { git: { url, path: 'staging', secretRef: { name: GIT_SECRET } } },
        },
      },
    });
    // Nothing is pushed yet: the follow has looked once and found no tag.
    await waitFollow('first poll', (f) => f.status?.conditions?.some((c) => c.type === 'RegistryReachable') ?? false);
  }, 240_000);

  afterAll(async () => {
    await applier?.stop();
    await op?.stop();
    for (const r of recorders) await Promise.all([r.deployments.stop(), r.jobs.stop()]);
    await registry?.stop();
    await server.stop();
    removeTempDirs();
  });

  it('push B: staging and production move through two commits; Git and the cluster agree; migrations before images', async () => {
    const before = remoteHead(authed(url));
    const pushed = await registry.push('ponyshop', 'sha-000000b');
    const image = `${registry.host}/ponyshop@${pushed.digest}`;

    const followed = await waitFollow('staging committed to B', (f) => f.status?.current?.digest === pushed.digest);
    const done = await p.waitForPromotion(
      'production on B',
      (x) => x.status?.production?.digest === pushed.digest && !x.status.inFlight,
      240_000,
    );
    const head = remoteHead(authed(url));
    const sync = await applier.synced(head);
    expect(sync.error).toBeUndefined();

    // The webhook made it happen (poll interval 1 h).
    expect(op!.logs.some((r) => r.msg === 'webhook' && Number(r.enqueued) >= 1)).toBe(true);

    // Exactly two commits: staging's (by the ImageFollow), then production's (by the Promotion).
    const clone = cloneRepo(authed(url));
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
    for (const { folder } of ENVS)
      expect(gitImages(folder)).toEqual({ web: image, worker: image, beat: image, migrate: image });
    for (const ns of [p.staging, p.prod]) {
      const live = (await p.apps.listNamespacedDeployment({ namespace: ns })).items;
      expect(live).toHaveLength(3);
      for (const d of live) expect(new Set(allImages(d))).toEqual(new Set([image]));
    }

    // In both namespaces: the migration Job for B (the name Git carries) completed before any workload took B.
    for (const [i, ns] of [p.staging, p.prod].entries()) {
      const { deployments, jobs } = recorders[i];
      const jobDone = jobs.events.find(
        (e) => complete(e.object) && JSON.stringify(e.object.spec?.template.spec?.containers).includes(image),
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
    const clone = cloneRepo(authed(url));
    const web = readdirSync(join(clone, 'staging')).find((f) => f.includes('-web'))!;
    const content = readFileSync(join(clone, 'staging', web), 'utf8').replace(
      /image: \S+@sha256:[0-9a-f]+/g,
      `image: ${registry.host}/ponyshop:hotfix`,
    );
    pushCommit(authed(url), { [`staging/${web}`]: content }, 'Hotfix staging web by hand');
    const human = remoteHead(authed(url));
    const c = await registry.push('ponyshop', 'sha-000000c');
    const held = await waitFollow(
      'GitDrift',
      (f) => f.status?.conditions?.some((x) => x.type === 'Ready' && x.reason === 'GitDrift') ?? false,
    );
    expect(held.status?.conditions?.find((x) => x.type === 'Ready')?.message).toContain(
      `web runs ${registry.host}/ponyshop:hotfix`,
    );
    await new Promise((r) => setTimeout(r, 3000));
    expect(remoteHead(authed(url))).toBe(human);
    const jobs = await p.batch.listNamespacedJob({ namespace: p.staging });
    expect(jobs.items.some((j) => JSON.stringify(j.spec).includes(c.digest))).toBe(false);
  });
});
