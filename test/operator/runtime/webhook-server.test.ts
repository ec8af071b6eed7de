// The follow webhook over real HTTP: what it accepts (docker-registry envelope with a Bearer token, CI's
// JSON with an HMAC) and every refusal, each with its status and reason; a refusal enqueues nothing.
import { signature, SIGNATURE_HEADER, type Push } from '../../../operator/io/webhook-payload.js';
import { startWebhookServer, type WebhookServer } from '../../../operator/runtime/webhook-server.js';

const SECRET = 'a-shared-secret-of-some-length';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
let server: WebhookServer;
let enqueued: Push[] = [];
let now = 1_000_000;

beforeAll(async () => {
  server = await startWebhookServer({
    host: '127.0.0.1',
    port: 0,
    secret: SECRET,
    maxBodyBytes: 4096,
    ratePerSecond: 2,
    burst: 30,
    onPushes: (p) => (enqueued.push(...p), p.length),
    now: () => now,
  });
});
afterAll(() => server.close());
beforeEach(() => {
  enqueued = [];
  now += 60_000; // a full bucket for every test
});

const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { method: 'POST', body, headers });
  return { status: res.status, body: (await res.json()) as { error?: string; enqueued?: number } };
};
const envelope = (events: unknown[]) => JSON.stringify({ events });
const bearer = { authorization: `Bearer ${SECRET}` };

describe('accepted', () => {
  it('docker-registry envelope with the Bearer token: manifest pushes with a tag enqueue; blobs and pulls do not', async () => {
    const body = envelope([
      { action: 'push', target: { mediaType: 'application/octet-stream', repository: 'ponyshop', digest: DIGEST } },
      { action: 'pull', target: { repository: 'ponyshop', tag: 'x' } },
      {
        action: 'push',
        target: {
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          repository: 'acme/ponyshop',
          tag: 'sha-1234567',
          digest: DIGEST,
        },
      },
    ]);
    expect(await post('/hooks/registry', body, bearer)).toEqual({ status: 202, body: { pushes: 1, enqueued: 1 } });
    expect(enqueued).toEqual([{ name: 'acme/ponyshop', tag: 'sha-1234567', digest: DIGEST }]);
  });

  it('CI tag JSON signed with HMAC-SHA256 of the body', async () => {
    const body = JSON.stringify({ repository: 'registry.example.com/acme/ponyshop', tag: '1.5.0' });
    const res = await post('/hooks/tag', body, { [SIGNATURE_HEADER]: signature(SECRET, Buffer.from(body)) });
    expect(res).toEqual({ status: 202, body: { pushes: 1, enqueued: 1 } });
    expect(enqueued).toEqual([{ name: 'acme/ponyshop', tag: '1.5.0' }]);
  });
});

describe('refused, nothing enqueued', () => {
  afterEach(() => expect(enqueued).toEqual([]));
  const good = JSON.stringify({ repository: 'registry.example.com/acme/ponyshop', tag: '1.5.0' });

  it('no credentials: 401 naming both ways to sign', async () => {
    const res = await post('/hooks/tag', good);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe(
      `no credentials: send ${SIGNATURE_HEADER}: sha256=<HMAC-SHA256 of the body> or Authorization: Bearer <shared secret>`,
    );
  });
  it('a signature of another body: 401', async () => {
    const res = await post('/hooks/tag', good, { [SIGNATURE_HEADER]: signature(SECRET, Buffer.from('{}')) });
    expect(res).toMatchObject({ status: 401, body: { error: expect.stringContaining('does not match the body') } });
  });
  it('a wrong Bearer token: 401', async () => {
    expect((await post('/hooks/registry', envelope([]), { authorization: 'Bearer nope' })).status).toBe(401);
  });
  it('signed junk: 400 with what was wrong and what is expected', async () => {
    const res = await post('/hooks/registry', 'not json', bearer);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^body is not JSON \(.*\); expected the docker-registry notifications envelope/);
    const tag = await post('/hooks/tag', JSON.stringify({ repository: 'acme/shop', tag: 'no spaces allowed' }), bearer);
    expect(tag).toEqual({
      status: 400,
      body: { error: 'tag is "no spaces allowed"; expected a tag such as 1.4.2 or sha-0a1b2c3' },
    });
    const repo = await post(
      '/hooks/registry',
      envelope([{ action: 'push', target: { repository: 'Bad Repo', tag: 'x' } }]),
      bearer,
    );
    expect(repo.body.error).toBe(
      'events[0].target.repository is "Bad Repo"; expected a repository name such as acme/shop',
    );
  });
  it('a body over the limit: 413 before any parsing', async () => {
    const res = await post('/hooks/tag', 'x'.repeat(5000), bearer);
    expect(res).toEqual({ status: 413, body: { error: 'body larger than 4096 bytes' } });
  });
  it('GET: 405; unknown path: 404', async () => {
    expect((await fetch(`http://127.0.0.1:${server.port}/hooks/tag`)).status).toBe(405);
    expect((await post('/hooks/other', good, bearer)).status).toBe(404);
  });
  it('over the rate: 429 with Retry-After once the burst is spent', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++)
      statuses.push((await post('/hooks/registry', 'x', { authorization: 'Bearer nope' })).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(30);
    expect(statuses.slice(30)).toEqual([429, 429]);
  });
});
