// The `ponyexpress` CLI as a real child process (its npm bin shim) against the real apiserver, as a
// release manager whose only grant is get/list/patch on Promotions in one namespace: every command
// works with that much and no more, writes exactly its annotations, and fails clearly on bad input.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KubeClient } from '../../../operator/kube/client.js';
import { ANNOTATION, type PromotionObject } from '../../../operator/core/types.js';
import {
  adminKubeConfig,
  applyObjects,
  createTestNamespace,
  deleteTestNamespace,
  mintServiceAccountToken,
  type ManifestObject,
} from '../harness/index.js';
import { examplePromotion } from '../../operator/core/crd-cases.js';
import { DIGEST_B, DIGEST_C, DIGEST_D, promotion as fixture } from '../../operator/cli/fixtures.js';
import { adminClient, installCrd, promotionsPath, uniquePrefix, waitUntilServed } from './support.js';
import { kubectlAvailable, runCli, runKubectl, writeTokenKubeconfig, type CliRun } from './run-cli.js';

const prefix = uniquePrefix('cli');
const ns = `${prefix}-prod`;
const path = `${promotionsPath(ns)}/ponyshop`;
const TRACKING = 'argocd.argoproj.io/tracking-id';
let admin: KubeClient;
let kubeconfig: string;

const cli = (...args: string[]): Promise<CliRun> => runCli(args, kubeconfig);
const read = () =>
  admin.request<PromotionObject & { metadata: { resourceVersion: string; managedFields: { manager: string }[] } }>(
    'GET',
    path,
  );
const annotations = async () => (await read()).metadata.annotations ?? {};

beforeAll(async () => {
  const kc = adminKubeConfig();
  admin = await adminClient();
  await Promise.all([installCrd(admin), createTestNamespace(kc, ns, { waitForDefaultServiceAccount: false })]);
  await applyObjects(kc, [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'release-manager', namespace: ns } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'promotion-intents', namespace: ns },
      rules: [{ apiGroups: ['ponyexpress.dev'], resources: ['promotions'], verbs: ['get', 'list', 'patch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'release-manager', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'promotion-intents' },
      subjects: [{ kind: 'ServiceAccount', name: 'release-manager', namespace: ns }],
    },
  ] as ManifestObject[]);
  kubeconfig = writeTokenKubeconfig(
    kc,
    await mintServiceAccountToken(kc, ns, 'release-manager', { expirationSeconds: 900 }),
  );

  // A Promotion mid-life: Manual approval, staging 1.5.0 verified, production 1.4.0, a history.
  const body = examplePromotion();
  body.metadata = {
    name: 'ponyshop',
    namespace: ns,
    annotations: { [TRACKING]: 'ponyshop:ponyexpress.dev/Promotion' },
  };
  body.spec.target.namespace = ns;
  body.spec.policy.approval = 'Manual';
  await waitUntilServed(admin, body);
  const created = await admin.request<PromotionObject>('POST', promotionsPath(ns), { body });
  await admin.request('PUT', `${path}/status`, { body: { ...created, status: fixture().status } });
});

afterAll(async () => {
  await deleteTestNamespace(adminKubeConfig(), ns, { wait: false });
  rmSync(dirname(kubeconfig), { recursive: true, force: true });
});

describe('status', () => {
  test('shows one Promotion in detail, with the next step for a human', async () => {
    const run = await cli('status', 'ponyshop', '-n', ns);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^Promotion:\\s+${ns}/ponyshop$`, 'm'));
    expect(run.stdout).toMatch(/^Approval:\s+Manual$/m);
    expect(run.stdout).toMatch(/^Phase:\s+Waiting$/m);
    expect(run.stdout).toMatch(
      new RegExp(`^Staging:\\s+1\\.5\\.0 \\(ghcr\\.io/ponyexpress/ponyshop@${DIGEST_C}\\), verified`, 'm'),
    );
    expect(run.stdout).toMatch(
      new RegExp(`^Production:\\s+1\\.4\\.0 \\(ghcr\\.io/ponyexpress/ponyshop@${DIGEST_B}\\)`, 'm'),
    );
    expect(run.stdout).toContain(`Waiting for approval of 1.5.0: ponyexpress approve ponyshop 1.5.0 -n ${ns}`);
    expect(run.stdout).toMatch(/^Ready\s+False\s+AwaitingApproval\s/m);
    expect(run.stdout.match(/^(1\.4\.0|1\.3\.9|1\.3\.0)\s/gm)).toEqual(['1.4.0 ', '1.3.9 ', '1.3.0 ']);
  });

  test("lists the namespace's Promotions as a table", async () => {
    const run = await cli('status', '-n', ns);
    expect(run.code).toBe(0);
    const [header, row, ...rest] = run.stdout.trim().split('\n');
    expect(header.split(/\s{2,}/)).toEqual(['NAME', 'STAGING', 'PRODUCTION', 'PHASE', 'IN-FLIGHT', 'APPROVAL', 'HOLD']);
    expect(row.split(/\s{2,}/)).toEqual([
      'ponyshop',
      '1.5.0@sha256:cccccccccccc (verified)',
      '1.4.0@sha256:bbbbbbbbbbbb',
      'Waiting',
      '-',
      'Manual',
      '-',
    ]);
    expect(rest).toEqual([]);
  });

  test('-o json prints the object as the apiserver stores it', async () => {
    const run = await cli('status', 'ponyshop', '-n', ns, '-o', 'json');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as PromotionObject;
    const stored = await read();
    expect([printed.metadata.uid, printed.spec, printed.status]).toEqual([
      stored.metadata.uid,
      stored.spec,
      stored.status,
    ]);
  });
});

describe('intents are annotations, and nothing else changes', () => {
  test('approve sets ponyexpress.dev/approve to the tag, keeping other annotations, spec and status', async () => {
    const before = await read();
    const run = await cli('approve', 'ponyshop', '1.5.0', '-n', ns);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`approved 1.5.0 for ${ns}/ponyshop`);
    const after = await read();
    expect(after.metadata.annotations).toEqual({
      [TRACKING]: before.metadata.annotations![TRACKING],
      [ANNOTATION.approve]: '1.5.0',
    });
    expect([after.spec, after.status]).toEqual([before.spec, before.status]);
    expect(after.metadata.managedFields.map((f) => f.manager)).toContain('ponyexpress-cli');
  });

  test('hold sets the reason, release removes it', async () => {
    expect((await cli('hold', 'ponyshop', '--reason', 'incident 42', '-n', ns)).code).toBe(0);
    expect((await annotations())[ANNOTATION.hold]).toBe('incident 42');
    const status = await cli('status', 'ponyshop', '-n', ns);
    expect(status.stdout).toMatch(/^Hold:\s+incident 42 \(requested\)$/m);
    expect(status.stdout).toContain(`Held: nothing is promoted. Resume with: ponyexpress release ponyshop -n ${ns}`);

    const release = await cli('release', 'ponyshop', '-n', ns);
    expect(release.stdout).toContain(`released ${ns}/ponyshop: automation resumes`);
    expect(await annotations()).not.toHaveProperty([ANNOTATION.hold]);
    expect((await annotations())[ANNOTATION.approve]).toBe('1.5.0');
  });

  test('rollback pins the digest of a history entry and holds; release drops both', async () => {
    const run = await cli('rollback', 'ponyshop', '1.3.0', '-n', ns);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('migrations are neither re-run nor reversed');
    expect(await annotations()).toMatchObject({
      [ANNOTATION.rollbackTo]: DIGEST_D,
      [ANNOTATION.hold]: `rollback to 1.3.0 (${DIGEST_D}) (ponyexpress rollback)`,
    });
    expect((await cli('release', 'ponyshop', '-n', ns)).code).toBe(0);
    const left = await annotations();
    expect([left[ANNOTATION.rollbackTo], left[ANNOTATION.hold]]).toEqual([undefined, undefined]);
  });
});

describe('bad input fails with one clear line and a non-zero exit, writing nothing', () => {
  let resourceVersion: string;
  beforeAll(async () => {
    resourceVersion = (await read()).metadata.resourceVersion;
  });
  afterAll(async () => {
    expect((await read()).metadata.resourceVersion).toBe(resourceVersion);
  });

  test('rollback to a tag that never reached production lists the valid targets', async () => {
    const run = await cli('rollback', 'ponyshop', '1.3.9', '-n', ns);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: no history entry matches 1.3.9.');
    expect(run.stderr).toContain(`1.4.0 (${DIGEST_B})`);
    expect(run.stderr).toContain(`1.3.0 (${DIGEST_D})`);
    expect(run.stdout).toBe('');
  });

  test('rollback to an unknown tag', async () => {
    const run = await cli('rollback', 'ponyshop', '9.9.9', '-n', ns);
    expect([run.code, run.stderr.split('\n')[0]]).toEqual([1, 'error: no history entry matches 9.9.9.']);
  });

  // Every write command reads the Promotion first (one code path), so one reader and one writer suffice.
  test.each([['status'], ['rollback', '1.3.0']])('%s of an unknown Promotion', async (verb, ...rest) => {
    const run = await cli(verb, 'nope', ...rest, '-n', ns);
    expect([run.code, run.stderr.trim()]).toEqual([
      1,
      `error: Promotion "nope" in namespace "${ns}" not found (list them with: ponyexpress status -A)`,
    ]);
  });

  test('approving an image of another repository', async () => {
    const run = await cli('approve', 'ponyshop', 'docker.io/someone/else:1.5.0', '-n', ns);
    expect([run.code, run.stderr.trim()]).toEqual([
      1,
      'error: "docker.io/someone/else:1.5.0" is not an image of ghcr.io/ponyexpress/ponyshop',
    ]);
  });

  test('a namespace the credentials do not reach, and every namespace', async () => {
    const other = await cli('status', 'ponyshop', '-n', 'default');
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(
      /^error: forbidden: your credentials may not access Promotion "ponyshop" in namespace "default": .*cannot get resource "promotions"/,
    );
    const all = await cli('status', '-A');
    expect(all.code).toBe(1);
    expect(all.stderr).toMatch(/^error: forbidden: .*cannot list resource "promotions" .* at the cluster scope/);
  });

  test('a hold without a reason is a usage error (exit 2)', async () => {
    const run = await cli('hold', 'ponyshop', '-n', ns);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: hold needs --reason <text>');
    expect(run.stderr).toContain('Usage: ponyexpress');
  });
});

describe('with kubectl', () => {
  const available = kubectlAvailable();
  if (!available)
    console.warn(
      'SKIPPED the kubectl tests of test/cluster/operator-api/cli.test.ts: no kubectl on PATH (the CLI tests above do not need it).',
    );
  const kubectlTest = available ? test : test.skip;

  kubectlTest('the CLI works as the kubectl plugin `kubectl ponyexpress`', async () => {
    const run = await runKubectl(['ponyexpress', 'status', 'ponyshop', '-n', ns], kubeconfig);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(new RegExp(`^Promotion:\\s+${ns}/ponyshop$`, 'm'));
  });

  kubectlTest('`kubectl get promo` prints the printer columns, resolved through the short name', async () => {
    const run = await runKubectl(['get', 'promo', '-n', ns], kubeconfig);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const [header, row] = run.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/));
    expect(header).toEqual(['NAME', 'STAGING', 'PRODUCTION', 'PHASE', 'AGE']);
    expect(row.slice(0, 4)).toEqual(['ponyshop', '1.5.0', '1.4.0', 'Waiting']);
  });
});
