// The pure half of the registry lookup (OCI distribution API): where a repository lives, how to read a
// `WWW-Authenticate` challenge, which manifest answers count and what digest they have. No I/O here.
import { createHash } from 'node:crypto';
import { normalizeRepository } from '../core/naming.js';

/** Manifest media types we accept: a multi-arch index/list is what a tag names, so its digest is the one to pin. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

/** The distribution spec caps manifests at 4 MiB; a larger answer is not a manifest. */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface RegistryEndpoint {
  /** host[:port] as written in the image reference (docker.io → registry-1.docker.io). */
  host: string;
  /** Repository path inside the registry, e.g. `library/nginx`. */
  name: string;
  /** `https://host` or, for loopback and configured insecure registries only, `http://host`. */
  baseUrl: string;
}

/** Whether host[:port] is a loopback address (plain HTTP is then allowed, as Docker does for localhost). */
export function isLoopback(host: string): boolean {
  const bare = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** Where `repository` (e.g. `ghcr.io/org/app`, `nginx`, `127.0.0.1:5000/app`) is served. */
export function registryEndpoint(repository: string, insecureRegistries: readonly string[] = []): RegistryEndpoint {
  const normalized = normalizeRepository(repository);
  const slash = normalized.indexOf('/');
  const written = normalized.slice(0, slash);
  const host = written === 'docker.io' ? 'registry-1.docker.io' : written;
  const insecure = isLoopback(host) || insecureRegistries.includes(written) || insecureRegistries.includes(host);
  return { host, name: normalized.slice(slash + 1), baseUrl: `${insecure ? 'http' : 'https'}://${host}` };
}

export interface Challenge {
  /** Lower-cased auth scheme, e.g. `bearer`, `basic`. */
  scheme: string;
  /** Parameters with lower-cased names, values unquoted. */
  params: Record<string, string>;
}

/**
 * Parses a `WWW-Authenticate` value (RFC 7235): one or more challenges, each a scheme followed by
 * comma-separated `name=value` or `name="quoted, \"escaped\" value"` parameters.
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let i = 0;
  const skip = (re: RegExp) => {
    while (i < header.length && re.test(header[i])) i++;
  };
  const token = () => {
    const start = i;
    skip(/[^\s,=]/);
    return header.slice(start, i);
  };
  while (i < header.length) {
    skip(/[\s,]/);
    const scheme = token();
    if (!scheme) break;
    const current: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(current);
    for (;;) {
      skip(/[\s,]/);
      const save = i;
      const name = token();
      skip(/\s/);
      if (!name || header[i] !== '=') {
        i = save; // the next challenge's scheme (a token68 credential is not used by registries)
        break;
      }
      i++;
      skip(/\s/);
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < header.length && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < header.length) i++;
          value += header[i++];
        }
        i++;
      } else {
        const start = i;
        skip(/[^\s,]/);
        value = header.slice(start, i);
      }
      current.params[name.toLowerCase()] = value;
    }
  }
  return challenges;
}

/**
 * The anonymous token request for a Bearer challenge: `realm?service=…&scope=…`. The scope is the
 * challenge's, else pull on this repository. Only https realms, or http when the registry itself is
 * insecure (loopback or configured), since the answer is a credential.
 */
export function tokenUrl(challenge: Challenge, endpoint: RegistryEndpoint): URL | { problem: string } {
  const realm = challenge.params.realm;
  if (!realm) return { problem: 'the Bearer challenge has no realm' };
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    return { problem: `the Bearer realm ${JSON.stringify(realm)} is not a URL` };
  }
  const allowed = url.protocol === 'https:' || (url.protocol === 'http:' && endpoint.baseUrl.startsWith('http:'));
  if (!allowed) return { problem: `the Bearer realm ${realm} is not https` };
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  url.searchParams.set('scope', challenge.params.scope ?? `repository:${endpoint.name}:pull`);
  return url;
}

/** The token in a token endpoint's JSON answer (`token`, or OAuth2's `access_token`). */
export function tokenFromAnswer(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const { token, access_token: accessToken } = body as { token?: unknown; access_token?: unknown };
  const value = typeof token === 'string' && token ? token : accessToken;
  return typeof value === 'string' && value ? value : undefined;
}

/**
 * The digest of a manifest GET answer: sha256 of the exact body bytes, which must equal the
 * `Docker-Content-Digest` header when the registry sends one (a mismatch means a proxy changed the body
 * or the registry is broken; either way the digest cannot be trusted).
 */
export function manifestDigest(
  body: Uint8Array,
  contentType: string | null,
  headerDigest: string | null,
): { digest: string } | { problem: string } {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (!MANIFEST_MEDIA_TYPES.includes(mediaType)) {
    return {
      problem: `the manifest has media type ${JSON.stringify(mediaType || '(none)')}, expected one of ${MANIFEST_MEDIA_TYPES.join(', ')}`,
    };
  }
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  if (headerDigest !== null && headerDigest.trim() !== '') {
    const header = headerDigest.trim();
    if (!DIGEST.test(header))
      return { problem: `Docker-Content-Digest ${JSON.stringify(header)} is not a sha256 digest` };
    if (header !== digest)
      return { problem: `Docker-Content-Digest ${header} does not match the manifest body (${digest})` };
  }
  return { digest };
}
