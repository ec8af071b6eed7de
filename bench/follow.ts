// Delivery-loop benchmark (issue 11): prints numbers, asserts nothing. On the test control plane (kwok), with the
// cluster test's parts (test/cluster/operator/support/delivery-loop.ts): Debian docker-registry with token auth,
// a real git server, the applier standing in for Argo CD, one operator process; staging and production in Git mode.
//   npm run bench:follow -- [--samples 3]
// 1. `docker push` start -> staging updated (every staging workload's containers and init containers on
//    repo@digest in the cluster, i.e. migration Job, commit, and the applier's sync), through the registry's
//    webhook (follow interval 1 h) and by polling alone (a registry without notifications, intervalSeconds 10).
// 2. Per promotion in Git mode (push -> production on B, applier synced): the operator's API writes by verb and
//    resource (ponyexpress_api_writes_total; Lease renewals listed apart) and the git commits on the branch.
import globalSetup from '../test/cluster/global-setup.js';
import globalTeardown from '../test/cluster/global-teardown.js';
import { cloneRepo, git, remoteHead, removeTempDirs } from '../test/gitops/git-commands.js';
import { waitUntil } from '../test/cluster/harness/index.js';
import { startLoop, type Loop } from '../test/cluster/operator/support/delivery-loop.js';
import type { OperatorProcess } from '../test/cluster/operator/support/operator-process.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SAMPLES = arg('samples', 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const progress = (what: string) => process.stderr.write(`[bench:follow] ${what}\n`);

/** `verb resource` -> count, from the operator's /metrics. */
async function writes(op: OperatorProcess): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await op.metrics()).split('\n')) {
    const m = /^ponyexpress_api_writes_total\{(.*)\} (\d+(?:\.\d+)?)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    out.set(`${labels.verb} ${labels.resource}`, Number(m[2]));
  }
  return out;
}
const delta = (a: Map<string, number>, b: Map<string, number>) =>
  new Map([...b].map(([k, v]) => [k, v - (a.get(k) ?? 0)] as const).filter(([, v]) => v > 0));

async function stagingOn(loop: Loop, image: string): Promise<void> {
  await waitUntil(
    async () => {
      const list = await loop.p.apps.listNamespacedDeployment({ namespace: loop.p.staging });
      return (
        list.items.length > 0 &&
        list.items.every((d) =>
          [...d.spec!.template.spec!.containers, ...(d.spec!.template.spec!.initContainers ?? [])].every(
            (c) => c.image === image,
          ),
        )
      );
    },
    { what: `staging on ${image}`, timeoutMs: 180_000, intervalMs: 100 },
  );
}

async function run(): Promise<void> {
  progress('setting up registry, git server, applier, operator');
  const loop = await startLoop('bench-follow', { quiet: true });
  const webhook: number[] = [];
  const poll: number[] = [];
  const cycles: { writes: Map<string, number>; commits: string[] }[] = [];
  try {
    for (let i = 1; i <= SAMPLES; i++) {
      const w0 = await writes(loop.op);
      const head0 = remoteHead(loop.authedUrl);
      const pushed = await loop.registry.push('ponyshop', `sha-b00000${i}`);
      const image = `${loop.registry.host}/ponyshop@${pushed.digest}`;
      await stagingOn(loop, image);
      webhook.push(Date.now() - pushed.pushedAt);
      progress(`webhook sample ${i}: ${webhook.at(-1)} ms; waiting for production`);
      await loop.p.waitForPromotion(
        `production on ${pushed.digest}`,
        (x) => x.status?.production?.digest === pushed.digest && !x.status.inFlight,
        240_000,
      );
      const head = remoteHead(loop.authedUrl);
      await loop.applier.synced(head);
      await new Promise((r) => setTimeout(r, 2000)); // let the last status writes land
      const subjects = git(cloneRepo(loop.authedUrl), ['log', '--format=%s', `${head0}..${head}`]);
      cycles.push({ writes: delta(w0, await writes(loop.op)), commits: subjects.trim().split('\n').reverse() });
    }
    // Polling only: the follow points at the registry without notifications, every 10 s (+0-10 % jitter).
    const seed = await loop.quiet!.push('ponyshop', 'sha-c000000');
    await loop.patchFollow({ repository: `${loop.quiet!.host}/ponyshop`, intervalSeconds: 10 });
    await stagingOn(loop, `${loop.quiet!.host}/ponyshop@${seed.digest}`);
    for (let i = 1; i <= SAMPLES; i++) {
      const pushed = await loop.quiet!.push('ponyshop', `sha-c00000${i}`);
      await stagingOn(loop, `${loop.quiet!.host}/ponyshop@${pushed.digest}`);
      poll.push(Date.now() - pushed.pushedAt);
      progress(`poll sample ${i}: ${poll.at(-1)} ms`);
    }
  } finally {
    await loop.stop();
    removeTempDirs();
  }

  console.log(`\ndocker push -> staging updated in the cluster (Git mode: migration Job, commit, applier sync), ms`);
  console.log(`  webhook:            ${JSON.stringify(webhook)}  median ${median(webhook)}`);
  console.log(`  poll (every 10 s):  ${JSON.stringify(poll)}  median ${median(poll)}`);
  console.log(`  ratio poll/webhook: ${(median(poll) / median(webhook)).toFixed(2)}`);
  console.log(
    `\nper promotion in Git mode (push -> staging commit -> production commit -> production on B), ${cycles.length} cycles`,
  );
  for (const [i, c] of cycles.entries()) {
    const lease = [...c.writes].filter(([k]) => k.endsWith(' leases'));
    const other = [...c.writes].filter(([k]) => !k.endsWith(' leases'));
    const total = other.reduce((s, [, v]) => s + v, 0);
    console.log(
      `  cycle ${i + 1}: API writes ${total} (${other.map(([k, v]) => `${k} ${v}`).join(', ')}); Lease renewals ${lease.reduce((s, [, v]) => s + v, 0)}; git commits ${c.commits.length}: ${c.commits.map((s) => JSON.stringify(s.split(' ')[0])).join(', ')}`,
    );
  }
}

async function main(): Promise<void> {
  await globalSetup();
  try {
    await run();
  } finally {
    await globalTeardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
