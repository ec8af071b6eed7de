// One poll of a follow: list the repository's tags, keep the ones the policy allows, look up what is
// needed to order them (digest; creation time for CreatedAt), and name the newest. Creation times are
// cached by digest (a digest's config never changes), so a steady poll costs the tag list plus one
// manifest request per matching tag, and no blob reads.
import { matchingTags, needsCreatedAt, newestByCreation, type TagCandidate } from '../core/follow-select.js';
import type { FollowTagPolicy } from '../core/follow-types.js';
import type { PollOutcome } from '../core/follow-plan.js';
import { RegistryFailure, type RegistryClient } from './registry-client.js';

/** Bounded: at most this many digests' creation times are remembered. */
const CREATED_CACHE_LIMIT = 10_000;
/** CreatedAt ordering looks up at most this many matching tags per poll (the last ones the registry lists). */
export const MAX_LOOKUPS = 200;

export class CreatedCache {
  private readonly map = new Map<string, string | undefined>();
  get(digest: string): string | undefined | null {
    return this.map.has(digest) ? this.map.get(digest) : null;
  }
  set(digest: string, created: string | undefined): void {
    if (this.map.size >= CREATED_CACHE_LIMIT) this.map.delete(this.map.keys().next().value!);
    this.map.set(digest, created);
  }
}

export async function pollRegistry(
  client: RegistryClient,
  repository: string,
  policy: FollowTagPolicy,
  cache: CreatedCache,
): Promise<PollOutcome> {
  try {
    let tags: string[];
    try {
      tags = await client.listTags(repository);
    } catch (err) {
      if (err instanceof RegistryFailure && err.reason === 'NotFound')
        return {
          ok: false,
          reason: 'RepositoryMissing',
          message: `${repository} does not exist in its registry (${err.message})`,
        };
      throw err;
    }
    const matching = matchingTags(tags, policy);
    if (policy.tag !== undefined && matching.length === 0)
      return { ok: false, reason: 'TagMissing', message: `tag ${policy.tag} is not in ${repository}` };
    if (matching.length === 0) return { ok: true, matching: 0 };
    const lookup = async (tag: string): Promise<TagCandidate> => {
      const manifest = await client.manifest(repository, tag);
      const candidate: TagCandidate = { tag, digest: manifest.digest };
      if (needsCreatedAt(policy)) {
        let created = cache.get(manifest.digest);
        if (created === null) {
          created = await client.createdAt(repository, manifest);
          cache.set(manifest.digest, created);
        }
        if (created) candidate.createdAt = created;
      }
      return candidate;
    };
    try {
      if (!needsCreatedAt(policy)) return { ok: true, matching: matching.length, candidate: await lookup(matching[0]) };
      const candidates: TagCandidate[] = [];
      for (const tag of matching.slice(-MAX_LOOKUPS)) candidates.push(await lookup(tag));
      return { ok: true, matching: matching.length, candidate: newestByCreation(candidates) };
    } catch (err) {
      // Listed, then gone before we read it (deleted or re-tagged mid-poll): decide nothing on half a picture.
      if (err instanceof RegistryFailure && err.reason === 'NotFound')
        return { ok: false, reason: 'TagVanished', message: `a listed tag disappeared while polling: ${err.message}` };
      throw err;
    }
  } catch (err) {
    if (err instanceof RegistryFailure)
      return { ok: false, reason: err.reason, message: err.message, retryAfterMs: err.retryAfterMs };
    return { ok: false, reason: 'RegistryError', message: (err as Error).message };
  }
}
