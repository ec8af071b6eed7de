// Git write-back over SSH, by the operator as a real process: the production Promotion's spec.writeBack.git
// names an ssh:// URL and a Secret with `identity` and `known_hosts`; the git server is OpenSSH's sshd with
// git-shell (test/gitops/git-ssh-server.ts). While the operator works, every process's command line and
// environment under /proc is sampled: the private key is in none of them, nor in the operator's log.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { App } from 'cdk8s';
import { toYaml } from '../../../contract/index.js';
import { operatorSettingsSchema } from '../../../charts/config/operator-schema.js';
import { OperatorChart } from '../../../charts/operator/operator-chart.js';
import type { ManifestObject } from '../../../charts/render.js';
import { applyObjects } from '../harness/index.js';
import { GitSshServer } from '../../gitops/git-ssh-server.js';
import { cloneRepo, git, pushCommit, removeTempDirs } from '../../gitops/support.js';
import { operatorScenario, jobSucceeded } from './support/scenario.js';
import { APP } from './support/pipeline.js';

const sshd = new GitSshServer();
const FOLDER = 'prod';

/** Samples /proc every 25 ms: ssh command lines seen, and any process whose argv or environment holds `needle`. */
function procSampler(needle: string) {
  const sshLines = new Set<string>();
  const leaks = new Set<string>();
  const sample = () => {
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        if (/^(\S*\/)?ssh /.test(argv)) sshLines.add(argv);
        if (argv.includes(needle)) leaks.add(`argv of ${pid}: ${argv.slice(0, 80)}`);
        if (readFileSync(`/proc/${pid}/environ`, 'utf8').includes(needle))
          leaks.add(`environment of ${pid} (${argv.slice(0, 80)})`);
      } catch {
        // gone meanwhile, or not ours to read
      }
    }
  };
  const timer = setInterval(sample, 25);
  return { sshLines, leaks, stop: () => clearInterval(timer) };
}

describe('operator: Git write-back over SSH', () => {
  beforeAll(() => sshd.start());
  const s = operatorScenario('op-gitssh');
  afterAll(async () => {
    await sshd.stop();
    removeTempDirs();
  });

  it('promotes b2 by one commit pushed over ssh:// with the Secret key and known_hosts; the key is in no argv, environment or log', async () => {
    const { p } = s;
    const url = sshd.createRepo('fleet');
    const bare = sshd.repoPath('fleet');
    const files: Record<string, string> = {};
    for (const o of p.workloads(p.prod, 'production', 'a1') as ManifestObject[])
      files[`${FOLDER}/50-deployment-${o.metadata.name}.yaml`] = `# test\n${toYaml(o)}`;
    pushCommit(bare, files, 'Publish production on a1');
    const chart = new OperatorChart(new App(), 'gitssh', {
      settings: operatorSettingsSchema.parse({ namespace: p.system }),
      pipelines: [{ app: APP, stagingNamespace: p.staging, productionNamespace: p.prod, gitSecret: 'fleet-ssh' }],
    });
    await applyObjects(
      p.kc,
      (chart.toJson() as ManifestObject[]).filter((o) => o.kind === 'Role' && o.metadata.namespace === p.prod),
    );
    await p.core.createNamespacedSecret({
      namespace: p.prod,
      body: {
        metadata: { name: 'fleet-ssh' },
        stringData: { identity: sshd.clientKey, known_hosts: sshd.knownHosts },
      },
    });
    const keyBody = sshd.clientKey.split('\n')[2];
    const sampler = procSampler(keyBody);
    try {
      await p.patchSpec({ writeBack: { git: { url, path: FOLDER, secretRef: { name: 'fleet-ssh' } } } });
      await p.releaseToStaging('b2');
      const done = await p.waitForPromotion(
        'b2 promoted through Git over SSH',
        (x) => x.status?.production?.tag === 'b2' && !x.status.inFlight,
        120_000,
      );
      const clone = cloneRepo(bare);
      const [sha, author, subject] = git(clone, ['log', '-1', '--format=%H%n%an <%ae>%n%s']).trim().split('\n');
      expect(author).toBe('ponyexpress <ponyexpress@localhost>');
      expect(subject).toMatch(/^Promote ponyshop to b2/);
      expect(done.status?.history?.[0]).toMatchObject({ result: 'Succeeded', tag: 'b2', commit: sha });
      expect(done.status?.git).toMatchObject({ commit: sha });
      const jobs = await p.batch.listNamespacedJob({ namespace: p.prod });
      expect(jobs.items.filter(jobSucceeded).length).toBeGreaterThan(0);
      for (const [name, image] of Object.entries(await p.prodImages()))
        expect(
          execFileSync('git', ['show', `HEAD:${FOLDER}/50-deployment-${name}.yaml`], { cwd: clone, encoding: 'utf8' }),
        ).toContain(`image: ${image}`);
      expect(sshd.log()).toMatch(/Accepted publickey for \S+ from 127\.0\.0\.1/);
    } finally {
      sampler.stop();
    }
    expect([...sampler.leaks]).toEqual([]);
    // The sampler did see the operator's ssh (so "no leak" means something): strict host keys, a key file.
    const seen = [...sampler.sshLines];
    expect(seen.some((l) => l.includes('StrictHostKeyChecking=yes') && / -i \S*identity/.test(l))).toBe(true);
    expect(seen.some((l) => /accept-new|StrictHostKeyChecking=no/.test(l))).toBe(false);
    expect(JSON.stringify(s.op.logs)).not.toContain(keyBody);
  });
});
