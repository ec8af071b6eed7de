// Staging follows a REAL registry, end to end: Debian's docker-registry with token auth (JWTs from the test's
// token server) and notifications to the operator's webhook, images pushed with the real `docker push`, the
// operator as a real process with the chart's RBAC (get on the one named dockerconfigjson Secret only).
// A push moves staging (migration Job first, then web/worker/beat to repo@digest); bad webhooks, a registry
// that is down and a tag that disappears move nothing. Prints push -> staging updated times (webhook / poll).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { operatorSettingsSchema } from '../../../charts/config/operator-schema.js';
import { OperatorChart } from '../../../charts/operator/operator-chart.js';
import { signature, SIGNATURE_HEADER } from '../../../operator/io/webhook-payload.js';
import type { ImageFollowObject } from '../../../operator/core/follow-types.js';
import { type ManifestObject, waitUntil } from '../harness/index.js';
import { freePort } from '../../../checkapp/services/free-port.js';
import { startTokenRegistry, type TokenRegistry } from '../../operator/io/token-registry.js';
import type { OperatorProcess } from './support/operator-process.js';
import { APP, Pipeline } from './support/pipeline.js';
import { startOperator } from './support/scenario.js';

const SECRET = 'follow-cluster-webhook-secret-42';
const REGCRED = 'regcred';

/** The pipeline with `follow` on its staging end, so the chart's RBAC includes the follow Role. */
class FollowPipeline extends Pipeline {
  override operatorManifests(pipelines: readonly Pipeline[] = [this]): ManifestObject[] {
    const chart = new OperatorChart(new App(), this.prefix, {
      settings: operatorSettingsSchema.parse({ namespace: this.system }),
      pipelines: pipelines.map((p) => ({
        app: APP,
        stagingNamespace: p.staging,
        productionNamespace: p.prod,
        follow: { secretName: REGCRED },
      })),
    });
    const wanted = new Set(['CustomResourceDefinition', 'Namespace', 'ServiceAccount', 'Role', 'RoleBinding']);
    return (chart.toJson() as ManifestObject[]).filter((o) => wanted.has(o.kind!));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('staging follows a real registry (token auth, notifications, docker push)', () => {
  let hooked: TokenRegistry;
  let quiet: TokenRegistry;
  let p: FollowPipeline;
  let op: OperatorProcess | undefined;
  let webhookPort: number;
  const timings: { webhook: number[]; poll: number[] } = { webhook: [], poll: [] };

  const stagingImages = async () => {
    const list = await p.apps.listNamespacedDeployment({ namespace: p.staging });
    return list.items
      .map((d) => [
        ...d.spec!.template.spec!.containers.map((c) => c.image),
        ...(d.spec!.template.spec!.initContainers ?? []).map((c) => c.image),
      ])
      .flat();
  };
  const waitStaging = async (image: string, what: string, timeoutMs = 90_000) =>
    waitUntil(async () => (await stagingImages()).every((i) => i === image), { what, timeoutMs, intervalMs: 100 });
  const getFollow = async () =>
    (await p.custom.getNamespacedCustomObject({
      group: 'ponyexpress.dev',
      version: 'v1alpha1',
      namespace: p.staging,
      plural: 'imagefollows',
      name: APP,
    })) as ImageFollowObject;
  const patchFollow = async (spec: Partial<ImageFollowObject['spec']>) => {
    const { setHeaderOptions, PatchStrategy } = await import('@kubernetes/client-node');
    await p.custom.patchNamespacedCustomObject(
      {
        group: 'ponyexpress.dev',
        version: 'v1alpha1',
        namespace: p.staging,
        plural: 'imagefollows',
        name: APP,
        body: { spec },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  };
  const stagingJobs = async () =>
    (await p.batch.listNamespacedJob({ namespace: p.staging })).items.map((j) => j.metadata!.name!);
  const events = async () =>
    (await p.core.listNamespacedEvent({ namespace: p.staging })).items
      .filter((e) => e.involvedObject.kind === 'ImageFollow')
      .map((e) => `${e.type}/${e.reason}`);
  // Events are sent off the reconcile's path (operator/kube/events.ts): one may land just after its status.
  const eventRecorded = (typeReason: string) =>
    waitUntil(async () => (await events()).includes(typeReason), {
      what: `an ImageFollow Event ${typeReason}`,
      timeoutMs: 10_000,
      intervalMs: 250,
    });

  beforeAll(async () => {
    webhookPort = await freePort();
    hooked = await startTokenRegistry({
      notify: { url: `http://127.0.0.1:${webhookPort}/hooks/registry`, bearer: SECRET },
    });
    quiet = await startTokenRegistry();
    p = new FollowPipeline('op-follow', `${hooked.host}/ponyshop`);
    await p.setUp('a1');
    await p.runStagingMigration('a1'); // the chart's staging Job: the template the follower copies
    // Both registries' credentials in one dockerconfigjson, as `kubectl create secret docker-registry` would write it.
    const auths = { ...JSON.parse(hooked.dockerConfigJson).auths, ...JSON.parse(quiet.dockerConfigJson).auths };
    await p.core.createNamespacedSecret({
      namespace: p.staging,
      body: {
        metadata: { name: REGCRED },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') },
      },
    });
    // A Secret the operator must not be able to read (RBAC names only regcred).
    await p.core.createNamespacedSecret({
      namespace: p.staging,
      body: { metadata: { name: 'other' }, stringData: { x: 'y' } },
    });
    const secretFile = join(mkdtempSync(join(tmpdir(), 'op-follow-')), 'secret');
    writeFileSync(secretFile, SECRET, { mode: 0o600 });
    op = await startOperator(p, 'op-follow-0', {
      PONYEXPRESS_FOLLOW_NAMESPACES: p.staging,
      PONYEXPRESS_WEBHOOK_PORT: String(webhookPort),
      PONYEXPRESS_WEBHOOK_HOST: '127.0.0.1',
      PONYEXPRESS_WEBHOOK_SECRET_FILE: secretFile,
    });
  }, 180_000);

  afterAll(async () => {
    await op?.stop();
    await hooked?.stop();
    await quiet?.stop();
    console.log(
      `follow timings (docker push -> staging workloads on repo@digest), ms: webhook ${JSON.stringify(timings.webhook)} median ${median(timings.webhook)}; poll every 10 s ${JSON.stringify(timings.poll)} median ${median(timings.poll)}`,
    );
  });

  it('adopts: moves staging from a1 to the newest sha tag, migration Job first, by digest', async () => {
    const first = await hooked.push('ponyshop', 'sha-0000001');
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
          repository: `${hooked.host}/ponyshop`,
          tags: { regex: 'sha-[0-9a-f]{7}' },
          credentials: { secretName: REGCRED },
          intervalSeconds: 3600, // only the webhook can make a push visible within this test
          selector: {
            matchLabels: { 'app.kubernetes.io/instance': `${APP}-staging` },
            matchExpressions: [
              { key: 'app.kubernetes.io/component', operator: 'In', values: ['web', 'worker', 'beat'] },
            ],
          },
          migrationJobSelector: {
            matchLabels: { 'app.kubernetes.io/instance': `${APP}-staging`, 'app.kubernetes.io/component': 'migrate' },
          },
        },
      },
    });
    const image = `${hooked.host}/ponyshop@${first.digest}`;
    await waitStaging(image, 'staging on sha-0000001 by digest');
    const jobs = await p.batch.listNamespacedJob({ namespace: p.staging });
    const migrate = jobs.items.find((j) => j.metadata?.annotations?.['ponyexpress.dev/image'] === image);
    expect(migrate?.status?.succeeded).toBe(1);
    const f = await getFollow();
    expect(f.status?.current).toMatchObject({ tag: 'sha-0000001', digest: first.digest, image });
    expect(f.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'UpToDate',
      observedGeneration: 1,
    });
    await eventRecorded('Normal/Moved');
  });

  it('a push reaches staging through the webhook (poll interval 1 h)', async () => {
    for (let i = 2; i <= 4; i++) {
      const tag = `sha-000000${i}`;
      const pushed = await hooked.push('ponyshop', tag);
      await waitStaging(`${hooked.host}/ponyshop@${pushed.digest}`, `staging on ${tag}`, 60_000);
      timings.webhook.push(Date.now() - pushed.pushedAt);
    }
    expect(timings.webhook).toHaveLength(3);
  });

  it('unsigned or malformed webhooks are refused and move nothing', async () => {
    const before = await stagingImages();
    const jobsBefore = await stagingJobs();
    const url = `http://127.0.0.1:${webhookPort}/hooks/tag`;
    const body = JSON.stringify({ repository: `${hooked.host}/ponyshop`, tag: 'sha-0000009' });
    const unsigned = await fetch(url, { method: 'POST', body });
    expect(unsigned.status).toBe(401);
    const junk = '{"repository": 42}';
    const malformed = await fetch(url, {
      method: 'POST',
      body: junk,
      headers: { [SIGNATURE_HEADER]: signature(SECRET, Buffer.from(junk)) },
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toContain(
      'repository is 42; expected a repository without tag or digest',
    );
    await new Promise((r) => setTimeout(r, 2000));
    expect(await stagingImages()).toEqual(before);
    expect(await stagingJobs()).toEqual(jobsBefore);
  });

  it('polling alone (a registry without notifications, every 10 s) moves staging too', async () => {
    const seed = await quiet.push('ponyshop', 'sha-1000000');
    await patchFollow({ repository: `${quiet.host}/ponyshop`, intervalSeconds: 10 });
    await waitStaging(`${quiet.host}/ponyshop@${seed.digest}`, 'staging on the quiet registry', 60_000);
    for (let i = 1; i <= 3; i++) {
      const tag = `sha-100000${i}`;
      const pushed = await quiet.push('ponyshop', tag);
      await waitStaging(`${quiet.host}/ponyshop@${pushed.digest}`, `staging on ${tag} by polling`, 60_000);
      timings.poll.push(Date.now() - pushed.pushedAt);
    }
    expect(timings.poll).toHaveLength(3);
  });

  it('a tag that disappears moves nothing (staging keeps its digest, no older tag comes back)', async () => {
    const before = await stagingImages();
    const current = (await getFollow()).status!.current!;
    await quiet.deleteManifest('ponyshop', current.digest!);
    await new Promise((r) => setTimeout(r, 13_000)); // more than one poll
    expect(await stagingImages()).toEqual(before);
    const ready = (await getFollow()).status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready?.message).toMatch(
      /^nothing moves: sha-1000002 \(created .*\) is not newer than staging's sha-1000003/,
    );
  });

  it('registry down: RegistryReachable=False and a Warning Event, nothing moves; back up: recovers', async () => {
    const before = await stagingImages();
    await quiet.kill();
    try {
      await waitUntil(
        async () =>
          (await getFollow()).status?.conditions?.some(
            (c) => c.type === 'RegistryReachable' && c.reason === 'RegistryUnavailable',
          ) ?? false,
        { what: 'RegistryUnavailable condition', timeoutMs: 40_000, intervalMs: 500 },
      );
      const f = await getFollow();
      expect(f.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
        status: 'False',
        reason: 'RegistryUnavailable',
      });
      expect(f.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain(
        `GET http://${quiet.host}/v2/ponyshop/tags/list?n=1000 failed: ECONNREFUSED`,
      );
      await eventRecorded('Warning/RegistryUnavailable');
      expect(await stagingImages()).toEqual(before);
    } finally {
      await quiet.start();
    }
    await waitUntil(
      async () =>
        (await getFollow()).status?.conditions?.some((c) => c.type === 'RegistryReachable' && c.status === 'True') ??
        false,
      { what: 'registry reachable again (after backoff)', timeoutMs: 60_000, intervalMs: 500 },
    );
  });

  it('the CRD refuses two tag policies, orderBy without regex and an empty selector, saying which', async () => {
    const attempt = async (spec: Record<string, unknown>) => {
      try {
        await p.custom.createNamespacedCustomObject({
          group: 'ponyexpress.dev',
          version: 'v1alpha1',
          namespace: p.staging,
          plural: 'imagefollows',
          body: { apiVersion: 'ponyexpress.dev/v1alpha1', kind: 'ImageFollow', metadata: { name: 'bad' }, spec },
        });
        return 'accepted';
      } catch (err) {
        return String((err as { body?: string }).body ?? err);
      }
    };
    const base = {
      repository: `${hooked.host}/ponyshop`,
      selector: { matchLabels: { a: 'b' } },
      migrationJobSelector: { matchLabels: { a: 'b' } },
    };
    expect(await attempt({ ...base, tags: { semver: '>=1', tag: 'latest' } })).toContain(
      'tags must set exactly one of semver, regex or tag',
    );
    expect(await attempt({ ...base, tags: { semver: '>=1', orderBy: 'CreatedAt' } })).toContain(
      'tags.orderBy applies to regex only',
    );
    expect(await attempt({ ...base, tags: { tag: 'latest' }, selector: {} })).toContain('selector must not be empty');
    expect(await attempt({ ...base, repository: 'Registry/Shop:1', tags: { tag: 'latest' } })).toContain(
      'repository must be a lower-case repository without tag or digest',
    );
  });

  it('the operator cannot read any other Secret (RBAC: get on regcred only)', async () => {
    await patchFollow({ credentials: { secretName: 'other' } });
    await waitUntil(
      async () =>
        (await getFollow()).status?.conditions?.some(
          (c) => c.type === 'RegistryReachable' && c.reason === 'CredentialsUnavailable',
        ) ?? false,
      { what: 'CredentialsUnavailable', timeoutMs: 30_000, intervalMs: 500 },
    );
    const msg = (await getFollow()).status?.conditions?.find((c) => c.type === 'RegistryReachable')?.message;
    expect(msg).toContain(`cannot read Secret ${p.staging}/other named in spec.credentials: Forbidden (403)`);
  });
});
