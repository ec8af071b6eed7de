// The facts bench/operator.ts times promotions by, from cluster-wide watches in a process of their
// own (a worker thread would need tsx's loader, which workers do not get). On the bench's main thread (client-node releases, 500 Promotions' waits, an 800 MiB heap)
// the watch events were stamped late: the operator's log had a Job answered p99 ~1.8 s after its plan,
// the bench saw it ~10 s after.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadClusterAccess } from '../operator/kube/access.js';
import { KubeClient, type KubernetesObject } from '../operator/kube/client.js';
import { Transport } from '../operator/kube/transport.js';

/** The image tag every staging is released to. */
export const B = ':b2';

/** The few fields the bench reads, of Deployments, Jobs and Promotions alike. */
type Obj = KubernetesObject & {
  metadata?: KubernetesObject['metadata'] & { generation?: number; annotations?: Record<string, string> };
  spec?: { replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } };
  status?: {
    observedGeneration?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    replicas?: number;
    conditions?: { type: string; status: string }[];
    phase?: string;
    production?: { tag?: string };
  };
};

/** First time (ms) each fact was seen, per key, as stamped by the watching thread. */
export class FirstSeen {
  readonly at = new Map<string, number>();
  mark(key: string, at = Date.now()): void {
    const before = this.at.get(key);
    if (before === undefined || at < before) this.at.set(key, at);
  }
  get(key: string): number | undefined {
    return this.at.get(key);
  }
}

const KUBECONFIG_ENV = 'BENCH_FACTS_KUBECONFIG';
/** The line the child writes once every collection is listed (and watched from there). */
const READY = 'ready';

/** Starts the watches in a child process (tsx's flags, this file); its facts land in `seen`. */
export function watchFacts(kubeconfig: string): { seen: FirstSeen; ready: Promise<void>; stop: () => void } {
  const seen = new FirstSeen();
  let listed = () => {};
  let failed = (_: Error) => {};
  const ready = new Promise<void>((resolve, reject) => ((listed = resolve), (failed = reject)));
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, [KUBECONFIG_ENV]: kubeconfig },
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [key, at] = line.split('\t');
    if (key === READY) listed();
    else seen.mark(key, Number(at));
  });
  child.on('exit', (code) => failed(new Error(`the fact watches exited (${code}) before listing`)));
  const stop = () => void child.kill();
  process.on('exit', stop);
  return { seen, ready, stop };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const imageOf = (o: Obj) => String(o.spec?.template?.spec?.containers?.[0]?.image ?? '');
const component = (o: Obj) => o.metadata?.labels?.['app.kubernetes.io/component'] ?? '';
const complete = (d: Obj) =>
  (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
  d.status?.updatedReplicas === d.spec?.replicas &&
  d.status?.availableReplicas === d.spec?.replicas &&
  d.status?.replicas === d.spec?.replicas;
const jobDone = (j: Obj) => Boolean(j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'));

/**
 * Lists and then watches a cluster-wide collection, calling `on` for every object seen, until killed.
 * A watch that ends resumes from the last resourceVersion seen; only an expired one (410) re-lists,
 * which stamps what changed meanwhile late, so it is reported on stderr.
 */
function follow(client: KubeClient, path: string, labelSelector: string, on: (o: Obj) => void): Promise<void> {
  const signal = new AbortController().signal;
  let listed = () => {};
  const first = new Promise<void>((resolve) => (listed = resolve));
  let rv = '';
  void (async () => {
    for (let lists = 0; ;) {
      try {
        if (!rv) {
          if (lists++) process.stderr.write(`[bench facts] ${path} ${labelSelector}: re-listed\n`);
          const list = await client.list<Obj>(path, labelSelector);
          list.items.forEach(on);
          rv = list.metadata?.resourceVersion ?? '';
          listed();
        }
        await client.watch(
          path,
          rv,
          (type, o) => {
            if (type === 'ERROR')
              rv = ''; // 410 Gone: the resourceVersion expired
            else rv = o.metadata?.resourceVersion ?? rv;
            if (type !== 'ERROR' && type !== 'BOOKMARK') on(o);
          },
          { signal, timeoutSeconds: 600, labelSelector },
        );
      } catch (err) {
        process.stderr.write(`[bench facts] ${path}: ${(err as Error).message}\n`);
        await sleep(500);
      }
    }
  })();
  return first;
}

async function run(kubeconfig: string): Promise<void> {
  const client = new KubeClient(new Transport(await loadClusterAccess({ KUBECONFIG: kubeconfig })));
  const mark = (key: string) => process.stdout.write(`${key}\t${Date.now()}\n`);
  const stgLabel = 'app.kubernetes.io/instance=ponyshop-staging';
  const prodLabel = 'app.kubernetes.io/instance=ponyshop-production';
  const ns = (o: Obj) => o.metadata!.namespace!;
  await Promise.all([
    follow(client, '/apis/apps/v1/deployments', stgLabel, (d) => {
      if (imageOf(d).endsWith(B) && complete(d)) mark(`stg-done ${ns(d)} ${component(d)}`);
    }),
    follow(client, '/apis/batch/v1/jobs', `${stgLabel},app.kubernetes.io/component=migrate`, (j) => {
      if (imageOf(j).endsWith(B) && jobDone(j)) mark(`stg-job ${ns(j)}`);
    }),
    follow(client, '/apis/batch/v1/jobs', 'app.kubernetes.io/component=migrate', (j) => {
      if (!ns(j).endsWith('-prod')) return;
      if (imageOf(j).includes('b2') || (j.metadata?.annotations?.['ponyexpress.dev/image'] ?? '').endsWith(B)) {
        mark(`job-created ${ns(j)}`);
        if (jobDone(j)) mark(`job-done ${ns(j)}`);
      }
    }),
    follow(client, '/apis/apps/v1/deployments', prodLabel, (d) => {
      if (!imageOf(d).endsWith(B)) return;
      mark(`set ${ns(d)} ${component(d)}`);
      if (complete(d)) mark(`done ${ns(d)} ${component(d)}`);
    }),
    follow(client, '/apis/ponyexpress.dev/v1alpha1/promotions', '', (p) => {
      if (p.status?.production?.tag === 'b2' && p.status?.phase === 'Succeeded') mark(`succeeded ${ns(p)}`);
    }),
  ]);
  mark(READY);
}

if (process.env[KUBECONFIG_ENV] && process.argv[1] === fileURLToPath(import.meta.url))
  void run(process.env[KUBECONFIG_ENV]);
