// Many pipelines under ONE operator, as a platform team runs it: a staging + production
// namespace pair per app, the chart's namespaced RBAC for all of them, and the operator
// process acting as its ServiceAccount. Shared by the fleet test and bench/operator.ts.
import { createTestNamespace, rolloutComplete, waitUntil } from '../../harness/index.js';
import { OperatorProcess } from './operator-process.js';
import { eachLimited, Pipeline, type SetUpOptions } from './pipeline.js';
import type { PromotionObject } from '../../../../operator/core/types.js';
import type { WatchScope } from '../../../../operator/kube/cache.js';
import { OPERATOR_ENV } from '../../../../contract/index.js';

export { eachLimited };

export class Fleet {
  /** Holds the operator's namespace, ServiceAccount and Lease (its own app namespaces are unused). */
  readonly system: Pipeline;
  readonly pipelines: Pipeline[];

  /** `watchScope`: as the chart's setting; `cluster` installs its read-only ClusterRole and sets the operator's env. */
  constructor(
    prefix: string,
    size: number,
    readonly concurrency = 10,
    readonly watchScope: WatchScope = 'namespaces',
  ) {
    this.system = new Pipeline(prefix);
    this.pipelines = Array.from({ length: size }, (_, i) => new Pipeline(`${prefix}${i}`));
  }

  /**
   * Namespaces, the operator's API objects, and every app rolled out on `tag` (no Promotions yet).
   * `log` hears each phase's duration (a fleet of 500 takes minutes).
   */
  async setUpApps(tag: string, log: (line: string) => void = () => {}): Promise<void> {
    const { pipelines, concurrency } = this;
    let t = Date.now();
    const phase = (what: string) => {
      log(`${what} in ${((Date.now() - t) / 1000).toFixed(0)} s`);
      t = Date.now();
    };
    await eachLimited(pipelines, concurrency, (p) =>
      Promise.all([createTestNamespace(p.kc, p.staging), createTestNamespace(p.kc, p.prod)]),
    );
    phase(`${pipelines.length * 2} namespaces`);
    await this.system.installOperatorApi(pipelines, concurrency, this.watchScope);
    phase("the operator's CRD, ServiceAccount and RBAC");
    // Apply everything first, then wait: kwok and the controllers work through the backlog at
    // their own pace on a shared 2-core machine.
    await eachLimited(pipelines, concurrency, (p) => p.applyApp(tag));
    phase('apps applied');
    await this.waitApps(tag, 1_800_000, log);
    phase('apps rolled out');
  }

  /**
   * Every pipeline's staging and production rolled out on `tag`: one cluster-wide list every
   * 10 s instead of a poll per namespace (500 pipelines would be 1,000 pollers). Not more often:
   * at 500 pipelines each list is 3,000 Deployments (~15 MB of JSON) that the apiserver encodes
   * and this process decodes, CPU the shared machine's control plane then lacks.
   */
  async waitApps(tag: string, timeoutMs: number, log: (line: string) => void = () => {}): Promise<void> {
    const mine = new Set(this.pipelines.flatMap((p) => [p.staging, p.prod]));
    let pending = mine.size;
    let logged = Date.now();
    await waitUntil(
      async () => {
        const list = await this.system.apps.listDeploymentForAllNamespaces({});
        const done = new Map<string, number>();
        for (const d of list.items) {
          const ns = d.metadata!.namespace!;
          if (!mine.has(ns)) continue;
          const runs = d.spec!.template.spec!.containers.every((c) => c.image?.endsWith(`:${tag}`));
          if (runs && rolloutComplete(d)) done.set(ns, (done.get(ns) ?? 0) + 1);
        }
        pending = [...mine].filter((ns) => (done.get(ns) ?? 0) < 3).length;
        if (Date.now() - logged > 30_000) {
          log(`${pending} of ${mine.size} namespaces not rolled out yet`);
          logged = Date.now();
        }
        return pending === 0;
      },
      { what: `every fleet namespace rolled out on ${tag}`, timeoutMs, intervalMs: 10_000 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${pending} namespaces not rolled out`);
    });
  }

  async createPromotions(opts: SetUpOptions = {}): Promise<void> {
    await eachLimited(this.pipelines, this.concurrency, (p) => p.applyPromotion(opts));
  }

  /** The operator for the whole fleet (one process, the chart's ServiceAccount). */
  async startOperator(
    identity: string,
    env: Record<string, string> = {},
    entry: 'ts' | 'js' = 'ts',
    nodeFlags?: readonly string[],
    launcher?: readonly string[],
  ): Promise<OperatorProcess> {
    const op = new OperatorProcess({
      kubeconfig: await this.system.operatorKubeconfig(),
      namespace: this.system.system,
      watchNamespaces: this.pipelines.map((p) => p.prod),
      identity,
      env: { [OPERATOR_ENV.watchScope]: this.watchScope, ...env },
      entry,
      nodeFlags,
      launcher,
    });
    await op.start();
    return op;
  }

  /** Waits until every Promotion satisfies `check`: one cluster-wide list a second, not a poller per pipeline. */
  async waitAll(what: string, check: Parameters<Pipeline['waitForPromotion']>[1], timeoutMs: number): Promise<void> {
    const mine = new Set(this.pipelines.map((p) => p.prod));
    let pending: string[] = [];
    await waitUntil(
      async () => {
        const list = (await this.system.custom.listCustomObjectForAllNamespaces({
          group: 'ponyexpress.dev',
          version: 'v1alpha1',
          resourcePlural: 'promotions',
        })) as { items: PromotionObject[] };
        const ok = new Set(
          list.items.filter((x) => mine.has(x.metadata.namespace) && check(x)).map((x) => x.metadata.namespace),
        );
        pending = [...mine].filter((ns) => !ok.has(ns));
        return pending.length === 0;
      },
      { what: `every Promotion: ${what}`, timeoutMs, intervalMs: 1000 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${pending.length} pending, e.g. ${pending.slice(0, 3).join(', ')}`);
    });
  }
}
