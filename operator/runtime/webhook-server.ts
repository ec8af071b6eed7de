// The follow webhook: POST /hooks/registry (docker-registry notifications) and POST /hooks/tag (CI's
// "tag pushed"). It only makes the affected follows reconcile now; the poll stays the source of truth, so
// a lost or refused notification delays a move by at most one interval. Order of checks: method and path
// (405/404), rate limit (429), size (413), shared secret (401), payload (400); nothing is enqueued unless
// all pass. With a certificate (webhookTls*) it serves HTTPS itself; without, plain HTTP behind the user's
// Ingress or mesh, which usually terminates TLS.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { OPERATOR_ENV } from '../../contract/index.js';
import { authProblem, parseRegistryEnvelope, parseTagPushed, type Push } from '../io/webhook-payload.js';

export interface WebhookOptions {
  host: string;
  port: number;
  secret: string;
  /** Request bodies above this are refused. */
  maxBodyBytes: number;
  /** Token bucket: refill per second, and its size. */
  ratePerSecond: number;
  burst: number;
  /** Enqueues the follows of these pushes; returns how many follows were enqueued. */
  onPushes: (pushes: Push[], source: 'registry' | 'tag') => number;
  /** Refusals, for logs and metrics. */
  onRefused?: (status: number, why: string) => void;
  now?: () => number;
  /** PEM certificate (chain) and key: HTTPS. Absent: plain HTTP. */
  tls?: WebhookTls;
}

export interface WebhookTls {
  cert: string;
  key: string;
}

/**
 * Reads and checks the webhook's certificate and key at start-up, so a wrong mount fails the start with the
 * file and what was expected rather than every handshake later: readable, PEM, the key belongs to the
 * certificate, and the certificate is not expired.
 */
export function loadWebhookTls(certFile: string, keyFile: string, now = new Date()): WebhookTls {
  const read = (env: string, file: string, what: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new Error(
        `${env}=${file}: cannot read it (${code}); expected the ${what} of a kubernetes.io/tls Secret (the chart mounts webhook.tls.secretName there)`,
        { cause: err },
      );
    }
  };
  const cert = read(OPERATOR_ENV.webhookTlsCertFile, certFile, 'tls.crt');
  const key = read(OPERATOR_ENV.webhookTlsKeyFile, keyFile, 'tls.key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new Error(
      `${OPERATOR_ENV.webhookTlsCertFile}=${certFile}: not a PEM certificate (expected tls.crt of a kubernetes.io/tls Secret: "-----BEGIN CERTIFICATE-----" …)`,
    );
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new Error(
      `${OPERATOR_ENV.webhookTlsKeyFile}=${keyFile}: not a PEM private key (expected tls.key of a kubernetes.io/tls Secret, unencrypted: "-----BEGIN PRIVATE KEY-----" …)`,
    );
  }
  if (!x509.checkPrivateKey(privateKey))
    throw new Error(
      `the private key ${keyFile} does not match the certificate ${certFile} (${x509.subject.replace(/\n/g, ', ')}): use the tls.key issued with that tls.crt`,
    );
  if (new Date(x509.validTo) < now)
    throw new Error(`the certificate ${certFile} expired on ${x509.validTo}: renew it (the Secret) and restart`);
  return { cert, key };
}

export interface WebhookServer {
  readonly port: number;
  close(): Promise<void>;
  /** New certificate and key for the next handshakes (HTTPS servers only). */
  setTls(tls: WebhookTls): void;
}

/**
 * Re-reads the certificate files every `intervalMs` (cert-manager renews the Secret in place, and the kubelet
 * updates the mounted files) and hands a changed, valid pair to the server; an invalid one (a half-written
 * renewal) keeps the pair being served, and `say` tells why. `check()` is one such look: true when it reloaded.
 */
export function webhookTlsReloader(
  certFile: string,
  keyFile: string,
  initial: WebhookTls,
  server: Pick<WebhookServer, 'setTls'>,
  say: (level: 'info' | 'warn', msg: string) => void,
  intervalMs = 60_000,
): { check(): boolean; stop(): void } {
  let current = initial;
  let lastProblem = '';
  const check = () => {
    let next: WebhookTls;
    try {
      next = loadWebhookTls(certFile, keyFile);
    } catch (err) {
      const problem = (err as Error).message;
      if (problem !== lastProblem)
        say('warn', `webhook certificate not reloaded, still serving the previous one: ${problem}`);
      lastProblem = problem;
      return false;
    }
    lastProblem = '';
    if (next.cert === current.cert && next.key === current.key) return false;
    server.setTls(next);
    current = next;
    say('info', `webhook certificate reloaded from ${certFile}`);
    return true;
  };
  const timer = setInterval(check, intervalMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}

class TooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) return Promise.reject(new TooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new TooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startWebhookServer(o: WebhookOptions): Promise<WebhookServer> {
  const now = o.now ?? Date.now;
  let tokens = o.burst;
  let refilledAt = now();
  const take = () => {
    const t = now();
    tokens = Math.min(o.burst, tokens + ((t - refilledAt) / 1000) * o.ratePerSecond);
    refilledAt = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  const handler: RequestListener = (req, res) => {
    const reply = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      if (status >= 400) o.onRefused?.(status, String(body.error));
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
      res.end(`${JSON.stringify(body)}\n`);
    };
    const path = (req.url ?? '/').split('?')[0];
    const source = path === '/hooks/registry' ? 'registry' : path === '/hooks/tag' ? 'tag' : undefined;
    if (!source) return reply(404, { error: `no endpoint ${path}; POST /hooks/registry or /hooks/tag` });
    if (req.method !== 'POST') return reply(405, { error: `${req.method} not allowed; use POST` }, { allow: 'POST' });
    if (!take())
      return reply(429, { error: `more than ${o.ratePerSecond} requests per second` }, { 'retry-after': '1' });
    readBody(req, o.maxBodyBytes).then(
      (body) => {
        const denied = authProblem(req.headers, body, o.secret);
        if (denied) return reply(401, { error: denied });
        const parsed = source === 'registry' ? parseRegistryEnvelope(body) : parseTagPushed(body);
        if ('problem' in parsed) return reply(400, { error: parsed.problem });
        const enqueued = parsed.pushes.length ? o.onPushes(parsed.pushes, source) : 0;
        reply(202, { pushes: parsed.pushes.length, enqueued });
      },
      (err: unknown) => {
        if (err instanceof TooLarge) {
          reply(413, { error: `body larger than ${o.maxBodyBytes} bytes` }, { connection: 'close' });
          req.socket.destroySoon?.();
          return;
        }
        reply(400, { error: `could not read the body: ${(err as Error).message}` });
      },
    );
  };
  const server: Server = o.tls
    ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key, minVersion: 'TLSv1.2' }, handler)
    : createServer(handler);
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
    setTls: (tls) => {
      if (!('setSecureContext' in server)) throw new Error('the webhook serves plain HTTP: no certificate to replace');
      (server as HttpsServer).setSecureContext({ cert: tls.cert, key: tls.key });
    },
  };
}
