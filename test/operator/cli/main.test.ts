// The CLI end to end through the real client-node, against a small in-process HTTP server that speaks
// the custom-objects API for one Promotion (the real API server is exercised by the cluster tests).
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANNOTATION, type PromotionObject } from '../../../operator/core/types.js';
import { connect } from '../../../operator/cli/kube.js';
import { runCli } from '../../../operator/cli/main.js';
import { NOW, promotion } from './fixtures.js';

const BASE = '/apis/ponyexpress.dev/v1alpha1';
let server: Server;
let kubeconfig: string;
/** The kubeconfigs of this file, removed after it. */
const dir = mkdtempSync(join(tmpdir(), 'ponyexpress-cli-'));
let stored: PromotionObject;
let requests: { method: string; url: string; contentType?: string; body?: unknown }[];

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
}

beforeAll(async () => {
  // An exception in the handler destroys the socket, so the CLI under test sees it instead of hanging.
  const respond = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    requests.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], body });
    const send = (code: number, obj: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(obj));
    };
    const one = `${BASE}/namespaces/ponyshop-production/promotions/ponyshop`;
    const url = req.url!.split('?')[0];
    if (url === `${BASE}/promotions` || url === `${BASE}/namespaces/ponyshop-production/promotions`)
      return send(200, { items: [stored] });
    if (url === one && req.method === 'GET') return send(200, stored);
    if (url === one && req.method === 'PATCH') {
      // A JSON merge patch of annotations, as the API server applies it.
      const patch = (body as { metadata: { annotations: Record<string, string | null> } }).metadata.annotations;
      const next = { ...stored.metadata.annotations };
      for (const [k, v] of Object.entries(patch))
        if (v === null) delete next[k];
        else next[k] = v;
      stored = { ...stored, metadata: { ...stored.metadata, annotations: next } };
      return send(200, stored);
    }
    send(404, {
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: `promotions.ponyexpress.dev "${url.split('/').pop()}" not found`,
    });
  };
  server = createServer((req, res) => void respond(req, res).catch((err: Error) => res.destroy(err)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  kubeconfig = join(dir, 'config');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{ name: fake, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: fake, user: { token: not-a-secret } }]
contexts: [{ name: fake, context: { cluster: fake, user: fake, namespace: ponyshop-production } }]
current-context: fake
`,
  );
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  stored = promotion();
  requests = [];
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...argv, '--kubeconfig', kubeconfig], {
    connect,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    now: () => NOW,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('status lists the namespace of the kubeconfig context', async () => {
  const r = await cli('status');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^NAME +STAGING +PRODUCTION/);
  expect(requests.map((q) => q.url)).toEqual([`${BASE}/namespaces/ponyshop-production/promotions`]);
});

test('status -A uses the all-namespaces list; -o json prints the objects', async () => {
  const r = await cli('status', '-A', '-o', 'json');
  expect(JSON.parse(r.out)).toEqual([stored]);
  expect(requests[0].url).toBe(`${BASE}/promotions`);
});

test('approve writes the annotation with a JSON merge patch under the CLI field manager', async () => {
  const r = await cli('approve', 'ponyshop', '1.5.0');
  expect(r).toMatchObject({ code: 0, out: 'approved 1.5.0 for ponyshop-production/ponyshop' });
  const patch = requests.find((q) => q.method === 'PATCH')!;
  expect(patch.contentType).toBe('application/merge-patch+json');
  expect(patch.url).toContain('fieldManager=ponyexpress-cli');
  expect(stored.metadata.annotations).toEqual({ [ANNOTATION.approve]: '1.5.0' });
});

test('rollback then release round-trips the annotations', async () => {
  expect((await cli('rollback', 'ponyshop', '1.3.0')).code).toBe(0);
  expect(Object.keys(stored.metadata.annotations!).sort()).toEqual([ANNOTATION.hold, ANNOTATION.rollbackTo]);
  expect((await cli('status', 'ponyshop')).out).toContain('Held: nothing is promoted');
  expect((await cli('release', 'ponyshop')).out).toContain('released ponyshop-production/ponyshop');
  expect(stored.metadata.annotations).toEqual({});
});

test('errors are one clear line: not found, bad rollback target, unknown context', async () => {
  expect(await cli('hold', 'nope', '--reason', 'x')).toMatchObject({
    code: 1,
    err: 'error: Promotion "nope" in namespace "ponyshop-production" not found (list them with: ponyexpress status -A)',
  });
  const bad = await cli('rollback', 'ponyshop', '9.9.9');
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/^error: no history entry matches 9.9.9.\nvalid targets/);
  expect(requests.some((q) => q.method === 'PATCH')).toBe(false);
  expect(await cli('status', '--context', 'prod')).toMatchObject({
    code: 1,
    err: 'error: no context "prod" in the kubeconfig; contexts: fake',
  });
});

test('usage errors exit 2 without contacting the cluster', async () => {
  expect((await cli('approve', 'ponyshop')).code).toBe(2);
  expect(requests).toEqual([]);
});

test('an unreachable API server is reported, not thrown', async () => {
  // A port that was just free: nothing listens there.
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  const dead = join(dir, 'dead-config');
  writeFileSync(
    dead,
    `apiVersion: v1
kind: Config
clusters: [{ name: dead, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: dead, user: {} }]
contexts: [{ name: dead, context: { cluster: dead, user: dead } }]
current-context: dead
`,
  );
  const err: string[] = [];
  const code = await runCli(['status', '--kubeconfig', dead], {
    connect,
    out: () => {},
    err: (t) => err.push(t),
    now: () => NOW,
  });
  expect(code).toBe(1);
  expect(err[0]).toBe(`error: cannot reach the cluster at http://127.0.0.1:${port}: ECONNREFUSED`);
});
