// Digest resolution (opt-in, Observed.resolveDigests): when staging's pods report no imageID (kwok, some
// runtimes), the candidate is known only by its tag, and a tag can move. The adapter then looks the tag up in
// its registry (action ResolveDigest) and the core promotes `repo@sha256:…` instead; until that succeeds the
// candidate is not verified, and a failed lookup is never silently replaced by the tag.
import type { CandidateResult, Verification } from './candidate.js';
import { imageRecord, parseImageRef } from './naming.js';
import { millis, rfc3339, secondsUntil } from './time.js';
import type { Observed } from './types.js';

/** First retry after a failed lookup; doubles per consecutive failure up to RETRY_MAX_SECONDS. */
export const RESOLVE_RETRY_SECONDS = 10;
export const RESOLVE_RETRY_MAX_SECONDS = 300;

/** Seconds to wait after the n-th consecutive failure (n ≥ 1). */
export function resolveRetrySeconds(attempts: number): number {
  const n = Math.max(1, Math.floor(attempts));
  return Math.min(RESOLVE_RETRY_MAX_SECONDS, RESOLVE_RETRY_SECONDS * 2 ** Math.min(n - 1, 20));
}

/**
 * The digest already known for a tag-only candidate: the adapter's last successful lookup of exactly this
 * reference, else the one status.staging recorded for the same repository and tag (so a restarted operator
 * does not un-verify, or look up again, what it resolved before).
 */
function knownDigest(observed: Observed, repository: string, tag: string, image: string): string | undefined {
  const r = observed.resolution;
  if (r?.image === image && r.digest) return r.digest;
  const prev = observed.promotion.status?.staging;
  if (!prev?.digest || prev.tag !== tag) return undefined;
  return parseImageRef(prev.image)?.repository === parseImageRef(repository)?.repository ? prev.digest : undefined;
}

/** With resolution on, gives a tag-only candidate the digest already known for it, if any. */
export function withKnownDigest(observed: Observed, found: CandidateResult): CandidateResult {
  if (!observed.resolveDigests || !found.found) return found;
  const { candidate } = found;
  if (candidate.digest || !candidate.tag) return found;
  const repository = candidate.image.slice(0, candidate.image.length - candidate.tag.length - 1);
  const digest = knownDigest(observed, repository, candidate.tag, candidate.image);
  return digest ? { ...found, candidate: imageRecord(repository, candidate.tag, digest) } : found;
}

/**
 * With resolution on, a candidate verified by every other check but still without a digest is not verified
 * yet: DigestPending (and a ResolveDigest), or DigestUnresolved with the lookup's error and a retry time.
 */
export function requireDigest(observed: Observed, v: Verification): Verification {
  const candidate = v.candidate;
  if (!observed.resolveDigests || !v.verified || !candidate || candidate.digest || !candidate.tag) return v;
  const r = observed.resolution;
  if (r?.image !== candidate.image || r.digest) {
    return {
      ...v,
      verified: false,
      reason: 'DigestPending',
      message: `resolving ${candidate.image} to a digest in its registry`,
      resolveNeeded: true,
    };
  }
  const checkedAt = millis(r.checkedAt) ?? 0;
  const retryAt = checkedAt + resolveRetrySeconds(r.attempts ?? 1) * 1000;
  const nowMs = observed.now.getTime();
  // The message names the retry time, not a countdown, so it does not change while waiting.
  const failed: Verification = {
    ...v,
    verified: false,
    reason: 'DigestUnresolved',
    message: `not promoting ${candidate.image} by tag: resolving it to a digest failed: ${r.error ?? 'no digest in the answer'}; retry at ${rfc3339(retryAt)}`,
  };
  return nowMs >= retryAt
    ? { ...failed, resolveNeeded: true }
    : { ...failed, requeueAfterSeconds: secondsUntil(nowMs, retryAt) };
}
