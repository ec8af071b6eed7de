// Opt-in digest resolution in the pure core: a tag-only candidate (pods report no imageID) is promoted as
// repo@<registry digest>, never silently by tag while resolution is on; off, nothing changes.
import { reconcile } from '../../../operator/core/plan.js';
import { resolveRetrySeconds } from '../../../operator/core/resolve.js';
import type { DigestResolution, Observed, Plan } from '../../../operator/core/types.js';
import { digestOf, iso, REPO } from './fixtures.js';
import { worldWithB, type World } from './world.js';

const B = `${REPO}:B`;
const D = digestOf('B');

/** Production on A, staging on B with no digests reported (kwok), soaked. */
function kwokWorld(): World {
  return worldWithB({ stagingOptions: { digests: false } });
}

function plan(world: World, resolution?: DigestResolution, resolveDigests = true): Plan {
  const observed: Observed = { ...world.observe(), resolveDigests, ...(resolution ? { resolution } : {}) };
  return reconcile(observed);
}

function staging(p: Plan) {
  return p.status.conditions?.find((c) => c.type === 'StagingVerified');
}

test('off (default): a tag-only candidate is promoted by tag, no lookup', () => {
  const world = kwokWorld();
  const p = plan(world, undefined, false);
  expect(p.actions.map((a) => a.type)).toEqual(['CreateMigrationJob']);
  expect(p.status.inFlight).toMatchObject({ tag: 'B', image: B });
  expect(p.status.inFlight?.digest).toBeUndefined();
});

test('on: the candidate waits for the lookup (DigestPending), then moves as repo@digest', () => {
  const world = kwokWorld();
  const first = plan(world);
  expect(first.actions).toEqual([{ type: 'ResolveDigest', image: B }]);
  expect(staging(first)).toMatchObject({
    status: 'False',
    reason: 'DigestPending',
    message: `resolving ${B} to a digest in its registry`,
  });
  expect(first.status.inFlight).toBeUndefined();
  world.apply(first);

  const resolved: DigestResolution = { image: B, digest: D, checkedAt: world.now };
  const second = plan(world, resolved);
  expect(staging(second)).toMatchObject({ status: 'True', reason: 'Verified' });
  expect(second.status.staging).toMatchObject({ tag: 'B', digest: D, image: `${REPO}@${D}`, verified: true });
  expect(second.status.inFlight).toMatchObject({ tag: 'B', digest: D, image: `${REPO}@${D}` });
  world.apply(second);

  // Drive the promotion to its end: every production workload ends on repo@digest, never on the tag.
  for (let i = 0; i < 20 && (world.finishPending() || plan(world, resolved).actions.length); i++)
    world.apply(plan(world, resolved));
  expect(world.promotion.status?.production).toMatchObject({ tag: 'B', digest: D, image: `${REPO}@${D}` });
  expect(world.timeline.filter((t) => t.startsWith('set '))).toEqual([
    `set web ${REPO}@${D}`,
    `set worker ${REPO}@${D}`,
    `set beat ${REPO}@${D}`,
  ]);
  // Settled: no lookup again, no write.
  const settled = plan(world, resolved);
  expect(settled.actions).toEqual([]);
  expect(settled.statusChanged).toBe(false);
});

test('a restarted operator (no lookup in memory) reuses the digest status recorded for the same tag', () => {
  const world = kwokWorld();
  world.apply(plan(world));
  world.apply(plan(world, { image: B, digest: D, checkedAt: world.now }));
  const afterRestart = plan(world);
  expect(afterRestart.actions.some((a) => a.type === 'ResolveDigest')).toBe(false);
  expect(staging(afterRestart)).toMatchObject({ reason: 'Verified' });
  expect(afterRestart.status.inFlight).toMatchObject({ digest: D });
});

test('a failed lookup is not replaced by the tag: DigestUnresolved names the error, retried with backoff', () => {
  const world = kwokWorld();
  world.apply(plan(world));
  const error =
    'GET http://127.0.0.1:5000/v2/ponyshop/manifests/B answered HTTP 404 (MANIFEST_UNKNOWN: manifest unknown), expected 200 with the manifest';
  const failed: DigestResolution = { image: B, error, attempts: 1, checkedAt: world.now };
  const p = plan(world, failed);
  expect(p.actions).toEqual([]);
  expect(p.status.inFlight).toBeUndefined();
  const retryAt = iso(world.seconds + 10);
  expect(staging(p)).toMatchObject({
    status: 'False',
    reason: 'DigestUnresolved',
    message: `not promoting ${B} by tag: resolving it to a digest failed: ${error}; retry at ${retryAt}`,
  });
  expect(p.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'DigestUnresolved' })]);
  expect(p.requeueAfterSeconds).toBe(10);
  world.apply(p);

  world.tick(5); // still waiting: same message, nothing to write
  const waiting = plan(world, failed);
  expect(waiting.actions).toEqual([]);
  expect(waiting.statusChanged).toBe(false);
  expect(waiting.requeueAfterSeconds).toBe(5);

  world.tick(5); // retry time: look up again
  expect(plan(world, failed).actions).toEqual([{ type: 'ResolveDigest', image: B }]);
  // A later success promotes by digest.
  expect(plan(world, { image: B, digest: D, checkedAt: world.now }).status.inFlight).toMatchObject({
    image: `${REPO}@${D}`,
  });
});

test('the retry delay doubles per consecutive failure, up to 5 minutes', () => {
  expect([1, 2, 3, 4, 5, 6, 7, 50].map(resolveRetrySeconds)).toEqual([10, 20, 40, 80, 160, 300, 300, 300]);
});

test('a lookup of another tag does not count for this candidate', () => {
  const world = kwokWorld();
  const p = plan(world, { image: `${REPO}:A`, digest: digestOf('A'), checkedAt: world.now });
  expect(p.actions).toEqual([{ type: 'ResolveDigest', image: B }]);
  expect(p.status.inFlight).toBeUndefined();
});

test('pods that report a digest need no lookup', () => {
  const world = worldWithB();
  const p = plan(world);
  expect(p.actions.map((a) => a.type)).toEqual(['CreateMigrationJob']);
  expect(p.status.inFlight).toMatchObject({ digest: D });
});
