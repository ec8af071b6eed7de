// Which tags are promotable: a semver range or an anchored regex (the CRD allows at most one).
// Regexes are RE2 (re2js, a port of RE2/J): matching is linear in the tag's length whatever the pattern,
// so one tenant's pattern cannot stall the event loop (issue 12). RE2 is what Flux and Argo CD Image
// Updater use; it has no backreferences, lookarounds or possessive quantifiers, and refuses them.
import { RE2JS } from 're2js';
import semver from 'semver';
import type { PromotionSpec } from './resource.js';

type TagPolicy = NonNullable<NonNullable<PromotionSpec['policy']>['tags']>;

export type TagDecision = { allowed: true } | { allowed: false; message: string };

/** A leading `v` is accepted (`v1.2.3`); pre-releases match only ranges that name one, as in npm. */
function parseSemverTag(tag: string): string | null {
  return semver.valid(tag.startsWith('v') ? tag.slice(1) : tag);
}

/** Why the tag policy itself is unusable, or undefined. The CRD cannot check regex syntax or ranges. */
export function policyProblem(tags: TagPolicy | undefined): string | undefined {
  if (!tags) return undefined;
  if (tags.semver !== undefined && tags.regex !== undefined) return 'policy.tags: set semver or regex, not both';
  if (tags.semver !== undefined && semver.validRange(tags.semver) === null) {
    return `policy.tags.semver: ${JSON.stringify(tags.semver)} is not a valid semver range`;
  }
  if (tags.regex !== undefined) {
    try {
      compileTagPattern(tags.regex);
    } catch (error) {
      return `policy.tags.regex: ${(error as Error).message}; write an RE2 pattern (no backreferences, lookarounds or possessive quantifiers), e.g. ^v?[0-9]+[.][0-9]+[.][0-9]+$`;
    }
  }
  return undefined;
}

/** Anchored: a policy of `v1\..*` must not let `xv1.2` through. Throws on what RE2 cannot match. */
function compileTagPattern(regex: string): RE2JS {
  return RE2JS.compile(`^(?:${regex})$`);
}

/** Whether the tag is at least as new as production's, under a semver policy; undefined when not comparable. */
export function semverOlder(tag: string | undefined, than: string | undefined): boolean | undefined {
  const a = tag === undefined ? null : parseSemverTag(tag);
  const b = than === undefined ? null : parseSemverTag(than);
  return a === null || b === null ? undefined : semver.lt(a, b);
}

/** Whether the policy allows a tag. A candidate known only by digest has no tag, so a tag policy rejects it. */
export function tagAllowed(tag: string | undefined, tags: TagPolicy | undefined): TagDecision {
  if (!tags || (tags.semver === undefined && tags.regex === undefined)) return { allowed: true };
  if (tag === undefined) return { allowed: false, message: 'the candidate has no tag, and policy.tags requires one' };
  if (tags.semver !== undefined) {
    const version = parseSemverTag(tag);
    if (version === null)
      return { allowed: false, message: `tag ${tag} is not a semantic version (policy.tags.semver ${tags.semver})` };
    if (!semver.satisfies(version, tags.semver)) {
      return { allowed: false, message: `tag ${tag} is outside the semver range ${tags.semver}` };
    }
    return { allowed: true };
  }
  return compileTagPattern(tags.regex!).matches(tag)
    ? { allowed: true }
    : { allowed: false, message: `tag ${tag} does not match policy.tags.regex ${tags.regex}` };
}
