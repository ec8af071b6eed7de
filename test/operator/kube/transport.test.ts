// The HTTP/2 transport against a real (plaintext, h2c) node:http2 server on loopback: watches
// and requests multiplexed without starving each other, deadlines that fire while a request is
// still queued for a stream, leader election on a connection of its own.
import { createServer, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { DeadlineExceeded, Transport } from '../../../operator/kube/transport.js';

let server: Http2Server;
let base: string;
const sessions = new Set<ServerHttp2Session>();
const held: (() => void)[] = [];

beforeAll(async () => {
  server = createServer();
  server.on('session', (s) => sessions.add(s));
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    if (path.startsWith('/watch')) {
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.write('{"type":"ADDED","object":{"metadata":{"name":"x"}}}\n');
      held.push(() => stream.end());
    } else if (path.startsWith('/hang')) {
      held.push(() => stream.destroyed || (stream.respond({ ':status': 200 }), stream.end('{}')));
    } else {
      stream.respond({ ':status': path.startsWith('/missing') ? 404 : 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ path }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  held.splice(0).forEach((end) => end());
  for (const s of sessions) s.destroy();
  await new Promise((r) => server.close(r));
});

afterEach(() => held.splice(0).forEach((end) => end()));

describe('Transport (HTTP/2)', () => {
  it('carries 300 open watches and still answers requests, on a few connections', async () => {
    const t = new Transport({ server: base }, { streamsPerConnection: { watch: 250 }, qps: 10_000, burst: 10_000 });
    const stop = new AbortController();
    let events = 0;
    const watches = Array.from({ length: 300 }, (_, i) =>
      t.stream(`${base}/watch/${i}`, () => events++, { signal: stop.signal, idleMs: 60_000 }).catch(() => {}),
    );
    while (events < 300) await new Promise((r) => setTimeout(r, 10));
    const res = await t.send('GET', `${base}/api/v1/namespaces/x/pods`, { timeoutMs: 5000 });
    expect(res).toEqual({ status: 200, text: JSON.stringify({ path: '/api/v1/namespaces/x/pods' }) });
    expect(t.connections()).toEqual({ watch: 2, request: 1, lease: 0 });
    stop.abort();
    await Promise.all(watches);
    t.close();
  });

  it('fails a request at its deadline while it waits for a stream slot', async () => {
    const t = new Transport({ server: base }, { streamsPerConnection: { request: 1 }, maxConnections: { request: 1 } });
    const first = t.send('GET', `${base}/hang`, { timeoutMs: 60_000 });
    while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(t.queued()).toBe(0);
    const second = t.send('GET', `${base}/fast`, { timeoutMs: 300 });
    await new Promise((r) => setTimeout(r, 50));
    expect(t.queued()).toBe(1);
    await expect(second).rejects.toThrow(DeadlineExceeded);
    await expect(second).rejects.toThrow(/GET \/fast: no answer within 300 ms/);
    held.shift()!();
    expect((await first).status).toBe(200);
    t.close();
  });

  it('rate-limits requests client-side, within their deadline, but never Lease traffic', async () => {
    const t = new Transport({ server: base }, { qps: 1, burst: 1 });
    expect((await t.send('GET', `${base}/one`, { timeoutMs: 5000 })).status).toBe(200);
    const limited = t.send('GET', `${base}/two`, { timeoutMs: 200 });
    // Handled from the start: on a loaded machine the lease request below can outlast the 200 ms deadline.
    const limitedFails = expect(limited).rejects.toThrow(DeadlineExceeded);
    expect(t.queued()).toBe(1);
    expect((await t.send('GET', `${base}/lease`, { timeoutMs: 5000, lane: 'lease' })).status).toBe(200);
    await limitedFails;
    expect(t.unreachableReason(0)).toBeUndefined();
    t.close();
  });

  it('gives Kubernetes Events a rate limit of their own: a burst of them never delays the other requests', async () => {
    const t = new Transport({ server: base }, { qps: 1, burst: 1 });
    expect((await t.send('POST', `${base}/events/1`, { timeoutMs: 5000, event: true })).status).toBe(200);
    const second = t.send('POST', `${base}/events/2`, { timeoutMs: 5000, event: true });
    expect(t.queued()).toBe(1);
    // One token a second: sharing the Events' bucket, this request would wait about 2 s.
    expect((await t.send('PUT', `${base}/status`, { timeoutMs: 500 })).status).toBe(200);
    expect((await second).status).toBe(200);
    t.close();
  });

  it('reports how long each request waited before it went out, by lane', async () => {
    const waits: [string, number][] = [];
    const t = new Transport({ server: base }, { qps: 1, burst: 1, onWait: (lane, s) => waits.push([lane, s]) });
    await t.send('GET', `${base}/one`, { timeoutMs: 5000 });
    await t.send('GET', `${base}/two`, { timeoutMs: 5000 });
    expect(waits.map(([lane]) => lane)).toEqual(['request', 'request']);
    // One token a second, a burst of 1: the second request waited for the next token; the first
    // only for its connection (bounds this wide because a loaded CI machine once took 75 ms to connect).
    expect(waits[0][1]).toBeLessThan(0.5);
    expect(waits[1][1]).toBeGreaterThan(0.5);
    t.close();
  });

  it('gives leader election its own connection', async () => {
    const before = sessions.size;
    const t = new Transport({ server: base });
    await t.send('GET', `${base}/a`, { timeoutMs: 5000 });
    await t.send('GET', `${base}/lease`, { timeoutMs: 5000, lane: 'lease' });
    expect(t.connections()).toMatchObject({ request: 1, lease: 1 });
    expect(sessions.size - before).toBe(2);
    t.close();
  });

  it('reports the apiserver unreachable only after failures with no answer since', async () => {
    const t = new Transport({ server: 'http://127.0.0.1:1' });
    await expect(t.send('GET', 'http://127.0.0.1:1/x', { timeoutMs: 2000 })).rejects.toThrow();
    expect(t.unreachableReason(0)).toMatch(/apiserver unreachable for \d+ s \(request: .*ECONNREFUSED/);
    expect(t.unreachableReason(60_000)).toBeUndefined();
    t.close();
    const ok = new Transport({ server: base });
    expect((await ok.send('GET', `${base}/missing`, { timeoutMs: 5000 })).status).toBe(404);
    expect(ok.unreachableReason(0)).toBeUndefined();
    ok.close();
  });

  it('counts a request the apiserver never answers, but not one that timed out in the queue', async () => {
    const t = new Transport({ server: base }, { streamsPerConnection: { request: 1 }, maxConnections: { request: 1 } });
    const hung = t.send('GET', `${base}/hang`, { timeoutMs: 400 });
    const queued = t.send('GET', `${base}/fast`, { timeoutMs: 100 });
    await expect(queued).rejects.toThrow(DeadlineExceeded);
    expect(t.unreachableReason(0)).toBeUndefined();
    await expect(hung).rejects.toThrow(DeadlineExceeded);
    expect(t.unreachableReason(0)).toMatch(/request: no answer/);
    t.close();
  });
});
