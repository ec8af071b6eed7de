// Which tags are promotable: a semver range or an anchored regex (the CRD allows at most one).
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
      new RegExp(tags.regex);
    } catch (error) {
      return `policy.tags.regex: ${(error as Error).message}`;
    }
  }
  return undefined;
}

/** Whether the policy allows a tag. A candidate known only by digest has no tag, so a tag policy rejects it. */
export function tagAllowed(tag: string | undefined, tags: TagPolicy | undefined): TagDecision {
  if (!tags || (tags.semver === undefined && tags.regex === undefined)) return { allowed: true };
  if (tag === undefined) return { allowed: false, message: 'the candidate has no tag, and policy.tags requires one' };
  if (tags.semver !== undefined) {
    const version = parseSemverTag(tag);
    if (version === null) return { allowed: false, message: `tag ${tag} is not a semantic version (policy.tags.semver ${tags.semver})` };
    if (!semver.satisfies(version, tags.semver)) {
      return { allowed: false, message: `tag ${tag} is outside the semver range ${tags.semver}` };
    }
    return { allowed: true };
  }
  // Anchored: a policy of `v1\..*` must not let `xv1.2` through.
  const pattern = new RegExp(`^(?:${tags.regex})$`);
  return pattern.test(tag) ? { allowed: true } : { allowed: false, message: `tag ${tag} does not match policy.tags.regex ${tags.regex}` };
}
