// Polling a REAL registry for the follow controller: Debian's docker-registry with token auth (a token server
// here signs the JWTs it trusts), images pushed with the real `docker push`, and its notifications posted to
// the real webhook server. Error statuses the registry cannot be told to produce (429, 5xx) come from a
// small front that forwards everything else to it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chooseMove } from '../../../operator/core/follow-plan.js';
import type { ImageFollowObject } from '../../../operator/core/follow-types.js';
import { credentialsFor } from '../../../operator/io/docker-config.js';
import { RegistryClient } from '../../../operator/io/registry-client.js';
import { CreatedCache, pollRegistry } from '../../../operator/io/registry-poll.js';
import type { Push } from '../../../operator/io/webhook-payload.js';
import { startWebhookServer, type WebhookServer } from '../../../operator/runtime/webhook-server.js';
import { freePort } from '../../../checkapp/services/free-port.js';
import { startTokenRegistry, type TokenRegistry } from './token-registry.js';

const SECRET = 'follow-webhook-secret-0123456789';
let registry: TokenRegistry;
let webhook: WebhookServer;
const received: Push[] = [];
let a: { digest: string };
let b: { digest: string };

const client = (creds = credentialsFor(registry.dockerConfigJson, registry.host, 'test/regcred')) =>
  new RegistryClient({ credentials: creds });
const follow = (
  tags: ImageFollowObject['spec']['tags'],
  current?: { tag: string; digest: string; createdAt?: string },
) =>
  ({
    metadata: { name: 'ponyshop', namespace: 'staging', generation: 1 },
    spec: { repository: `${registry.host}/ponyshop`, tags, selector: {}, migrationJobSelector: {} },
    status: current ? { current } : {},
  }) as unknown as ImageFollowObject;

beforeAll(async () => {
  const port = await freePort();
  webhook = await startWebhookServer({
    host: '127.0.0.1',
    port,
    secret: SECRET,
    maxBodyBytes: 256 * 1024,
    ratePerSecond: 50,
    burst: 50,
    onPushes: (pushes) => (received.push(...pushes), pushes.length),
  });
  registry = await startTokenRegistry({ notify: { url: `http://127.0.0.1:${port}/hooks/registry`, bearer: SECRET } });
  a = await registry.push('ponyshop', 'sha-bbbbbbb');
  // Created later, though its tag sorts first: CreatedAt must pick it.
  b = await registry.push('ponyshop', 'sha-aaaaaaa');
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  await webhook?.close();
});

describe('pollRegistry against docker-registry with token auth', () => {
  it('picks the newest sha tag by the image creation time, with the Secret credentials', async () => {
    const poll = await pollRegistry(
      client(),
      `${registry.host}/ponyshop`,
      { regex: 'sha-[0-9a-f]{7}' },
      new CreatedCache(),
    );
    expect(poll).toMatchObject({ ok: true, matching: 2, candidate: { tag: 'sha-aaaaaaa', digest: b.digest } });
    expect(registry.tokenRequests.some((r) => r.includes('scope=repository%3Aponyshop%3Apull'))).toBe(true);
  });

  it('Alphabetical ordering picks by text instead', async () => {
    const poll = await pollRegistry(
      client(),
      `${registry.host}/ponyshop`,
      { regex: 'sha-.*', orderBy: 'Alphabetical' },
      new CreatedCache(),
    );
    expect(poll).toMatchObject({ ok: true, candidate: { tag: 'sha-bbbbbbb', digest: a.digest } });
  });

  it('wrong credentials: Unauthorized, naming the token service; anonymous: Unauthorized too', async () => {
    const bad = await pollRegistry(
      client({ username: 'ci', password: 'wrong' }),
      `${registry.host}/ponyshop`,
      { tag: 'x' },
      new CreatedCache(),
    );
    expect(bad).toMatchObject({ ok: false, reason: 'Unauthorized' });
    expect(!bad.ok && bad.message).toContain('refused the credentials from the Secret (HTTP 401)');
    const anon = await pollRegistry(
      new RegistryClient({}),
      `${registry.host}/ponyshop`,
      { tag: 'x' },
      new CreatedCache(),
    );
    expect(anon).toMatchObject({ ok: false, reason: 'Unauthorized' });
  });

  it('a mutable tag (latest) is pinned to the digest it names now', async () => {
    const first = await registry.push('ponyshop', 'latest');
    const p1 = await pollRegistry(client(), `${registry.host}/ponyshop`, { tag: 'latest' }, new CreatedCache());
    expect(p1).toMatchObject({ ok: true, candidate: { tag: 'latest', digest: first.digest } });
    const second = await registry.push('ponyshop', 'latest');
    expect(second.digest).not.toBe(first.digest);
    const p2 = await pollRegistry(client(), `${registry.host}/ponyshop`, { tag: 'latest' }, new CreatedCache());
    expect(p2).toMatchObject({ ok: true, candidate: { tag: 'latest', digest: second.digest } });
  }, 60_000);

  it('the registry posts push notifications the webhook accepts (Bearer), naming repository, tag and digest', async () => {
    const c = await registry.push('ponyshop', 'sha-ccccccc');
    const deadline = Date.now() + 15_000;
    while (!received.some((p) => p.tag === 'sha-ccccccc') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(received).toContainEqual({ name: 'ponyshop', tag: 'sha-ccccccc', digest: c.digest });
  }, 60_000);

  it('a tag that disappears: the older one is newest again, and nothing moves', async () => {
    const d = await registry.push('ponyshop', 'sha-ddddddd');
    const policy = { regex: 'sha-[0-9a-f]{7}' };
    const before = await pollRegistry(client(), `${registry.host}/ponyshop`, policy, new CreatedCache());
    expect(before).toMatchObject({ ok: true, candidate: { tag: 'sha-ddddddd' } });
    const current = before.ok ? before.candidate! : undefined;
    await registry.deleteManifest('ponyshop', d.digest);
    const after = await pollRegistry(client(), `${registry.host}/ponyshop`, policy, new CreatedCache());
    expect(after.ok && after.candidate?.tag).not.toBe('sha-ddddddd');
    const choice = chooseMove(follow(policy, current), after, { digest: d.digest });
    expect(choice.target).toBeUndefined();
    expect(choice.stay?.message).toMatch(
      /^nothing moves: sha-\w+ \(created .*\) is not newer than staging's sha-ddddddd/,
    );
  }, 60_000);

  it('registry down: RegistryUnavailable naming the request, and nothing to move', async () => {
    await registry.kill();
    try {
      const poll = await pollRegistry(client(), `${registry.host}/ponyshop`, { tag: 'latest' }, new CreatedCache());
      expect(poll).toMatchObject({ ok: false, reason: 'RegistryUnavailable' });
      expect(!poll.ok && poll.message).toMatch(
        new RegExp(`GET http://${registry.host}/v2/ponyshop/tags/list\\?n=1000 failed: ECONNREFUSED`),
      );
      expect(chooseMove(follow({ tag: 'latest' }), poll, {}).target).toBeUndefined();
    } finally {
      await registry.start();
    }
  }, 30_000);
});

describe('429 and 5xx from a front of the real registry', () => {
  let front: Server;
  let mode: 'pass' | '429' | '503' | '500' = 'pass';
  let frontHost: string;
  beforeAll(async () => {
    front = createServer((req, res) => {
      if (mode === '429') {
        res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
        return;
      }
      if (mode !== 'pass') {
        res.writeHead(
          Number(mode),
          mode === '503' ? { 'retry-after': new Date(Date.now() + 20_000).toUTCString() } : {},
        );
        res.end('upstream sad');
        return;
      }
      void fetch(`${registry.baseUrl}${req.url}`, { headers: req.headers as Record<string, string> }).then(
        async (up) => {
          const headers = Object.fromEntries(up.headers);
          delete headers['content-encoding'];
          delete headers['transfer-encoding'];
          res.writeHead(up.status, headers);
          res.end(Buffer.from(await up.arrayBuffer()));
        },
      );
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    frontHost = `127.0.0.1:${(front.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => front.close(r)));

  it('429 is RateLimited with the Retry-After seconds', async () => {
    mode = '429';
    const poll = await pollRegistry(client(), `${frontHost}/ponyshop`, { tag: 'latest' }, new CreatedCache());
    expect(poll).toMatchObject({ ok: false, reason: 'RateLimited', retryAfterMs: 7000 });
    expect(!poll.ok && poll.message).toContain('HTTP 429 (TOOMANYREQUESTS: slow down); waiting 7 s as asked');
  });

  it('503 with an HTTP-date Retry-After, and 500, are RegistryUnavailable', async () => {
    mode = '503';
    const p503 = await pollRegistry(client(), `${frontHost}/ponyshop`, { tag: 'latest' }, new CreatedCache());
    expect(p503).toMatchObject({ ok: false, reason: 'RegistryUnavailable' });
    expect(!p503.ok && p503.retryAfterMs).toBeGreaterThan(15_000);
    mode = '500';
    expect(await pollRegistry(client(), `${frontHost}/ponyshop`, { tag: 'latest' }, new CreatedCache())).toMatchObject({
      ok: false,
      reason: 'RegistryUnavailable',
      message: expect.stringContaining('answered HTTP 500'),
    });
  });
});
