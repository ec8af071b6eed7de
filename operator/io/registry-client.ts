// An authenticated registry reader (OCI distribution API v2) for following tags: list tags, read a
// manifest, read an image's creation time from its config blob. Bearer tokens come from the realm of the
// registry's challenge with the dockerconfigjson credentials (Basic on the token request, or an OAuth2
// refresh token), or anonymously without credentials (the promotion's digest lookup, registry.ts), and are
// cached until they expire. Every failure is a RegistryFailure whose `reason` the follow status uses as is;
// 429 and 503 carry the registry's Retry-After; `answer` says what came back, for callers that word it
// their own way.
import type { RegistryCredentials } from './docker-config.js';
import {
  MANIFEST_MAX_BYTES,
  MANIFEST_MEDIA_TYPES,
  manifestDigest,
  parseChallenges,
  registryEndpoint,
  tokenFromAnswer,
  tokenUrl,
  type RegistryEndpoint,
} from './registry-protocol.js';
import { fetchFailure } from './fetch-failure.js';

export type FailureReason = 'RegistryUnavailable' | 'RateLimited' | 'Unauthorized' | 'NotFound' | 'RegistryError';

/** What came back: an error status (with the registry's error codes), a challenge we hold no credentials for, or a token answer without a token. */
export type FailureAnswer =
  | { from: 'registry' | 'token-service'; url: string; status: number; errors: string }
  | { from: 'challenge'; header: string }
  | { from: 'no-token'; url: string };

export class RegistryFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
    readonly retryAfterMs?: number,
    readonly answer?: FailureAnswer,
  ) {
    super(message);
    this.name = 'RegistryFailure';
  }
}

export interface RegistryClientOptions {
  credentials?: RegistryCredentials;
  /** host[:port] reached over plain HTTP besides loopback. @default [] */
  insecureRegistries?: readonly string[];
  /** Per request. @default 10000 */
  timeoutMs?: number;
  now?: () => number;
}

export interface Manifest {
  digest: string;
  mediaType: string;
  json: {
    config?: { digest?: string };
    manifests?: { digest: string; mediaType?: string; platform?: { os?: string; architecture?: string } }[];
  };
}

/** `Retry-After`: delta-seconds or an HTTP date (RFC 9110). */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const TAGS_PAGE = 1000;
const MAX_TAG_PAGES = 20;

export class RegistryClient {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: RegistryClientOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  endpoint(repository: string): RegistryEndpoint {
    return registryEndpoint(repository, this.opts.insecureRegistries);
  }

  /** Every tag of the repository (following `Link: <…>; rel="next"`); 404 = the repository does not exist. */
  async listTags(repository: string): Promise<string[]> {
    const ep = this.endpoint(repository);
    const tags: string[] = [];
    let next: string | undefined = `${ep.baseUrl}/v2/${ep.name}/tags/list?n=${TAGS_PAGE}`;
    for (let page = 0; next && page < MAX_TAG_PAGES; page++) {
      const res = await this.get(ep, next, 'application/json');
      const body = (await res.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.headers.get('link') ?? '');
      next = link ? new URL(link[1], ep.baseUrl).toString() : undefined;
    }
    return tags;
  }

  async manifest(repository: string, reference: string): Promise<Manifest> {
    const ep = this.endpoint(repository);
    const url = `${ep.baseUrl}/v2/${ep.name}/manifests/${reference}`;
    const res = await this.get(ep, url, MANIFEST_MEDIA_TYPES.join(', '));
    const tooLarge = () =>
      new RegistryFailure('RegistryError', `GET ${url}: the manifest is larger than ${MANIFEST_MAX_BYTES} bytes`);
    // A declared size over the limit is refused before reading the body.
    if (Number(res.headers.get('content-length') ?? '0') > MANIFEST_MAX_BYTES) {
      await res.body?.cancel();
      throw tooLarge();
    }
    const body = new Uint8Array(await res.arrayBuffer());
    if (body.byteLength > MANIFEST_MAX_BYTES) throw tooLarge();
    const checked = manifestDigest(body, res.headers.get('content-type'), res.headers.get('docker-content-digest'));
    if ('problem' in checked) throw new RegistryFailure('RegistryError', `GET ${url}: ${checked.problem}`);
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    return { digest: checked.digest, mediaType, json: JSON.parse(new TextDecoder().decode(body)) as Manifest['json'] };
  }

  /** The image config's `created` (for an index: its linux/amd64 image, else the first). */
  async createdAt(repository: string, manifest: Manifest): Promise<string | undefined> {
    let m = manifest;
    if (m.json.manifests) {
      const pick =
        m.json.manifests.find((d) => d.platform?.os === 'linux' && d.platform.architecture === 'amd64') ??
        m.json.manifests[0];
      if (!pick) return undefined;
      m = await this.manifest(repository, pick.digest);
    }
    const config = m.json.config?.digest;
    if (!config) return undefined;
    const ep = this.endpoint(repository);
    const res = await this.get(ep, `${ep.baseUrl}/v2/${ep.name}/blobs/${config}`, 'application/json, */*');
    const text = await res.text();
    if (text.length > MANIFEST_MAX_BYTES) return undefined;
    const created = (JSON.parse(text) as { created?: unknown }).created;
    return typeof created === 'string' && !Number.isNaN(Date.parse(created)) ? created : undefined;
  }

  /** GET with the cached token; on 401, authenticate as the challenge asks and retry once. */
  private async get(ep: RegistryEndpoint, url: string, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept };
    const cached = this.tokens.get(ep.host + ' ' + ep.name);
    if (cached && cached.expiresAt > this.now()) headers.authorization = `Bearer ${cached.token}`;
    let res = await this.send(url, { headers });
    if (res.status === 401) {
      headers.authorization = await this.authorize(ep, res);
      res = await this.send(url, { headers });
    }
    if (res.ok) return res;
    return this.fail(url, res);
  }

  private async authorize(ep: RegistryEndpoint, res: Response): Promise<string> {
    const header = res.headers.get('www-authenticate') ?? '';
    await res.body?.cancel();
    const challenges = parseChallenges(header);
    const creds = this.opts.credentials;
    const basic =
      creds?.username !== undefined
        ? Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')
        : undefined;
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (!bearer) {
      if (challenges.some((c) => c.scheme === 'basic') && basic) return `Basic ${basic}`;
      throw new RegistryFailure(
        'Unauthorized',
        `${ep.host} asks for credentials (WWW-Authenticate: ${header || 'none'}) and ${creds ? 'the Secret has none that fit' : 'spec.credentials names no Secret'}`,
        undefined,
        { from: 'challenge', header },
      );
    }
    const url = tokenUrl(bearer, ep);
    if ('problem' in url) throw new RegistryFailure('RegistryError', url.problem);
    let answer: Response;
    if (creds?.identityToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.identityToken,
        client_id: 'ponyexpress',
        service: url.searchParams.get('service') ?? '',
        scope: url.searchParams.get('scope') ?? '',
      });
      answer = await this.send(`${url.origin}${url.pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
    } else {
      answer = await this.send(url.toString(), { headers: basic ? { authorization: `Basic ${basic}` } : {} });
    }
    const service = `${url.origin}${url.pathname}`;
    if (answer.status === 401 || answer.status === 403) {
      throw new RegistryFailure(
        'Unauthorized',
        `the token service ${service} refused ${creds ? 'the credentials from the Secret' : 'an anonymous request'} (HTTP ${answer.status}); check spec.credentials`,
        undefined,
        { from: 'token-service', url: service, status: answer.status, errors: await registryErrors(answer) },
      );
    }
    if (!answer.ok) await this.fail(service, answer, 'token-service');
    let body: { expires_in?: number } = {};
    try {
      body = (await answer.json()) as { expires_in?: number };
    } catch {
      /* not JSON: no token, below */
    }
    const token = tokenFromAnswer(body);
    if (!token)
      throw new RegistryFailure('RegistryError', `the token service ${service} answered no token`, undefined, {
        from: 'no-token',
        url: service,
      });
    // Refresh a little early; the distribution spec's default lifetime is 60 s.
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    this.tokens.set(ep.host + ' ' + ep.name, { token, expiresAt: this.now() + Math.max(0, lifetime - 10) * 1000 });
    return `Bearer ${token}`;
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, redirect: 'follow', signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const why = fetchFailure(err, this.timeoutMs);
      throw new RegistryFailure('RegistryUnavailable', `${init.method ?? 'GET'} ${url} failed: ${why}`);
    }
  }

  private async fail(url: string, res: Response, from: 'registry' | 'token-service' = 'registry'): Promise<never> {
    const errors = await registryErrors(res);
    const answer: FailureAnswer = { from, url, status: res.status, errors };
    const said = `GET ${url} answered HTTP ${res.status}${errors ? ` (${errors})` : ''}`;
    const wait = retryAfterMs(res.headers.get('retry-after'), this.now());
    if (res.status === 429)
      throw new RegistryFailure(
        'RateLimited',
        `${said}; waiting ${Math.round((wait ?? 0) / 1000)} s as asked`,
        wait,
        answer,
      );
    if (res.status >= 500) throw new RegistryFailure('RegistryUnavailable', said, wait, answer);
    if (res.status === 404) throw new RegistryFailure('NotFound', said, undefined, answer);
    if (res.status === 401 || res.status === 403)
      throw new RegistryFailure('Unauthorized', `${said}; the credentials may lack pull access`, undefined, answer);
    throw new RegistryFailure('RegistryError', said, undefined, answer);
  }
}

/** The registry's error codes in an error answer (`MANIFEST_UNKNOWN: manifest unknown`), '' when none. */
async function registryErrors(res: Response): Promise<string> {
  try {
    const text = await res.text();
    if (text.length > 64 * 1024) return '';
    const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
    return errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  } catch {
    return ''; // not a registry error document
  }
}
