// HTTPS to the apiserver with nothing but node:https. client-node's KubeConfig pulls in its whole
// generated API (≈80 MiB of RSS on Node 24), which alone would be more than the operator's memory
// budget; the operator needs only token or client-certificate auth, a CA, JSON and a line stream.
import { readFileSync } from 'node:fs';
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import { homedir } from 'node:os';
import type { IncomingMessage } from 'node:http';

export interface ClusterAccess {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  /** Re-read on every request batch: projected ServiceAccount tokens rotate. */
  tokenFile?: string;
  insecureSkipTlsVerify?: boolean;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** KUBECONFIG (first file) or ~/.kube/config when present, else the in-cluster ServiceAccount. */
export async function loadClusterAccess(env: NodeJS.ProcessEnv = process.env): Promise<ClusterAccess> {
  const file = env.KUBECONFIG?.split(':')[0] || `${env.HOME ?? homedir()}/.kube/config`;
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    if (env.KUBECONFIG) throw new Error(`KUBECONFIG=${env.KUBECONFIG}: cannot read ${file}`);
  }
  if (text !== undefined) return fromKubeconfig(text, file);
  if (!env.KUBERNETES_SERVICE_HOST) throw new Error('no kubeconfig found and not running in a cluster (KUBERNETES_SERVICE_HOST unset)');
  const host = env.KUBERNETES_SERVICE_HOST.includes(':') ? `[${env.KUBERNETES_SERVICE_HOST}]` : env.KUBERNETES_SERVICE_HOST;
  return { server: `https://${host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`, ca: readFileSync(`${SA_DIR}/ca.crt`), tokenFile: `${SA_DIR}/token` };
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

async function fromKubeconfig(text: string, file: string): Promise<ClusterAccess> {
  // Kubeconfigs written as JSON (valid YAML) skip loading a YAML parser.
  const doc = (text.trimStart().startsWith('{') ? JSON.parse(text) : (await import('yaml')).parse(text)) as Record<string, unknown>;
  const pick = <T>(list: unknown, name: string | undefined, what: string): T => {
    const found = (list as Named<T>[] | undefined)?.find((x) => x.name === name);
    if (!found) throw new Error(`${file}: ${what} "${name}" not found`);
    return (found.cluster ?? found.user ?? found.context) as T;
  };
  const ctx = pick<{ cluster: string; user: string }>(doc.contexts, doc['current-context'] as string, 'context');
  const cluster = pick<Record<string, string | boolean>>(doc.clusters, ctx.cluster, 'cluster');
  const user = pick<Record<string, unknown>>(doc.users, ctx.user, 'user');
  if (user.exec || user['auth-provider']) throw new Error(`${file}: user "${ctx.user}" uses an exec/auth-provider plugin; the operator supports tokens and client certificates`);
  const bytes = (data: unknown, path: unknown) =>
    typeof data === 'string' ? Buffer.from(data, 'base64') : typeof path === 'string' ? readFileSync(path) : undefined;
  return {
    server: String(cluster.server).replace(/\/$/, ''),
    ca: bytes(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: bytes(user['client-certificate-data'], user['client-certificate']),
    key: bytes(user['client-key-data'], user['client-key']),
    token: typeof user.token === 'string' ? user.token : undefined,
    tokenFile: typeof user.tokenFile === 'string' ? user.tokenFile : undefined,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
  };
}

export class HttpError extends Error {
  constructor(readonly statusCode: number, readonly body: string) {
    super(`HTTP ${statusCode}`);
  }
}

export class Transport {
  private readonly agent: Agent;
  private tokenCache?: { value: string; readAt: number };

  constructor(readonly access: ClusterAccess) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 16, ca: access.ca, cert: access.cert, key: access.key, rejectUnauthorized: !access.insecureSkipTlsVerify });
  }

  private token(): string | undefined {
    if (!this.access.tokenFile) return this.access.token;
    if (!this.tokenCache || Date.now() - this.tokenCache.readAt > 60_000) {
      this.tokenCache = { value: readFileSync(this.access.tokenFile, 'utf8').trim(), readAt: Date.now() };
    }
    return this.tokenCache.value;
  }

  private open(method: string, url: string, headers: Record<string, string>, signal: AbortSignal, body?: string): Promise<IncomingMessage> {
    const token = this.token();
    const options: RequestOptions = {
      method,
      agent: this.agent,
      signal,
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    };
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, options, resolve);
      req.on('error', reject);
      req.end(body);
    });
  }

  /** One request; resolves with the status and body text (any status). */
  async send(method: string, url: string, opts: { body?: string; contentType?: string; timeoutMs: number }): Promise<{ status: number; text: string }> {
    const signal = AbortSignal.timeout(opts.timeoutMs);
    const res = await this.open(method, url, opts.body !== undefined ? { 'content-type': opts.contentType ?? 'application/json' } : {}, signal, opts.body);
    let text = '';
    res.setEncoding('utf8');
    for await (const chunk of res) text += chunk;
    return { status: res.statusCode ?? 0, text };
  }

  /**
   * A streaming GET (watch): calls onLine per line until the server ends the stream (resolves)
   * or the connection fails, is aborted, or stays silent for idleMs (rejects).
   */
  async stream(url: string, onLine: (line: string) => void, opts: { signal: AbortSignal; idleMs: number }): Promise<void> {
    const idle = new AbortController();
    const signal = AbortSignal.any([opts.signal, idle.signal]);
    let timer = setTimeout(() => idle.abort(new Error(`watch silent for ${opts.idleMs} ms`)), opts.idleMs);
    try {
      const res = await this.open('GET', url, {}, signal);
      if (res.statusCode !== 200) {
        let text = '';
        for await (const chunk of res) text += chunk;
        throw new HttpError(res.statusCode ?? 0, text);
      }
      let buffered = '';
      res.setEncoding('utf8');
      for await (const chunk of res) {
        clearTimeout(timer);
        timer = setTimeout(() => idle.abort(new Error(`watch silent for ${opts.idleMs} ms`)), opts.idleMs);
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line.trim()) onLine(line);
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
