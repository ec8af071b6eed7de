// One isolated app pipeline per scenario: its own operator namespace, staging and production
// namespaces (PSA restricted), small contract-labelled workloads, and the operator's real
// manifests (CRD, ServiceAccount, namespaced RBAC) synthesised from charts/operator.
import {
  applyObjects,
  type ManifestObject,
  adminKubeConfig,
  createTestNamespace,
  mintServiceAccountToken,
  readState,
  waitUntil,
  rolloutComplete,
} from '../../harness/index.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { AppsV1Api, BatchV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { operatorSettingsSchema } from '../../../../charts/config/operator-schema.js';
import { OperatorChart } from '../../../../charts/operator/operator-chart.js';
import type { WatchScope } from '../../../../operator/kube/cache.js';
import { KubeClient } from '../../../../operator/kube/client.js';
import { loadClusterAccess } from '../../../../operator/kube/access.js';
import { Transport } from '../../../../operator/kube/transport.js';
import type { PromotionObject, PromotionSpec } from '../../../../operator/core/types.js';

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

export const APP = 'ponyshop';
export const REPO = 'registry.example/ponyexpress/ponyshop';
export const SA = 'ponyexpress-operator';

const restrictedContainer = {
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
const restrictedPod = { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } };

export function labels(env: string, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': APP,
    'app.kubernetes.io/instance': `${APP}-${env}`,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': APP,
    'app.kubernetes.io/managed-by': 'ponyexpress',
  };
}

const appSelector = (env: string) => ({
  matchLabels: { 'app.kubernetes.io/instance': `${APP}-${env}` },
  matchExpressions: [
    { key: 'app.kubernetes.io/component', operator: 'In' as const, values: ['web', 'worker', 'beat'] },
  ],
});

/**
 * Server-side apply as plain JSON. The harness's applyObjects goes through client-node's model
 * serializer, which silently drops `x-kubernetes-*` keys of a CRD schema (it only knows them as
 * x_kubernetes_*): the CRD would lose x-kubernetes-preserve-unknown-fields and prune the Job template.
 */
async function applyCrds(objects: ManifestObject[]): Promise<void> {
  const client = new KubeClient(new Transport(await loadClusterAccess({ KUBECONFIG: readState().kubeconfig })));
  for (const o of objects) {
    await client.request('PATCH', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${o.metadata!.name}`, {
      body: o,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'ponyexpress-test', force: 'true' },
    });
  }
}

export interface SetUpOptions {
  approval?: 'Automatic' | 'Manual';
  soakSeconds?: number;
  prodMigrationFails?: boolean;
  /** @default 120 */
  rolloutTimeoutSeconds?: number;
}

export class Pipeline {
  readonly kc: KubeConfig = adminKubeConfig();
  readonly apps = this.kc.makeApiClient(AppsV1Api);
  readonly batch = this.kc.makeApiClient(BatchV1Api);
  readonly core = this.kc.makeApiClient(CoreV1Api);
  readonly custom = this.kc.makeApiClient(CustomObjectsApi);
  readonly system: string;
  readonly staging: string;
  readonly prod: string;

  /** `repo`: the image repository of every workload and Job. @default REPO */
  constructor(
    readonly prefix: string,
    readonly repo: string = REPO,
  ) {
    this.system = `${prefix}-system`;
    this.staging = `${prefix}-staging`;
    this.prod = `${prefix}-prod`;
  }

  /** The operator chart's CRD, Namespace, ServiceAccount and RBAC (not its Deployment: the test runs the process). */
  operatorManifests(pipelines: readonly Pipeline[] = [this], watchScope: WatchScope = 'namespaces'): ManifestObject[] {
    const app = new App();
    const chart = new OperatorChart(app, this.prefix, {
      settings: operatorSettingsSchema.parse({ namespace: this.system, watchScope }),
      pipelines: pipelines.map((p) => ({ app: APP, stagingNamespace: p.staging, productionNamespace: p.prod })),
    });
    const wanted = new Set([
      'CustomResourceDefinition',
      'Namespace',
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'ClusterRole',
      'ClusterRoleBinding',
    ]);
    return (chart.toJson() as ManifestObject[]).filter((o) => wanted.has(o.kind!));
  }

  async setUp(initialTag: string, opts: SetUpOptions = {}): Promise<void> {
    await Promise.all([createTestNamespace(this.kc, this.staging), createTestNamespace(this.kc, this.prod)]);
    await this.installOperatorApi();
    await this.setUpApp(initialTag, opts);
  }

  /**
   * The CRD and the operator's namespace, ServiceAccount and RBAC for `pipelines` (their
   * staging and production namespaces must exist), as one operator managing them all.
   */
  async installOperatorApi(
    pipelines: readonly Pipeline[] = [this],
    concurrency = 1,
    watchScope: WatchScope = 'namespaces',
  ): Promise<void> {
    const manifests = this.operatorManifests(pipelines, watchScope);
    await applyCrds(manifests.filter((o) => o.kind === 'CustomResourceDefinition'));
    const rest = manifests.filter((o) => o.kind !== 'CustomResourceDefinition');
    // The operator's own namespace and ServiceAccount first; then each app namespace's Roles and
    // RoleBindings, `concurrency` namespaces at a time (a fleet of 500 has 4,000 of them).
    const byNamespace = new Map<string, ManifestObject[]>();
    for (const o of rest) {
      const ns =
        o.kind === 'Namespace' || o.kind?.startsWith('Cluster') || o.metadata?.namespace === this.system
          ? ''
          : (o.metadata?.namespace ?? '');
      byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), o]);
    }
    await applyObjects(this.kc, byNamespace.get('') ?? []);
    byNamespace.delete('');
    await eachLimited([...byNamespace.values()], concurrency, (objects) => applyObjects(this.kc, objects));
    await waitUntil(
      async () => {
        const crd = await this.kc
          .makeApiClient((await import('@kubernetes/client-node')).ApiextensionsV1Api)
          .readCustomResourceDefinition({ name: 'promotions.ponyexpress.dev' });
        return Boolean(crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'));
      },
      { what: 'Promotion CRD established', timeoutMs: 30_000 },
    );
  }

  /** Staging and production on `initialTag`, rolled out, and the Promotion (namespaces exist). */
  async setUpApp(initialTag: string, opts: SetUpOptions = {}): Promise<void> {
    await this.applyApp(initialTag);
    await this.waitApp(initialTag);
    await this.applyPromotion(opts);
  }

  /** Staging's migration Job and both environments' workloads on `tag` (not waiting). */
  async applyApp(tag: string): Promise<void> {
    await this.applyWorkloads(this.staging, 'staging', tag);
    await this.applyWorkloads(this.prod, 'production', tag);
    await this.runStagingMigration(tag);
  }

  async waitApp(tag: string, timeoutMs = 60_000): Promise<void> {
    await Promise.all([
      this.waitRolledOut(this.staging, tag, timeoutMs),
      this.waitRolledOut(this.prod, tag, timeoutMs),
    ]);
  }

  async applyPromotion(opts: SetUpOptions = {}): Promise<void> {
    // Right after a CRD is created the apiserver may briefly serve it with a stale schema
    // (kubernetes#104090), so retry the first Promotion for a few seconds.
    let lastError: unknown;
    await waitUntil(
      async () => {
        try {
          await this.createPromotion(this.promotion(opts));
          return true;
        } catch (err) {
          lastError = err;
          return false;
        }
      },
      { what: 'Promotion applied', timeoutMs: 15_000, intervalMs: 500 },
    ).catch(() => {
      throw lastError;
    });
  }

  async createPromotion(body: ManifestObject): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      group: 'ponyexpress.dev',
      version: 'v1alpha1',
      namespace: body.metadata!.namespace!,
      plural: 'promotions',
      body,
    });
  }

  promotion(opts: SetUpOptions): ManifestObject {
    const spec: PromotionSpec = {
      imageRepository: this.repo,
      source: {
        namespace: this.staging,
        selector: appSelector('staging'),
        migrationJobSelector: {
          matchLabels: { 'app.kubernetes.io/instance': `${APP}-staging`, 'app.kubernetes.io/component': 'migrate' },
        },
        soakSeconds: opts.soakSeconds ?? 2,
      },
      target: {
        namespace: this.prod,
        selector: appSelector('production'),
        migrationJobTemplate: this.jobSpec('production', `${this.repo}:placeholder`, opts.prodMigrationFails ?? false),
        rolloutTimeoutSeconds: opts.rolloutTimeoutSeconds ?? 120,
      },
      policy: { approval: opts.approval ?? 'Automatic' },
    };
    return {
      apiVersion: 'ponyexpress.dev/v1alpha1',
      kind: 'Promotion',
      metadata: { name: APP, namespace: this.prod },
      spec,
    };
  }

  jobSpec(env: string, image: string, fail: boolean): PromotionSpec['target']['migrationJobTemplate'] {
    return {
      backoffLimit: 0,
      template: {
        metadata: {
          labels: { ...labels(env, 'migrate'), ...(fail ? { 'ponyexpress.dev/test-outcome': 'fail' } : {}) },
        },
        spec: {
          restartPolicy: 'Never',
          securityContext: restrictedPod,
          containers: [
            {
              name: 'migrate',
              image,
              command: ['python', 'manage.py', 'migrate'],
              securityContext: restrictedContainer,
            },
          ],
        },
      },
    };
  }

  workloads(ns: string, env: string, tag: string): ManifestObject[] {
    const image = `${this.repo}:${tag}`;
    return (['web', 'worker', 'beat'] as const).map((component) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `${APP}-${component}`, namespace: ns, labels: labels(env, component) },
      spec: {
        replicas: 1,
        progressDeadlineSeconds: 600,
        selector: {
          matchLabels: { 'app.kubernetes.io/instance': `${APP}-${env}`, 'app.kubernetes.io/component': component },
        },
        // Beat is a singleton: Recreate, so the old pod is gone before the new one starts.
        strategy:
          component === 'beat'
            ? { type: 'Recreate' }
            : { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels: labels(env, component) },
          spec: {
            securityContext: restrictedPod,
            initContainers: [
              {
                name: 'wait-for-migrations',
                image,
                command: ['sh', '-c', 'true'],
                securityContext: restrictedContainer,
              },
            ],
            containers: [{ name: component, image, securityContext: restrictedContainer }],
          },
        },
      },
    }));
  }

  /** Applies staging/prod workloads on `tag` (as the GitOps tool would). */
  async applyWorkloads(ns: string, env: string, tag: string): Promise<void> {
    await applyObjects(this.kc, this.workloads(ns, env, tag), { fieldManager: 'gitops' });
  }

  /** Staging's migration Job for a tag (what the app chart's hook would run). */
  async runStagingMigration(tag: string, fail = false): Promise<void> {
    await applyObjects(
      this.kc,
      [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: {
            name: `${APP}-migrate-${tag.toLowerCase()}`,
            namespace: this.staging,
            labels: labels('staging', 'migrate'),
          },
          spec: this.jobSpec('staging', `${this.repo}:${tag}`, fail),
        },
      ],
      { fieldManager: 'gitops' },
    );
  }

  /** A release reaches staging the way the app chart ships it: the migration Job, then the workloads. */
  async releaseToStaging(tag: string, opts: { migrationFails?: boolean } = {}): Promise<void> {
    await this.runStagingMigration(tag, opts.migrationFails ?? false);
    await this.applyWorkloads(this.staging, 'staging', tag);
  }

  /** Every workload in ns runs `tag` and its rollout is complete. */
  async waitRolledOut(ns: string, tag: string, timeoutMs = 60_000): Promise<void> {
    await waitUntil(
      async () => {
        const list = await this.apps.listNamespacedDeployment({ namespace: ns });
        return (
          list.items.length > 0 &&
          list.items.every(
            (d) =>
              d.spec!.template.spec!.containers.every((c) => c.image === `${this.repo}:${tag}`) && rolloutComplete(d),
          )
        );
      },
      { what: `${ns} rolled out on ${tag}`, timeoutMs, intervalMs: 250 },
    );
  }

  async prodImages(): Promise<Record<string, string>> {
    const list = await this.apps.listNamespacedDeployment({ namespace: this.prod });
    return Object.fromEntries(list.items.map((d) => [d.metadata!.name!, d.spec!.template.spec!.containers[0].image!]));
  }

  async getPromotion(): Promise<PromotionObject> {
    return (await this.custom.getNamespacedCustomObject({
      group: 'ponyexpress.dev',
      version: 'v1alpha1',
      namespace: this.prod,
      plural: 'promotions',
      name: APP,
    })) as PromotionObject;
  }

  async annotate(annotations: Record<string, string | null>): Promise<void> {
    await this.mergePatchPromotion({ metadata: { annotations } });
  }

  /** Merge-patches the Promotion's spec, as a human's `kubectl patch --type merge` would. */
  async patchSpec(spec: Record<string, unknown>): Promise<void> {
    await this.mergePatchPromotion({ spec });
  }

  private async mergePatchPromotion(body: object): Promise<void> {
    const { setHeaderOptions, PatchStrategy } = await import('@kubernetes/client-node');
    await this.custom.patchNamespacedCustomObject(
      {
        group: 'ponyexpress.dev',
        version: 'v1alpha1',
        namespace: this.prod,
        plural: 'promotions',
        name: APP,
        body,
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  async waitForPromotion(
    what: string,
    check: (p: PromotionObject) => boolean,
    timeoutMs = 90_000,
  ): Promise<PromotionObject> {
    let last: PromotionObject | undefined;
    await waitUntil(async () => check((last = await this.getPromotion())), { what, timeoutMs, intervalMs: 250 }).catch(
      (err: Error) => {
        throw new Error(`${err.message}; last status: ${JSON.stringify(last?.status ?? {}).slice(0, 1500)}`);
      },
    );
    return last!;
  }

  async prodMigrationJobs(): Promise<string[]> {
    const list = await this.batch.listNamespacedJob({ namespace: this.prod });
    return list.items.map((j) => j.metadata!.name!);
  }

  /** A kubeconfig for the operator's ServiceAccount (TokenRequest), so the operator runs with its RBAC only. */
  async operatorKubeconfig(): Promise<string> {
    const token = await mintServiceAccountToken(this.kc, this.system, SA, { expirationSeconds: 7200 });
    const cluster = this.kc.getCurrentCluster()!;
    const path = join(mkdtempSync(join(tmpdir(), `${this.prefix}-kc-`)), 'kubeconfig.json');
    // JSON is valid YAML, and spares the operator loading a YAML parser (it measures its RSS).
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: cluster.server, 'certificate-authority': cluster.caFile } }],
        users: [{ name: 'operator', user: { token } }],
        contexts: [{ name: 'operator', context: { cluster: 'c', user: 'operator' } }],
        'current-context': 'operator',
      }),
      { mode: 0o600 },
    );
    return path;
  }
}
