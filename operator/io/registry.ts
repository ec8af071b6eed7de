// Resolves `repo:tag` to the digest its registry serves (OCI distribution API, anonymous pulls only):
// GET /v2/<name>/manifests/<tag>; on 401 with a Bearer challenge, fetch an anonymous token and retry once.
// Every failure comes back as a sentence saying what was asked, what came back and what was expected.
import type { DigestResolution, ResolveDigest } from '../core/types.js';
import { parseImageRef } from '../core/naming.js';
import {
  MANIFEST_MAX_BYTES,
  MANIFEST_MEDIA_TYPES,
  manifestDigest,
  parseChallenges,
  registryEndpoint,
  tokenFromAnswer,
  tokenUrl,
} from './registry-protocol.js';
import { fetchFailure } from './fetch-failure.js';

export interface RegistryOptions {
  /** host[:port] of registries reached over plain HTTP besides loopback. @default [] */
  insecureRegistries?: readonly string[];
  /** Per request. @default 10000 */
  timeoutMs?: number;
}

export type Lookup = { digest: string } | { error: string };

class LookupFailed extends Error {}

async function send(url: string | URL, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new LookupFailed(`${init.method ?? 'GET'} ${String(url)} failed: ${fetchFailure(err, timeoutMs)}`);
  }
}

/** Reads at most `limit` bytes; a longer body is an error, not a truncated manifest. */
async function readLimited(res: Response, limit: number, what: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await res.body?.cancel();
    throw new LookupFailed(`${what} is ${declared} bytes, more than ${limit}`);
  }
  const body = new Uint8Array(await res.arrayBuffer());
  if (body.byteLength > limit) throw new LookupFailed(`${what} is ${body.byteLength} bytes, more than ${limit}`);
  return body;
}

/** `HTTP 404 (MANIFEST_UNKNOWN: manifest unknown)`: the status plus the registry's own error codes if any. */
async function describe(res: Response): Promise<string> {
  let detail = '';
  try {
    const text = new TextDecoder().decode(await readLimited(res, 64 * 1024, 'the error body'));
    const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
    detail = errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  } catch {
    /* not a registry error document */
  }
  return `HTTP ${res.status}${detail ? ` (${detail})` : ''}`;
}

async function anonymousToken(
  res: Response,
  endpoint: ReturnType<typeof registryEndpoint>,
  timeoutMs: number,
): Promise<string> {
  const header = res.headers.get('www-authenticate') ?? '';
  await res.body?.cancel();
  const bearer = parseChallenges(header).find((c) => c.scheme === 'bearer');
  if (!bearer) {
    throw new LookupFailed(
      `the registry asks for credentials (WWW-Authenticate: ${header || 'none'}); only anonymous pulls via a Bearer token are supported, so a private registry needs the runtime to report the digest (pods' imageID)`,
    );
  }
  const url = tokenUrl(bearer, endpoint);
  if ('problem' in url) throw new LookupFailed(url.problem);
  const answer = await send(url, { method: 'GET', headers: { accept: 'application/json' } }, timeoutMs);
  if (!answer.ok)
    throw new LookupFailed(
      `anonymous token request ${url.origin}${url.pathname} answered ${await describe(answer)}, expected 200 with a token (private repository?)`,
    );
  let token: string | undefined;
  try {
    token = tokenFromAnswer(
      JSON.parse(new TextDecoder().decode(await readLimited(answer, 1024 * 1024, 'the token answer'))),
    );
  } catch (err) {
    if (err instanceof LookupFailed) throw err;
  }
  if (!token)
    throw new LookupFailed(
      `anonymous token request ${url.origin}${url.pathname} answered no token (expected JSON with "token" or "access_token")`,
    );
  return token;
}

/** The registry's digest for `image` (`repo:tag`), verified against the manifest bytes. Never throws. */
export async function lookupDigest(image: string, options: RegistryOptions = {}): Promise<Lookup> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const ref = parseImageRef(image);
  if (!ref?.tag || ref.digest) return { error: `${JSON.stringify(image)} is not a repo:tag reference` };
  const endpoint = registryEndpoint(ref.repository, options.insecureRegistries);
  const url = `${endpoint.baseUrl}/v2/${endpoint.name}/manifests/${ref.tag}`;
  const headers: Record<string, string> = { accept: MANIFEST_MEDIA_TYPES.join(', ') };
  try {
    let res = await send(url, { method: 'GET', headers }, timeoutMs);
    if (res.status === 401) {
      headers.authorization = `Bearer ${await anonymousToken(res, endpoint, timeoutMs)}`;
      res = await send(url, { method: 'GET', headers }, timeoutMs);
    }
    if (res.status !== 200)
      return { error: `GET ${url} answered ${await describe(res)}, expected 200 with the manifest` };
    const body = await readLimited(res, MANIFEST_MAX_BYTES, 'the manifest');
    const checked = manifestDigest(body, res.headers.get('content-type'), res.headers.get('docker-content-digest'));
    return 'digest' in checked ? checked : { error: `GET ${url}: ${checked.problem}` };
  } catch (err) {
    if (err instanceof LookupFailed) return { error: err.message };
    return { error: `GET ${url}: ${(err as Error).message}` };
  }
}

/** Runs a ResolveDigest action; `previous` (the last result for this Promotion) counts consecutive failures. */
export async function resolveDigest(
  action: ResolveDigest,
  options: RegistryOptions,
  previous?: DigestResolution,
  now: () => Date = () => new Date(),
): Promise<DigestResolution> {
  const found = await lookupDigest(action.image, options);
  if ('digest' in found) return { image: action.image, digest: found.digest, checkedAt: now() };
  const attempts = previous?.image === action.image && previous.error ? (previous.attempts ?? 1) + 1 : 1;
  return { image: action.image, error: found.error, attempts, checkedAt: now() };
}
