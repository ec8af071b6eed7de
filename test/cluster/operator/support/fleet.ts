// Many pipelines under ONE operator, as a platform team runs it: a staging + production
// namespace pair per app, the chart's namespaced RBAC for all of them, and the operator
// process acting as its ServiceAccount. Shared by the fleet test and bench/operator.ts.
import { createTestNamespace } from '../../harness/index.js';
import { OperatorProcess } from './operator-process.js';
import { Pipeline, type SetUpOptions } from './pipeline.js';

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

export class Fleet {
  /** Holds the operator's namespace, ServiceAccount and Lease (its own app namespaces are unused). */
  readonly system: Pipeline;
  readonly pipelines: Pipeline[];

  constructor(
    prefix: string,
    size: number,
    readonly concurrency = 10,
  ) {
    this.system = new Pipeline(prefix);
    this.pipelines = Array.from({ length: size }, (_, i) => new Pipeline(`${prefix}${i}`));
  }

  /** Namespaces, the operator's API objects, and every app rolled out on `tag` (no Promotions yet). */
  async setUpApps(tag: string): Promise<void> {
    const { pipelines, concurrency } = this;
    await eachLimited(pipelines, concurrency, (p) =>
      Promise.all([createTestNamespace(p.kc, p.staging), createTestNamespace(p.kc, p.prod)]),
    );
    await this.system.installOperatorApi(pipelines);
    // Apply everything first, then wait: kwok and the controllers work through the backlog at
    // their own pace on a shared 2-core machine.
    await eachLimited(pipelines, concurrency, (p) => p.applyApp(tag));
    await eachLimited(pipelines, concurrency, (p) => p.waitApp(tag, 900_000));
  }

  async createPromotions(opts: SetUpOptions = {}): Promise<void> {
    await eachLimited(this.pipelines, this.concurrency, (p) => p.applyPromotion(opts));
  }

  /** The operator for the whole fleet (one process, the chart's ServiceAccount). */
  async startOperator(
    identity: string,
    env: Record<string, string> = {},
    entry: 'ts' | 'js' = 'ts',
  ): Promise<OperatorProcess> {
    const op = new OperatorProcess({
      kubeconfig: await this.system.operatorKubeconfig(),
      namespace: this.system.system,
      watchNamespaces: this.pipelines.map((p) => p.prod),
      identity,
      env,
      entry,
    });
    await op.start();
    return op;
  }

  /** Waits until every Promotion satisfies `check` (polled per pipeline). */
  async waitAll(what: string, check: Parameters<Pipeline['waitForPromotion']>[1], timeoutMs: number): Promise<void> {
    await eachLimited(this.pipelines, this.concurrency, (p) =>
      p.waitForPromotion(`${p.prod}: ${what}`, check, timeoutMs),
    );
  }
}
