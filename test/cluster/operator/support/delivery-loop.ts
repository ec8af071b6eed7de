// The delivery loop's set-up, shared by test/cluster/operator/delivery-loop.test.ts and bench/follow.ts: a real
// docker-registry (token auth; notifications to the operator's webhook, or a second one without), a real git
// server holding staging/ and production/ as publish:gitops leaves them, the applier (Argo CD's part), one
// operator process with the chart's RBAC, the Promotion and the ImageFollow both in Git mode.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { migrationJobName, toYaml } from '../../../../contract/index.js';
import { operatorSettingsSchema } from '../../../../charts/config/operator-schema.js';
import { SYNC_WAVE_ANNOTATION } from '../../../../charts/ordering.js';
import { OperatorChart } from '../../../../charts/operator/operator-chart.js';
import type { ImageFollowObject } from '../../../../operator/core/follow-types.js';
import { managedImages } from '../../../../operator/core/gitops-files.js';
import { jobSpecFor } from '../../../../operator/core/migration.js';
import { GitHttpServer } from '../../../gitops/git-http-server.js';
import { cloneRepo, pushCommit, remoteHead } from '../../../gitops/git-commands.js';
import { freePort } from '../../../../checkapp/services/free-port.js';
import { startTokenRegistry, type TokenRegistry } from '../../../operator/io/token-registry.js';
import { type ManifestObject, waitUntil } from '../../harness/index.js';
import { GitOpsApplier } from './gitops-applier.js';
import type { OperatorProcess } from './operator-process.js';
import { APP, labels, Pipeline } from './pipeline.js';
import { startOperator } from './scenario.js';

const WEBHOOK_SECRET = 'delivery-loop-webhook-secret-42';
export const REGCRED = 'regcred';
export const GIT_SECRET = 'fleet-git';
export const FOLDERS = { staging: 'staging', production: 'production' } as const;
const [GIT_USER, GIT_PASSWORD] = ['fleet-bot', 'fleet-token'];

/** One operator for the pipeline, with the chart's Roles: follow (regcred + the Git Secret) and production Git. */
export class LoopPipeline extends Pipeline {
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

export interface Loop {
  p: LoopPipeline;
  /** With notifications to the webhook. */
  registry: TokenRegistry;
  /** Without notifications (poll only), when asked for. */
  quiet?: TokenRegistry;
  op: OperatorProcess;
  applier: GitOpsApplier;
  server: GitHttpServer;
  /** The repository's URL as the operator has it (credentials in the Secret). */
  url: string;
  /** The same with credentials, for the test's own git commands. */
  authedUrl: string;
  getFollow(): Promise<ImageFollowObject>;
  waitFollow(what: string, check: (f: ImageFollowObject) => boolean, timeoutMs?: number): Promise<ImageFollowObject>;
  patchFollow(spec: Partial<ImageFollowObject['spec']>): Promise<void>;
  /** component -> app image of a folder at the branch head. */
  gitImages(folder: string): Record<string, string>;
  stop(): Promise<void>;
}

/** Everything up and on a1, the ImageFollow created (no matching tag yet), the operator running. */
export async function startLoop(prefix: string, opts: { quiet?: boolean; soakSeconds?: number } = {}): Promise<Loop> {
  const webhookPort = await freePort();
  const registry = await startTokenRegistry({
    notify: { url: `http://127.0.0.1:${webhookPort}/hooks/registry`, bearer: WEBHOOK_SECRET },
  });
  const quiet = opts.quiet ? await startTokenRegistry() : undefined;
  const server = new GitHttpServer(GIT_USER, GIT_PASSWORD);
  await server.start();
  const url = server.createRepo('fleet');
  const authedUrl = url.replace('http://', `http://${GIT_USER}:${GIT_PASSWORD}@`);
  const p = new LoopPipeline(prefix, `${registry.host}/ponyshop`);
  await p.setUp('a1', { soakSeconds: opts.soakSeconds ?? 2 });

  const files: Record<string, string> = {};
  for (const env of ['staging', 'production'] as const)
    for (const [name, content] of Object.entries(p.folder(env, 'a1'))) files[`${FOLDERS[env]}/${name}`] = content;
  pushCommit(authedUrl, files, 'Publish staging and production on a1');

  const auths = {
    ...JSON.parse(registry.dockerConfigJson).auths,
    ...JSON.parse(quiet?.dockerConfigJson ?? '{}').auths,
  };
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
      body: { metadata: { name: GIT_SECRET }, stringData: { username: GIT_USER, password: GIT_PASSWORD } },
    });

  const applier = new GitOpsApplier({ kc: p.kc, url: authedUrl, folders: Object.values(FOLDERS) });
  applier.start();
  const first = await applier.synced(remoteHead(authedUrl));
  if (first.error) throw new Error(`the applier could not sync a1: ${first.error}`);
  await p.patchSpec({ writeBack: { git: { url, path: FOLDERS.production, secretRef: { name: GIT_SECRET } } } });

  const secretFile = join(mkdtempSync(join(tmpdir(), `${prefix}-`)), 'secret');
  writeFileSync(secretFile, WEBHOOK_SECRET, { mode: 0o600 });
  const op = await startOperator(p, `${prefix}-0`, {
    PONYEXPRESS_FOLLOW_NAMESPACES: p.staging,
    PONYEXPRESS_WEBHOOK_PORT: String(webhookPort),
    PONYEXPRESS_WEBHOOK_HOST: '127.0.0.1',
    PONYEXPRESS_WEBHOOK_SECRET_FILE: secretFile,
  });
  await p.waitForPromotion('production recorded as a1', (x) => x.status?.production?.tag === 'a1');

  const custom = { group: 'ponyexpress.dev', version: 'v1alpha1', namespace: p.staging, plural: 'imagefollows' };
  const getFollow = async () =>
    (await p.custom.getNamespacedCustomObject({ ...custom, name: APP })) as ImageFollowObject;
  const waitFollow = async (what: string, check: (f: ImageFollowObject) => boolean, timeoutMs = 120_000) => {
    let last: ImageFollowObject | undefined;
    await waitUntil(async () => check((last = await getFollow())), { what, timeoutMs, intervalMs: 250 }).catch(
      (err: Error) => {
        throw new Error(`${err.message}; last status: ${JSON.stringify(last?.status ?? {}).slice(0, 1500)}`);
      },
    );
    return last!;
  };
  const patchFollow = async (spec: Partial<ImageFollowObject['spec']>) => {
    const { setHeaderOptions, PatchStrategy } = await import('@kubernetes/client-node');
    await p.custom.patchNamespacedCustomObject(
      { ...custom, name: APP, body: { spec } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  };
  await p.custom.createNamespacedCustomObject({
    ...custom,
    body: {
      apiVersion: 'ponyexpress.dev/v1alpha1',
      kind: 'ImageFollow',
      metadata: { name: APP, namespace: p.staging, labels: { 'app.kubernetes.io/name': APP } },
      spec: {
        repository: `${registry.host}/ponyshop`,
        tags: { regex: '^sha-[0-9a-f]{7}$' },
        credentials: { secretName: REGCRED },
        intervalSeconds: 3600, // only the webhook can make a push visible soon
        selector: {
          matchLabels: { 'app.kubernetes.io/instance': `${APP}-staging` },
          matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['web', 'worker', 'beat'] }],
        },
        migrationJobSelector: {
          matchLabels: { 'app.kubernetes.io/instance': `${APP}-staging`, 'app.kubernetes.io/component': 'migrate' },
        },
        writeBack: { git: { url, path: FOLDERS.staging, secretRef: { name: GIT_SECRET } } },
      },
    },
  });
  await waitFollow('first poll', (f) => f.status?.conditions?.some((c) => c.type === 'RegistryReachable') ?? false);

  const gitImages = (folder: string) => {
    const dir = cloneRepo(authedUrl);
    const read = Object.fromEntries(
      readdirSync(join(dir, folder))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => [f, readFileSync(join(dir, folder, f), 'utf8')]),
    );
    return managedImages(read, ['web', 'worker', 'beat']);
  };
  return {
    p,
    registry,
    quiet,
    op,
    applier,
    server,
    url,
    authedUrl,
    getFollow,
    waitFollow,
    patchFollow,
    gitImages,
    stop: async () => {
      await applier.stop();
      await op.stop();
      await registry.stop();
      await quiet?.stop();
      await server.stop();
    },
  };
}
