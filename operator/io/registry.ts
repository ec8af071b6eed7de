// Resolves `repo:tag` to the digest its registry serves, for a promotion (anonymous pulls only): the
// follow's RegistryClient without credentials reads the manifest (GET /v2/<name>/manifests/<tag>; on 401 with
// a Bearer challenge, an anonymous token and one retry) and checks its digest. Every failure comes back as a
// sentence saying what was asked, what came back and what was expected.
import type { DigestResolution, ResolveDigest } from '../core/types.js';
import { parseImageRef } from '../core/naming.js';
import { RegistryClient, RegistryFailure } from './registry-client.js';

export interface RegistryOptions {
  /** host[:port] of registries reached over plain HTTP besides loopback. @default [] */
  insecureRegistries?: readonly string[];
  /** Per request. @default 10000 */
  timeoutMs?: number;
}

export type Lookup = { digest: string } | { error: string };

/** A lookup's words for a failure: the anonymous view (no Secret to check, pods' imageID as the way out). */
function lookupError(err: RegistryFailure): string {
  const a = err.answer;
  const said = (status: number, errors: string) => `answered HTTP ${status}${errors ? ` (${errors})` : ''}`;
  switch (a?.from) {
    case 'registry':
      return `GET ${a.url} ${said(a.status, a.errors)}, expected 200 with the manifest`;
    case 'token-service':
      return `anonymous token request ${a.url} ${said(a.status, a.errors)}, expected 200 with a token (private repository?)`;
    case 'challenge':
      return `the registry asks for credentials (WWW-Authenticate: ${a.header || 'none'}); only anonymous pulls via a Bearer token are supported, so a private registry needs the runtime to report the digest (pods' imageID)`;
    case 'no-token':
      return `anonymous token request ${a.url} answered no token (expected JSON with "token" or "access_token")`;
    default:
      return err.message;
  }
}

/** The registry's digest for `image` (`repo:tag`), verified against the manifest bytes. Never throws. */
export async function lookupDigest(image: string, options: RegistryOptions = {}): Promise<Lookup> {
  const ref = parseImageRef(image);
  if (!ref?.tag || ref.digest) return { error: `${JSON.stringify(image)} is not a repo:tag reference` };
  const client = new RegistryClient({
    ...(options.insecureRegistries ? { insecureRegistries: options.insecureRegistries } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  try {
    return { digest: (await client.manifest(ref.repository, ref.tag)).digest };
  } catch (err) {
    if (err instanceof RegistryFailure) return { error: lookupError(err) };
    const ep = client.endpoint(ref.repository);
    return { error: `GET ${ep.baseUrl}/v2/${ep.name}/manifests/${ref.tag}: ${(err as Error).message}` };
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
