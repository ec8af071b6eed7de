// What the follow webhook accepts, pure: the docker-registry notifications envelope and a generic
// "tag pushed" JSON from CI, and the shared-secret check (a Bearer token, which docker-registry can send as
// a configured header, or an HMAC-SHA256 of the body, which CI can compute). Every refusal says what was
// wrong and what would be right.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { registryEndpoint } from './registry-protocol.js';

/** One pushed tag: the repository's path inside its registry (`acme/shop`), the tag, the digest when sent. */
export interface Push {
  name: string;
  tag?: string;
  digest?: string;
}

export type Parsed = { pushes: Push[] } | { problem: string };

export const SIGNATURE_HEADER = 'x-ponyexpress-signature-256';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+|__)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+|__)*)*$/;

function json(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    return { __invalid: (err as Error).message };
  }
}

/**
 * docker-registry's envelope: `{"events": [{"action": "push", "target": {"repository", "tag"?, "digest"}}]}`.
 * Blob pushes and pulls are not tag changes and are skipped; a push with a tag or a manifest media type counts.
 */
export function parseRegistryEnvelope(body: Buffer): Parsed {
  const doc = json(body) as { __invalid?: string; events?: unknown };
  if (doc?.__invalid)
    return {
      problem: `body is not JSON (${doc.__invalid}); expected the docker-registry notifications envelope {"events": [...]}`,
    };
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.events))
    return {
      problem: 'body has no "events" array; expected the docker-registry notifications envelope {"events": [...]}',
    };
  const pushes: Push[] = [];
  for (const [i, raw] of (doc.events as unknown[]).entries()) {
    const e = raw as {
      action?: unknown;
      target?: { repository?: unknown; tag?: unknown; digest?: unknown; mediaType?: unknown };
    };
    if (!e || typeof e !== 'object' || typeof e.action !== 'string')
      return { problem: `events[${i}].action is missing; expected "push", "pull", "mount" or "delete"` };
    if (e.action !== 'push') continue;
    const t = e.target;
    if (!t || typeof t.repository !== 'string' || !NAME.test(t.repository))
      return {
        problem: `events[${i}].target.repository is ${JSON.stringify(t?.repository)}; expected a repository name such as acme/shop`,
      };
    const isManifest = typeof t.mediaType === 'string' && /manifest|index/.test(t.mediaType);
    if (t.tag === undefined && !isManifest) continue; // a blob upload
    if (t.tag !== undefined && (typeof t.tag !== 'string' || !TAG.test(t.tag)))
      return {
        problem: `events[${i}].target.tag is ${JSON.stringify(t.tag)}; expected a tag such as 1.4.2 or sha-0a1b2c3`,
      };
    pushes.push({
      name: t.repository,
      tag: t.tag,
      digest: typeof t.digest === 'string' && DIGEST.test(t.digest) ? t.digest : undefined,
    });
  }
  return { pushes };
}

/** CI's `{"repository": "registry.example.com/acme/shop", "tag": "sha-0a1b2c3", "digest"?: "sha256:…"}`. */
export function parseTagPushed(body: Buffer): Parsed {
  const doc = json(body) as { __invalid?: string; repository?: unknown; tag?: unknown; digest?: unknown };
  const example = '{"repository": "registry.example.com/acme/shop", "tag": "sha-0a1b2c3", "digest": "sha256:…"}';
  if (doc?.__invalid) return { problem: `body is not JSON (${doc.__invalid}); expected ${example}` };
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    return { problem: `body is not a JSON object; expected ${example}` };
  if (
    typeof doc.repository !== 'string' ||
    doc.repository === '' ||
    /[@:]\S*$/.test(doc.repository.replace(/^[^/]*\//, ''))
  )
    return {
      problem: `repository is ${JSON.stringify(doc.repository)}; expected a repository without tag or digest, as in ${example}`,
    };
  if (typeof doc.tag !== 'string' || !TAG.test(doc.tag))
    return { problem: `tag is ${JSON.stringify(doc.tag)}; expected a tag such as 1.4.2 or sha-0a1b2c3` };
  if (doc.digest !== undefined && (typeof doc.digest !== 'string' || !DIGEST.test(doc.digest)))
    return { problem: `digest is ${JSON.stringify(doc.digest)}; expected sha256:<64 hex> or no digest` };
  let name: string;
  try {
    name = doc.repository.includes('/') ? registryEndpoint(doc.repository).name : doc.repository;
  } catch {
    return { problem: `repository ${JSON.stringify(doc.repository)} is not a repository reference` };
  }
  return { pushes: [{ name, tag: doc.tag, digest: doc.digest }] };
}

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function signature(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Undefined when the request carries the shared secret (Bearer) or a valid HMAC of the body; else why not. */
export function authProblem(
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
  secret: string,
): string | undefined {
  const sig = headers[SIGNATURE_HEADER];
  if (typeof sig === 'string') {
    return equal(sig.trim(), signature(secret, body))
      ? undefined
      : `${SIGNATURE_HEADER} does not match the body; expected sha256=<hex HMAC-SHA256 of the raw body with the shared secret>`;
  }
  const auth = headers.authorization;
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) {
    return equal(auth.replace(/^bearer\s+/i, '').trim(), secret)
      ? undefined
      : 'the Bearer token is not the shared secret';
  }
  return `no credentials: send ${SIGNATURE_HEADER}: sha256=<HMAC-SHA256 of the body> or Authorization: Bearer <shared secret>`;
}
