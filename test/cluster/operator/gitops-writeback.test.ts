// Issue 11 part 2 on the real control plane: a production promotion in Git mode is ONE commit to a real git
// server (git http-backend, basic auth), made only after the migration Job succeeded; status and history
// carry its SHA; Git and the cluster agree at the end. Then a human commit that changes a managed image is
// drift: the next promotion holds with GitDrift and the operator commits nothing over it.
import { execFileSync } from 'node:child_process';
import { App } from 'cdk8s';
import { toYaml } from '../../../contract/index.js';
import { operatorSettingsSchema } from '../../../charts/config/operator-schema.js';
import { OperatorChart } from '../../../charts/operator/operator-chart.js';
import type { ManifestObject } from '../../../charts/render.js';
import { applyObjects } from '../harness/index.js';
import { GitHttpServer } from '../../gitops/git-http-server.js';
import { cloneRepo, git, pushCommit, removeTempDirs } from '../../gitops/support.js';
import { operatorScenario, jobSucceeded } from './support/scenario.js';
import { APP } from './support/pipeline.js';

const server = new GitHttpServer('fleet-bot', 'fleet-token');
const FOLDER = 'prod';
const authed = (url: string) => url.replace('http://', 'http://fleet-bot:fleet-token@');
let url = '';

describe('operator: Git write-back', () => {
  beforeAll(() => server.start());
  const s = operatorScenario('op-gitwb');
  afterAll(async () => {
    await server.stop();
    removeTempDirs();
  });

  const headMessage = () => git(cloneRepo(authed(url)), ['log', '-1', '--format=%H%n%an <%ae>%n%B']);
  const gitFile = (name: string) =>
    execFileSync('git', ['show', `HEAD:${FOLDER}/${name}`], { cwd: cloneRepo(authed(url)), encoding: 'utf8' });

  it('promotes b2 by one commit after its migration; status and history carry the SHA; Git equals the cluster', async () => {
    const { p } = s;
    // The GitOps folder as publish:gitops would have written production on a1.
    url = server.createRepo('fleet');
    const files: Record<string, string> = {};
    for (const o of p.workloads(p.prod, 'production', 'a1') as ManifestObject[])
      files[`${FOLDER}/50-deployment-${o.metadata.name}.yaml`] = `# test\n${toYaml(o)}`;
    pushCommit(authed(url), files, 'Publish production on a1');
    // The operator chart's Roles with the write-back Secret (get on that one name), and the Secret.
    const chart = new OperatorChart(new App(), 'gitwb', {
      settings: operatorSettingsSchema.parse({ namespace: p.system }),
      pipelines: [{ app: APP, stagingNamespace: p.staging, productionNamespace: p.prod, gitSecret: 'fleet-git' }],
    });
    const rbac = (chart.toJson() as ManifestObject[]).filter(
      (o) => o.kind === 'Role' && o.metadata.namespace === p.prod,
    );
    expect(JSON.stringify(rbac)).toContain('"resourceNames":["fleet-git"]');
    await applyObjects(p.kc, rbac);
    await p.core.createNamespacedSecret({
      namespace: p.prod,
      body: { metadata: { name: 'fleet-git' }, stringData: { username: 'fleet-bot', password: 'fleet-token' } },
    });
    await p.patchSpec({
      writeBack: {
        git: {
          url,
          path: FOLDER,
          secretRef: { name: 'fleet-git' },
          author: { name: 'Fleet Bot', email: 'bot@fleet.example' },
        },
      },
    });
    const writesBefore = await s.op.counter('ponyexpress_api_writes_total', '');
    await p.releaseToStaging('b2');
    const done = await p.waitForPromotion(
      'b2 promoted through Git',
      (x) => x.status?.production?.tag === 'b2' && !x.status.inFlight,
      120_000,
    );
    const writes = (await s.op.counter('ponyexpress_api_writes_total', '')) - writesBefore;

    const [sha, author, ...message] = headMessage().trim().split('\n');
    expect(author).toBe('Fleet Bot <bot@fleet.example>');
    expect(message.join('\n')).toContain(`Promotion: ${p.prod}/${APP}`);
    expect(message.join('\n')).toContain('Tag: b2');
    expect(done.status?.history?.[0]).toMatchObject({ result: 'Succeeded', tag: 'b2', commit: sha });
    expect(done.status?.git).toMatchObject({ commit: sha });
    // The commit came after the migration: the Job had succeeded before Git said b2.
    const jobs = await p.batch.listNamespacedJob({ namespace: p.prod });
    expect(jobs.items.filter(jobSucceeded).length).toBeGreaterThan(0);
    // Git and the cluster agree.
    for (const [name, image] of Object.entries(await p.prodImages()))
      expect(gitFile(`50-deployment-${name}.yaml`)).toContain(`image: ${image}`);
    expect(Object.values(await p.prodImages()).every((i) => i.endsWith(':b2'))).toBe(true);
    const commits = git(cloneRepo(authed(url)), ['rev-list', '--count', 'HEAD']).trim();
    expect(commits).toBe('2');
    process.stdout.write(`git write-back: ${writes} API writes and 1 commit for the b2 promotion\n`);
  });

  it('a human commit that changes a managed image is drift: c3 is not promoted, nothing is committed over it', async () => {
    const { p } = s;
    const web = gitFile('50-deployment-ponyshop-web.yaml');
    pushCommit(
      authed(url),
      { [`${FOLDER}/50-deployment-ponyshop-web.yaml`]: web.split(':b2').join(':hotfix') },
      'Hotfix web by hand',
    );
    const humanHead = git(cloneRepo(authed(url)), ['rev-parse', 'HEAD']).trim();
    await p.releaseToStaging('c3');
    const held = await p.waitForPromotion(
      'GitDrift',
      (x) => x.status?.conditions?.some((c) => c.type === 'Degraded' && c.reason === 'GitDrift') ?? false,
      120_000,
    );
    expect(held.status?.git?.drift).toMatchObject({ component: 'web', commit: humanHead });
    await new Promise((r) => setTimeout(r, 3000));
    expect(git(cloneRepo(authed(url)), ['rev-parse', 'HEAD']).trim()).toBe(humanHead);
    expect(Object.values(await p.prodImages()).some((i) => i.endsWith(':c3'))).toBe(false);
  });
});
