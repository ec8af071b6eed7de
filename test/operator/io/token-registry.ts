// A real registry with token auth and notifications, for the follow tests: Debian's docker-registry
// (distribution 2.8) on a free loopback port with `auth.token` trusting a throwaway certificate, a small
// token server here that checks Basic credentials and issues RS256 JWTs signed by that certificate's key
// (the certificate rides in the JWT's x5c header, which the registry verifies against its root bundle),
// and `notifications` pointing where the test says. Images are pushed with the real `docker` CLI.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSign, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../checkapp/services/free-port.js';
import { exited, REGISTRY_BINARY } from './docker-registry.js';

export const SERVICE = 'px-follow-registry';
const ISSUER = 'px-follow-token-issuer';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export interface TokenRegistryOptions {
  /** Where the registry posts its notifications envelope (e.g. the operator's webhook); none when absent. */
  notify?: { url: string; bearer: string };
  users?: Record<string, string>;
}

export interface TokenRegistry {
  /** `127.0.0.1:<port>`: the registry, as written in image references. */
  host: string;
  baseUrl: string;
  user: string;
  password: string;
  /** A `.dockerconfigjson` for user/password. */
  dockerConfigJson: string;
  /** Token requests seen (path + query), to assert the credentials flow. */
  tokenRequests: string[];
  /** DOCKER_CONFIG directory the pushes use (logged in). */
  dockerConfigDir: string;
  /** Builds a tiny image (a LABEL over a local base, so a new config and creation time) and pushes it; returns its digest. */
  push(repository: string, tag: string): Promise<{ digest: string; pushedAt: number }>;
  /** Deletes a tag's manifest (the digest goes, so does every tag on it). */
  deleteManifest(repository: string, digest: string): Promise<void>;
  stop(): Promise<void>;
  /** Stops only the registry process (the registry is "down"); `start` brings it back on the same port. */
  kill(): Promise<void>;
  start(): Promise<void>;
}

const BASE_IMAGE = 'ponyexpress-django:latest';

/** Async on purpose: the token server runs in this process, and dockerd asks it for tokens meanwhile. */
function docker(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`docker ${args.join(' ')} failed (${code}): ${err}`)),
    );
    child.stdin.end(input ?? '');
  });
}

export async function startTokenRegistry(opts: TokenRegistryOptions = {}): Promise<TokenRegistry> {
  if (!existsSync(REGISTRY_BINARY)) throw new Error(`${REGISTRY_BINARY} is missing: apt-get install docker-registry`);
  const dir = mkdtempSync(join(tmpdir(), 'px-follow-registry-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'token.key',
      '-out',
      'token.crt',
      '-days',
      '2',
      '-subj',
      '/CN=px-follow-token',
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const key = readFileSync(join(dir, 'token.key'), 'utf8');
  const certDer = Buffer.from(
    readFileSync(join(dir, 'token.crt'), 'utf8')
      .replace(/-----[^-]+-----/g, '')
      .replace(/\s+/g, ''),
    'base64',
  );
  const user = 'ci';
  const password = randomBytes(12).toString('hex');
  const users: Record<string, string> = { [user]: password, ...(opts.users ?? {}) };
  const tokenRequests: string[] = [];

  // The token server: Basic credentials of a known user get what they ask for; anyone else gets nothing.
  const tokens: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    tokenRequests.push(`${url.pathname}${url.search}`);
    const auth = req.headers.authorization ?? '';
    const [name, pass] = auth.startsWith('Basic ')
      ? Buffer.from(auth.slice(6), 'base64').toString().split(/:(.*)/s)
      : [];
    if (auth && users[name] !== pass) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
      return;
    }
    const access = auth
      ? url.searchParams.getAll('scope').flatMap((scope) => {
          const [type, repo, actions] = scope.split(':');
          return type === 'repository' ? [{ type, name: repo, actions: actions.split(',') }] : [];
        })
      : [];
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] }));
    const claims = b64url(
      JSON.stringify({
        iss: ISSUER,
        sub: name ?? '',
        aud: SERVICE,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomBytes(8).toString('hex'),
        access,
      }),
    );
    const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key).toString('base64url');
    const token = `${header}.${claims}.${signature}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => tokens.listen(0, '127.0.0.1', resolve));
  const tokenPort = (tokens.address() as AddressInfo).port;

  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: info, accesslog: { disabled: true } }',
      'storage:',
      `  filesystem: { rootdirectory: ${join(dir, 'data')} }`,
      '  delete: { enabled: true }',
      `http: { addr: "${host}" }`,
      'auth:',
      '  token:',
      `    realm: http://127.0.0.1:${tokenPort}/token`,
      `    service: ${SERVICE}`,
      `    issuer: ${ISSUER}`,
      `    rootcertbundle: ${join(dir, 'token.crt')}`,
      ...(opts.notify
        ? [
            'notifications:',
            '  endpoints:',
            '    - name: operator',
            `      url: ${opts.notify.url}`,
            `      headers: { Authorization: ["Bearer ${opts.notify.bearer}"] }`,
            '      timeout: 2s',
            '      threshold: 3',
            '      backoff: 1s',
            '      ignoredmediatypes: [application/octet-stream]',
          ]
        : []),
      '',
    ].join('\n'),
  );
  const logFile = join(dir, 'registry.log');
  let child: ChildProcess | undefined;
  const start = async () => {
    const out = openSync(logFile, 'a');
    child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', out, out] });
    closeSync(out);
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`docker-registry exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8')}`);
      try {
        if ((await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) })).status === 401) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${host} within 15 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const kill = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited(child);
    }
  };
  await start();

  const dockerConfigDir = join(dir, 'docker');
  const env = { DOCKER_CONFIG: dockerConfigDir, DOCKER_BUILDKIT: '0' };
  await docker(['login', '--username', user, '--password-stdin', host], env, password);
  const auth = Buffer.from(`${user}:${password}`).toString('base64');
  const dockerConfigJson = JSON.stringify({ auths: { [host]: { auth } } });

  const adminToken = async (repository: string, actions: string) => {
    const res = await fetch(
      `http://127.0.0.1:${tokenPort}/token?service=${SERVICE}&scope=repository:${repository}:${actions}`,
      {
        headers: { authorization: `Basic ${auth}` },
      },
    );
    return ((await res.json()) as { token: string }).token;
  };

  return {
    host,
    baseUrl: `http://${host}`,
    user,
    password,
    dockerConfigJson,
    tokenRequests,
    dockerConfigDir,
    async push(repository, tag) {
      const ref = `${host}/${repository}:${tag}`;
      await docker(
        ['build', '-q', '-t', ref, '-'],
        env,
        `FROM ${BASE_IMAGE}\nLABEL dev.ponyexpress.test.build="${tag}-${randomBytes(4).toString('hex')}"\n`,
      );
      const pushedAt = Date.now();
      await docker(['push', '-q', ref], env);
      const digest = (
        await docker(['image', 'inspect', '--format', '{{range .RepoDigests}}{{println .}}{{end}}', ref], env)
      )
        .split('\n')
        .find((d) => d.startsWith(`${host}/${repository}@`))!
        .split('@')[1];
      await docker(['rmi', ref], env);
      return { digest, pushedAt };
    },
    async deleteManifest(repository, digest) {
      const token = await adminToken(repository, 'delete,pull,push');
      const res = await fetch(`http://${host}/v2/${repository}/manifests/${digest}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 202) throw new Error(`DELETE manifest answered ${res.status}: ${await res.text()}`);
    },
    kill,
    start,
    async stop() {
      await kill();
      await new Promise((r) => tokens.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
