import { spawnSync } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeOnce, runStartupProbe, type ProbeTarget } from '../../checkapp/kube/prober.js';
import type { Container } from '../../checkapp/kube/types.js';

let server: Server;
let port: number;
const seen: { path?: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url, headers: req.headers });
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 1500);
    if (req.url === '/elsewhere') return void res.writeHead(301, { Location: 'https://shop.example.com/x' }).end();
    if (req.url === '/here') return void res.writeHead(302, { Location: '/fail' }).end();
    if (req.url === '/fail') return void res.writeHead(503).end('{"reason":"db"}');
    res.writeHead(req.headers.host === 'shop.example.com' ? 200 : 400).end('body');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => server.close(r)));

const container: Container = { name: 'web', ports: [{ name: 'http', containerPort: 8000 }] };
const target = (): ProbeTarget => ({
  podIP: '127.0.0.1',
  portMap: new Map([[8000, port]]),
  container,
  exec: async (argv, timeoutMs) => {
    const r = spawnSync(argv[0], argv.slice(1), { timeout: timeoutMs });
    return r.error ? null : r.status;
  },
});

test('httpGet: named port, path and the Host header are sent as written', async () => {
  const result = await probeOnce(
    { httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'host', value: 'shop.example.com' }] } },
    target(),
  );
  expect(result).toMatchObject({ ok: true, status: 200 });
  const last = seen.at(-1)!;
  expect(last.path).toBe('/healthz');
  expect(last.headers.host).toBe('shop.example.com');
  expect(last.headers['user-agent']).toMatch(/^kube-probe\//);
});

test('httpGet without the Host header uses the pod address (and this server rejects it)', async () => {
  const result = await probeOnce({ httpGet: { path: '/healthz', port: 8000 } }, target());
  expect(result).toMatchObject({ ok: false, status: 400 });
  expect(seen.at(-1)!.headers.host).toBe(`127.0.0.1:${port}`);
});

test('httpGet: a same-host redirect is followed, a redirect elsewhere counts as its 3xx', async () => {
  expect(await probeOnce({ httpGet: { path: '/here', port: 8000 } }, target())).toMatchObject({
    ok: false,
    status: 503,
  });
  expect(await probeOnce({ httpGet: { path: '/elsewhere', port: 8000 } }, target())).toMatchObject({
    ok: true,
    status: 301,
  });
});

test('redirectIsFailure (the contract check): any 3xx fails, saying where it pointed; the kubelet would pass it', async () => {
  for (const path of ['/elsewhere', '/here']) {
    const kubelet = await probeOnce({ httpGet: { path, port: 8000 } }, target());
    const strict = await probeOnce({ httpGet: { path, port: 8000 } }, target(), { redirectIsFailure: true });
    expect({ path, kubeletOk: kubelet.ok || kubelet.status === 503, strict }).toMatchObject({
      path,
      kubeletOk: true,
      strict: {
        ok: false,
        status: path === '/here' ? 302 : 301,
        detail: expect.stringMatching(/a redirect to .*kubelet would count it as a pass/),
      },
    });
  }
});

test('httpGet honours timeoutSeconds (default 1 s)', async () => {
  const result = await probeOnce({ httpGet: { path: '/slow', port: 8000 } }, target());
  expect(result.ok).toBe(false);
  expect(result.detail).toMatch(/timeout/);
  expect((await probeOnce({ httpGet: { path: '/slow', port: 8000 }, timeoutSeconds: 3 }, target())).ok).toBe(true);
});

test('an unmapped or unknown port is an error, not a silent pass', async () => {
  await expect(probeOnce({ httpGet: { path: '/', port: 'metrics' } }, target())).rejects.toThrow(
    'no port named "metrics"',
  );
  await expect(probeOnce({ httpGet: { path: '/', port: 9000 } }, target())).rejects.toThrow('not mapped');
});

test('exec probes pass on exit 0 only and time out', async () => {
  expect((await probeOnce({ exec: { command: ['true'] } }, target())).ok).toBe(true);
  expect(await probeOnce({ exec: { command: ['sh', '-c', 'exit 3'] } }, target())).toMatchObject({
    ok: false,
    status: 3,
  });
  expect((await probeOnce({ exec: { command: ['sleep', '3'] }, timeoutSeconds: 1 }, target())).ok).toBe(false);
});

test('tcpSocket connects to the mapped port', async () => {
  expect((await probeOnce({ tcpSocket: { port: 'http' } }, target())).ok).toBe(true);
});

test('a startup probe gives up after failureThreshold attempts, periodSeconds apart', async () => {
  const started = Date.now();
  const { result, attempts } = await runStartupProbe(
    { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 3 },
    target(),
  );
  expect(result.ok).toBe(false);
  expect(attempts).toBe(3);
  expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
});
