// Pure: turns what a user typed (a tag, a digest, a short digest, or a full image reference) into the
// exact value the operator compares annotations against.
import { ROLLBACK_TARGET_RESULTS, type HistoryEntry, type ImageRecord } from '../core/types.js';

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** Short digests as shown in tables (`sha256:` + at least 7 hex digits). */
const DIGEST_PREFIX = /^sha256:[a-f0-9]{7,63}$/;

export class RefError extends Error {}

/**
 * Strips the repository from `repo:tag` / `repo@sha256:…` (it must be the Promotion's repository);
 * returns a bare tag or digest, possibly a digest prefix.
 */
export function normalizeRef(input: string, imageRepository: string): string {
  const ref = input.trim();
  const at = ref.lastIndexOf('@');
  const colon = ref.lastIndexOf(':');
  let repo: string | undefined;
  let bare = ref;
  if (at > 0) [repo, bare] = [ref.slice(0, at), ref.slice(at + 1)];
  else if (!ref.startsWith('sha256:') && colon > ref.lastIndexOf('/') && colon > 0)
    [repo, bare] = [ref.slice(0, colon), ref.slice(colon + 1)];
  if (repo !== undefined && repo !== imageRepository) {
    throw new RefError(`"${input}" is not an image of ${imageRepository}`);
  }
  if (!TAG.test(bare) && !DIGEST_PREFIX.test(bare) && !DIGEST.test(bare)) {
    throw new RefError(`"${input}" is neither a tag nor a digest (sha256:<hex>)`);
  }
  return bare;
}

function matches(ref: string, record: ImageRecord): boolean {
  if (ref.startsWith('sha256:')) return record.digest !== undefined && record.digest.startsWith(ref);
  return record.tag === ref;
}

/** The value for an approve annotation: a full digest, or a tag; a short digest must match the staging candidate. */
export function resolveApproval(ref: string, staging: ImageRecord | undefined): string {
  if (!ref.startsWith('sha256:') || DIGEST.test(ref)) return ref;
  if (staging?.digest && matches(ref, staging)) return staging.digest;
  throw new RefError(`short digest ${ref} does not match staging's candidate; give the full sha256:<64 hex> digest`);
}

/** The history entry a rollback names: by tag, full digest or unique digest prefix. */
export function findRollbackTarget(ref: string, history: readonly HistoryEntry[]): HistoryEntry {
  // Only an image that actually ran in production is a safe target: the same results the operator
  // accepts for rollback-to.
  const candidates = history.filter((h) => ROLLBACK_TARGET_RESULTS.includes(h.result));
  const found = uniqueBy(candidates.filter((h) => matches(ref, h)));
  if (found.length === 1) return found[0];
  const valid = uniqueBy(candidates).map((h) => `  ${describeRef(h)}`);
  const list = valid.length
    ? `valid targets (from status.history):\n${valid.join('\n')}`
    : 'the history has no image that reached production yet';
  if (found.length > 1) throw new RefError(`${ref} matches several history entries; be more specific.\n${list}`);
  throw new RefError(`no history entry matches ${ref}.\n${list}`);
}

/** The annotation value for a history entry: its digest when known (immutable), else its tag. */
export function pinnedRef(entry: ImageRecord): string {
  return entry.digest ?? entry.tag ?? entry.image;
}

export function describeRef(record: ImageRecord): string {
  if (record.tag && record.digest) return `${record.tag} (${record.digest})`;
  return record.tag ?? record.digest ?? record.image;
}

// The same image may appear in several entries (promoted, rolled back to, …): list it once.
function uniqueBy(entries: readonly HistoryEntry[]): HistoryEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const key = e.digest ?? e.tag ?? e.image;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
