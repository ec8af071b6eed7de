// Which registry tag staging should follow, and whether it is newer than what staging runs. Pure: the
// adapter lists tags and looks up digests/creation times; this decides. Staging never moves backwards
// on its own: a tag that disappears makes an older one "newest", and that must not move anything.
import { RE2JS } from 're2js';
import semver from 'semver';
import type { FollowImage, FollowTagPolicy } from './follow-types.js';

/** A tag with what the registry said about it. */
export interface TagCandidate {
  tag: string;
  digest: string;
  /** The image config's `created`, RFC 3339, when looked up. */
  createdAt?: string;
}

const semverOf = (tag: string): string | null => semver.valid(tag.startsWith('v') ? tag.slice(1) : tag);

/** Why the policy is unusable (the CRD cannot check ranges or RE2 syntax), or undefined. */
export function followPolicyProblem(policy: FollowTagPolicy): string | undefined {
  const set = [policy.semver, policy.regex, policy.tag].filter((x) => x !== undefined).length;
  if (set !== 1) return 'spec.tags: set exactly one of semver, regex or tag';
  if (policy.semver !== undefined && semver.validRange(policy.semver) === null)
    return `spec.tags.semver: ${JSON.stringify(policy.semver)} is not a valid semver range, e.g. ">=1.0.0 <2"`;
  if (policy.regex !== undefined) {
    try {
      RE2JS.compile(`^(?:${policy.regex})$`);
    } catch (err) {
      return `spec.tags.regex: ${(err as Error).message}; write an RE2 pattern, e.g. ^sha-[0-9a-f]{7,40}$`;
    }
  }
  return undefined;
}

/** Whether creation times are needed to order the matching tags (regex ordered by CreatedAt). */
export function needsCreatedAt(policy: FollowTagPolicy): boolean {
  return policy.regex !== undefined && (policy.orderBy ?? 'CreatedAt') === 'CreatedAt';
}

/**
 * The tags the policy allows, best first when the name alone orders them (semver: highest version;
 * Alphabetical: last in code-point order); in registry order for CreatedAt, which needs lookups first.
 * A single `tag` policy yields that tag if it is listed.
 */
export function matchingTags(tags: readonly string[], policy: FollowTagPolicy): string[] {
  if (policy.tag !== undefined) return tags.includes(policy.tag) ? [policy.tag] : [];
  if (policy.semver !== undefined) {
    const range = policy.semver;
    return tags
      .map((tag) => ({ tag, version: semverOf(tag) }))
      .filter((t): t is { tag: string; version: string } => t.version !== null && semver.satisfies(t.version, range))
      .sort((a, b) => semver.rcompare(a.version, b.version) || (a.tag < b.tag ? 1 : -1))
      .map((t) => t.tag);
  }
  const re = RE2JS.compile(`^(?:${policy.regex})$`);
  const matched = tags.filter((t) => re.matches(t));
  return needsCreatedAt(policy) ? matched : matched.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

/** The newest of looked-up candidates by creation time (ties: the tag text), or undefined if none has one. */
export function newestByCreation(candidates: readonly TagCandidate[]): TagCandidate | undefined {
  const dated = candidates.filter((c) => c.createdAt !== undefined && !Number.isNaN(Date.parse(c.createdAt)));
  return dated.sort((a, b) => Date.parse(b.createdAt!) - Date.parse(a.createdAt!) || (a.tag < b.tag ? 1 : -1))[0];
}

export type Newer = { newer: true } | { newer: false; why: string };

/**
 * Whether moving from `current` to `candidate` goes forward under the policy. A single mutable tag
 * follows its digest both ways (that is what following `latest` means); every other policy only forward.
 * Unknown current (first adoption, or a hand-set image) counts as older.
 */
export function isNewer(candidate: TagCandidate, current: FollowImage | undefined, policy: FollowTagPolicy): Newer {
  if (current?.digest === candidate.digest) return { newer: false, why: `staging already runs ${candidate.digest}` };
  if (policy.tag !== undefined || !current?.tag) return { newer: true };
  const was = current.tag;
  if (policy.semver !== undefined) {
    const a = semverOf(candidate.tag);
    const b = semverOf(was);
    if (a === null || b === null || semver.gt(a, b)) return { newer: true };
    return { newer: false, why: `${candidate.tag} is not a higher version than staging's ${was}` };
  }
  if (!needsCreatedAt(policy)) {
    return candidate.tag > was
      ? { newer: true }
      : { newer: false, why: `${candidate.tag} does not sort after staging's ${was}` };
  }
  if (!current.createdAt || !candidate.createdAt) return { newer: true };
  return Date.parse(candidate.createdAt) > Date.parse(current.createdAt)
    ? { newer: true }
    : {
        newer: false,
        why: `${candidate.tag} (created ${candidate.createdAt}) is not newer than staging's ${was} (created ${current.createdAt})`,
      };
}

/**
 * Delay before the next poll: the interval plus up to FOLLOW_JITTER of it at random; after `failures`
 * registry failures in a row, base·2^(failures-1) capped at max(interval, cap); never before Retry-After.
 * `random` is [0, 1) (Math.random in the process, fixed in tests).
 */
export function nextPollDelayMs(opts: {
  intervalMs: number;
  failures: number;
  retryAfterMs?: number;
  random: number;
  jitter: number;
  baseMs: number;
  capMs: number;
}): number {
  const { intervalMs, failures, retryAfterMs, random, jitter, baseMs, capMs } = opts;
  const base =
    failures > 0 ? Math.min(baseMs * 2 ** Math.min(failures - 1, 30), Math.max(intervalMs, capMs)) : intervalMs;
  return Math.round(Math.max(base, retryAfterMs ?? 0) * (1 + jitter * random));
}
