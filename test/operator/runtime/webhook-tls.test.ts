// The follow webhook over HTTPS, served by the operator itself: a real self-signed certificate (made by
// openssl here), a real TLS handshake and request that trusts only that certificate, plain HTTP refused on
// the same port, and clear start-up errors for missing, garbled or mismatched certificate files.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { TLSSocket } from 'node:tls';
import { ConfigError, loadConfig } from '../../../operator/runtime/config.js';
import {
  loadWebhookTls,
  startWebhookServer,
  webhookTlsReloader,
  type WebhookServer,
} from '../../../operator/runtime/webhook-server.js';
import { copyFileSync } from 'node:fs';

const SECRET = 'a-shared-secret-of-some-length';
const dir = mkdtempSync(join(tmpdir(), 'ponyexpress-webhook-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate for 127.0.0.1 and localhost; returns the cert and key file paths. */
function selfSigned(name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

function post(port: number, ca: string, body: string): Promise<{ status: number; body: string; protocol: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/hooks/tag',
        method: 'POST',
        ca,
        agent: false, // a fresh handshake per request (a kept-alive connection would keep the old certificate)
        headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      },
      (res) => {
        const protocol = (res.socket as TLSSocket).getProtocol() ?? '';
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, protocol }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('HTTPS', () => {
  const files = selfSigned('webhook');
  let server: WebhookServer;
  const pushes: unknown[] = [];
  beforeAll(async () => {
    server = await startWebhookServer({
      host: '127.0.0.1',
      port: 0,
      secret: SECRET,
      maxBodyBytes: 4096,
      ratePerSecond: 100,
      burst: 100,
      onPushes: (p) => (pushes.push(...p), p.length),
      tls: loadWebhookTls(files.cert, files.key),
    });
  });
  afterAll(() => server.close());

  it('serves the webhook over TLS with the configured certificate', async () => {
    const res = await post(
      server.port,
      readFileSync(files.cert, 'utf8'),
      JSON.stringify({ repository: 'acme/ponyshop', tag: '1.5.0' }),
    );
    expect(res.status).toBe(202);
    expect(JSON.parse(res.body)).toEqual({ pushes: 1, enqueued: 1 });
    expect(res.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(pushes).toEqual([{ name: 'acme/ponyshop', tag: '1.5.0' }]);
  });

  it('a client that does not trust the certificate fails the handshake; plain HTTP gets no webhook answer', async () => {
    const other = selfSigned('other');
    await expect(post(server.port, readFileSync(other.cert, 'utf8'), '{}')).rejects.toThrow(
      /self[- ]signed|unable to verify/i,
    );
    const plain = await fetch(`http://127.0.0.1:${server.port}/hooks/tag`, { method: 'POST', body: '{}' }).then(
      (r) => r.status,
      (e: Error) => e.message,
    );
    expect(plain).not.toBe(202);
    expect(plain).not.toBe(401);
  });
});

describe('a renewed certificate (cert-manager rewrites the Secret) is served without a restart', () => {
  it('check() loads changed files into the running server; a broken renewal keeps the old pair and says why', async () => {
    const first = selfSigned('first');
    const second = selfSigned('second');
    const mounted = { cert: join(dir, 'mounted.crt'), key: join(dir, 'mounted.key') };
    copyFileSync(first.cert, mounted.cert);
    copyFileSync(first.key, mounted.key);
    const initial = loadWebhookTls(mounted.cert, mounted.key);
    const server = await startWebhookServer({
      host: '127.0.0.1',
      port: 0,
      secret: SECRET,
      maxBodyBytes: 4096,
      ratePerSecond: 100,
      burst: 100,
      onPushes: (p) => p.length,
      tls: initial,
    });
    const said: string[] = [];
    const reloader = webhookTlsReloader(mounted.cert, mounted.key, initial, server, (level, msg) =>
      said.push(`${level}: ${msg}`),
    );
    const body = JSON.stringify({ repository: 'acme/ponyshop', tag: '1' });
    const trusts = (ca: string) =>
      post(server.port, readFileSync(ca, 'utf8'), body).then(
        (r) => r.status,
        (e: Error) => e.message,
      );
    try {
      expect(await trusts(first.cert)).toBe(202);
      expect(reloader.check()).toBe(false); // unchanged: nothing to do
      copyFileSync(second.cert, mounted.cert);
      copyFileSync(second.key, mounted.key);
      expect(reloader.check()).toBe(true);
      expect(await trusts(second.cert)).toBe(202);
      expect(await trusts(first.cert)).not.toBe(202);
      // Half-written renewal (the key of another certificate): the served pair stays, the log says why.
      copyFileSync(first.key, mounted.key);
      expect(reloader.check()).toBe(false);
      expect(await trusts(second.cert)).toBe(202);
      expect(said.join('\n')).toMatch(/warn: .*does not match the certificate/);
    } finally {
      reloader.stop();
      await server.close();
    }
  });
});

describe('certificate files at start-up', () => {
  const good = selfSigned('good');
  const other = selfSigned('mismatch');
  const junk = join(dir, 'junk.pem');
  writeFileSync(junk, 'not a certificate\n');

  it('a missing file names the file and where the chart mounts it', () => {
    expect(() => loadWebhookTls(join(dir, 'absent.crt'), good.key)).toThrow(
      new RegExp(`PONYEXPRESS_WEBHOOK_TLS_CERT_FILE=${join(dir, 'absent.crt')}: cannot read it \\(ENOENT\\)`),
    );
    expect(() => loadWebhookTls(good.cert, join(dir, 'absent.key'))).toThrow(
      /PONYEXPRESS_WEBHOOK_TLS_KEY_FILE=.*absent\.key: cannot read it/,
    );
  });

  it('a file that is not a PEM certificate or key says what it expected', () => {
    expect(() => loadWebhookTls(junk, good.key)).toThrow(
      /junk\.pem: not a PEM certificate \(expected tls\.crt of a kubernetes\.io\/tls Secret/,
    );
    expect(() => loadWebhookTls(good.cert, junk)).toThrow(/junk\.pem: not a PEM private key/);
  });

  it('a key that does not belong to the certificate is refused', () => {
    expect(() => loadWebhookTls(good.cert, other.key)).toThrow(
      /private key .*mismatch\.key does not match the certificate .*good\.crt/,
    );
  });

  it('an expired certificate is refused with its end date', () => {
    expect(() => loadWebhookTls(good.cert, good.key, new Date(Date.now() + 3 * 86_400_000))).toThrow(
      /good\.crt expired on .* GMT: renew it/,
    );
    expect(loadWebhookTls(good.cert, good.key).cert).toContain('BEGIN CERTIFICATE');
  });

  it('the config wants both files or neither', () => {
    expect(() =>
      loadConfig({
        PONYEXPRESS_WEBHOOK_PORT: '8081',
        PONYEXPRESS_WEBHOOK_SECRET_FILE: '/s',
        PONYEXPRESS_WEBHOOK_TLS_CERT_FILE: '/c',
      }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig({
        PONYEXPRESS_WEBHOOK_PORT: '8081',
        PONYEXPRESS_WEBHOOK_SECRET_FILE: '/s',
        PONYEXPRESS_WEBHOOK_TLS_KEY_FILE: '/k',
      }),
    ).toThrow('PONYEXPRESS_WEBHOOK_TLS_KEY_FILE is set but PONYEXPRESS_WEBHOOK_TLS_CERT_FILE is not: HTTPS needs both');
    expect(
      loadConfig({
        PONYEXPRESS_WEBHOOK_PORT: '8081',
        PONYEXPRESS_WEBHOOK_SECRET_FILE: '/s',
        PONYEXPRESS_WEBHOOK_TLS_CERT_FILE: '/c',
        PONYEXPRESS_WEBHOOK_TLS_KEY_FILE: '/k',
      }),
    ).toMatchObject({ webhookTlsCertFile: '/c', webhookTlsKeyFile: '/k' });
  });
});

describe('the operator process', () => {
  // The operator as it runs (node + tsx, main.ts), pointed at an apiserver that is not there: the webhook is
  // wired from the environment alone, so this shows config -> wiring -> HTTPS without a cluster.
  const REPO = resolve(import.meta.dirname, '../../..');
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: 'none' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'c',
    }),
  );
  const secretFile = join(dir, 'webhook-secret');
  writeFileSync(secretFile, SECRET);
  const files = selfSigned('operator');

  function operator(tls: { cert: string; key: string }) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'operator/runtime/main.ts'], {
      cwd: REPO,
      env: {
        PATH: process.env.PATH,
        KUBECONFIG: kubeconfig,
        PONYEXPRESS_LEADER_ELECTION: 'false',
        PONYEXPRESS_METRICS_PORT: '0',
        PONYEXPRESS_METRICS_HOST: '127.0.0.1',
        PONYEXPRESS_FOLLOW_NAMESPACES: 'ponyshop-staging',
        PONYEXPRESS_WEBHOOK_PORT: '0',
        PONYEXPRESS_WEBHOOK_HOST: '127.0.0.1',
        PONYEXPRESS_WEBHOOK_SECRET_FILE: secretFile,
        PONYEXPRESS_WEBHOOK_TLS_CERT_FILE: tls.cert,
        PONYEXPRESS_WEBHOOK_TLS_KEY_FILE: tls.key,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    const listening = new Promise<{ port: number; scheme: string }>((resolveListening, reject) => {
      createInterface(child.stdout).on('line', (line) => {
        if (line.includes('"webhook listening"'))
          resolveListening(JSON.parse(line) as { port: number; scheme: string });
      });
      void exited.then((code) => reject(new Error(`operator exited ${code}: ${stderr}`)));
    });
    listening.catch(() => {}); // awaited (or not) by the test
    return { child, exited, listening, stderr: () => stderr };
  }

  it('serves HTTPS with the files the environment names', async () => {
    const op = operator(files);
    try {
      const { port, scheme } = await op.listening;
      expect(scheme).toBe('https');
      const res = await post(
        port,
        readFileSync(files.cert, 'utf8'),
        JSON.stringify({ repository: 'acme/ponyshop', tag: '2.0.0' }),
      );
      expect(res.status).toBe(202);
    } finally {
      op.child.kill('SIGTERM');
      await op.exited;
    }
  }, 30_000);

  it('a missing key file stops the start (exit 1) with the variable, the file and what was expected', async () => {
    const op = operator({ cert: files.cert, key: join(dir, 'no-such.key') });
    expect(await op.exited).toBe(1);
    expect(op.stderr()).toContain(
      `PONYEXPRESS_WEBHOOK_TLS_KEY_FILE=${join(dir, 'no-such.key')}: cannot read it (ENOENT); expected the tls.key of a kubernetes.io/tls Secret`,
    );
  }, 30_000);
});
