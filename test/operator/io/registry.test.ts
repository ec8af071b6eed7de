// The digest lookup against a REAL registry (Debian's docker-registry 2.8, started per file on a free
// loopback port), and its anonymous Bearer-token flow through a small token-checking front in this test.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lookupDigest, resolveDigest } from '../../../operator/io/registry.js';
import { pushImage, pushIndex, startRegistry, type PushedManifest, type RunningRegistry } from './docker-registry.js';

let registry: RunningRegistry;
let a: PushedManifest;
let b: PushedManifest;

beforeAll(async () => {
  registry = await startRegistry();
  a = await pushImage(registry.baseUrl, 'ponyshop', 'A', 'release A');
  b = await pushImage(registry.baseUrl, 'ponyshop', 'B', 'release B');
}, 30_000);

afterAll(async () => {
  await registry?.stop();
});

describe('lookupDigest against docker-registry', () => {
  it('returns the digest the registry gave each tag (= sha256 of the pushed manifest)', async () => {
    expect(b.digest).toBe(b.bodyDigest);
    expect(a.digest).not.toBe(b.digest);
    expect(await lookupDigest(`${registry.host}/ponyshop:B`)).toEqual({ digest: b.digest });
    expect(await lookupDigest(`${registry.host}/ponyshop:A`)).toEqual({ digest: a.digest });
  });

  it('returns the index digest for a multi-arch tag', async () => {
    const index = await pushIndex(registry.baseUrl, 'ponyshop', 'multi', [a, b]);
    expect(index.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await lookupDigest(`${registry.host}/ponyshop:multi`)).toEqual({ digest: index.digest });
  });

  it('a missing tag says what was asked, what came back and what was expected', async () => {
    expect(await lookupDigest(`${registry.host}/ponyshop:nope`)).toEqual({
      error: `GET ${registry.baseUrl}/v2/ponyshop/manifests/nope answered HTTP 404 (MANIFEST_UNKNOWN: manifest unknown), expected 200 with the manifest`,
    });
  });

  it('uses https for a registry that is neither loopback nor configured insecure', async () => {
    // 127.0.0.1 written as a name the resolver does not treat as loopback: https is tried and fails.
    const viaName = await lookupDigest(`${registry.host.replace('127.0.0.1', '127.0.0.1.nip.invalid')}/ponyshop:B`, {
      timeoutMs: 2000,
    });
    expect(viaName).toMatchObject({
      error: expect.stringMatching(
        /^GET https:\/\/127\.0\.0\.1\.nip\.invalid:\d+\/v2\/ponyshop\/manifests\/B failed: /,
      ),
    });
  });

  it('counts consecutive failures for the retry backoff, and a success resets them', async () => {
    const action = { type: 'ResolveDigest' as const, image: `${registry.host}/ponyshop:nope` };
    const first = await resolveDigest(action, {});
    expect(first).toMatchObject({ image: action.image, attempts: 1, error: expect.stringContaining('HTTP 404') });
    expect(await resolveDigest(action, {}, first)).toMatchObject({ attempts: 2 });
    const ok = await resolveDigest({ ...action, image: `${registry.host}/ponyshop:B` }, {}, first);
    expect(ok).toEqual({ image: `${registry.host}/ponyshop:B`, digest: b.digest, checkedAt: expect.any(Date) });
  });
});

/** A front that demands an anonymous Bearer token (like Docker Hub, ghcr.io) and forwards to the real registry. */
function tokenFront(
  target: string,
  o: { tokenStatus?: number; challenge?: string } = {},
): Promise<{ server: Server; host: string; requests: string[] }> {
  const requests: string[] = [];
  // An exception in the handler (say, the upstream fetch) destroys the socket instead of leaving the client hanging.
  const respond = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
    const self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url?.startsWith('/token')) {
      const url = new URL(req.url, self);
      const good =
        url.searchParams.get('service') === 'test-registry' &&
        url.searchParams.get('scope') === 'repository:ponyshop:pull';
      if (o.tokenStatus || !good) {
        res
          .writeHead(o.tokenStatus ?? 400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }));
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token: 'anonymous-pull-token', expires_in: 300 }));
      return;
    }
    if (req.headers.authorization !== 'Bearer anonymous-pull-token') {
      const challenge =
        o.challenge ?? `Bearer realm="${self}/token",service="test-registry",scope="repository:ponyshop:pull"`;
      res
        .writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' })
        .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers: { accept: String(req.headers.accept ?? '') },
    });
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'docker-content-digest']) {
      const value = upstream.headers.get(name);
      if (value) headers[name] = value;
    }
    res.writeHead(upstream.status, headers).end(Buffer.from(await upstream.arrayBuffer()));
  };
  const server = createServer((req, res) => void respond(req, res).catch((err: Error) => res.destroy(err)));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, host: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests }),
    ),
  );
}

describe('anonymous Bearer token flow', () => {
  const fronts: Server[] = [];
  afterAll(() => fronts.forEach((s) => (s.closeAllConnections(), s.close())));

  it('fetches an anonymous token for the challenge scope and retries with it', async () => {
    const front = await tokenFront(registry.baseUrl);
    fronts.push(front.server);
    expect(await lookupDigest(`${front.host}/ponyshop:B`)).toEqual({ digest: b.digest });
    expect(front.requests).toEqual([
      'GET /v2/ponyshop/manifests/B -',
      'GET /token?service=test-registry&scope=repository%3Aponyshop%3Apull -',
      'GET /v2/ponyshop/manifests/B Bearer anonymous-pull-token',
    ]);
  });

  it('a token endpoint that refuses anonymous access is a clear error (private repository)', async () => {
    const front = await tokenFront(registry.baseUrl, { tokenStatus: 401 });
    fronts.push(front.server);
    expect(await lookupDigest(`${front.host}/ponyshop:B`)).toEqual({
      error: `anonymous token request http://${front.host}/token answered HTTP 401 (DENIED: requested access to the resource is denied), expected 200 with a token (private repository?)`,
    });
  });

  it('Basic auth only: says that private registries need the runtime to report the digest', async () => {
    const front = await tokenFront(registry.baseUrl, { challenge: 'Basic realm="Registry Realm"' });
    fronts.push(front.server);
    expect(await lookupDigest(`${front.host}/ponyshop:B`)).toEqual({
      error:
        'the registry asks for credentials (WWW-Authenticate: Basic realm="Registry Realm"); only anonymous pulls via a Bearer token are supported, so a private registry needs the runtime to report the digest (pods\' imageID)',
    });
  });
});

describe('a stopped registry', () => {
  it('gives a connection error naming the request, and leaves no process behind', async () => {
    const { host, pid, baseUrl } = registry;
    await registry.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(await lookupDigest(`${host}/ponyshop:B`, { timeoutMs: 2000 })).toEqual({
      error: `GET ${baseUrl}/v2/ponyshop/manifests/B failed: ECONNREFUSED`,
    });
  });
});
