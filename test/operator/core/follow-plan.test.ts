// The follow reconcile's pure half: decisions, conditions with observedGeneration, Events on transitions
// only, and no status change (so no write) in steady state. Time is a fixed Date per step.
import { chooseMove, followStatus, type PollOutcome } from '../../../operator/core/follow-plan.js';
import type { ImageFollowObject } from '../../../operator/core/follow-types.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const t0 = new Date('2026-12-01T10:00:00Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);

function follow(status?: ImageFollowObject['status']): ImageFollowObject {
  return {
    metadata: { name: 'ponyshop', namespace: 'ponyshop-staging', generation: 3 },
    spec: {
      repository: 'registry.example.com/ponyshop',
      tags: { semver: '>=1.0.0' },
      selector: { matchLabels: { a: 'b' } },
      migrationJobSelector: { matchLabels: { a: 'b' } },
    },
    status,
  };
}
const polled = (tag: string, digest: string): PollOutcome => ({ ok: true, matching: 2, candidate: { tag, digest } });

/** One reconcile: choose, pretend the mover answered `move`, and carry the status forward. */
function step(
  f: ImageFollowObject,
  poll: PollOutcome,
  staging: { digest?: string },
  now: Date,
  move?: Parameters<typeof followStatus>[2]['move'],
) {
  const choice = chooseMove(f, poll, staging);
  const plan = followStatus(f, now, {
    poll,
    choice,
    move: choice.target ? move : undefined,
    mode: 'DirectApply',
    staging,
  });
  return { choice, plan, next: { ...f, status: plan.status } };
}

it('moves to a newer version through Migrating, then settles with no further writes', () => {
  let f = follow({ current: { tag: '1.0.0', digest: D('a') } });
  const s1 = step(f, polled('1.1.0', D('b')), { digest: D('a') }, t0, {
    state: 'InProgress',
    reason: 'Migrating',
    message: 'migration Job j created',
  });
  expect(s1.choice.target).toEqual({ tag: '1.1.0', digest: D('b') });
  expect(s1.plan.status.conditions?.find((c) => c.type === 'Moving')).toMatchObject({
    status: 'True',
    reason: 'Migrating',
    observedGeneration: 3,
  });
  expect(s1.plan.events).toEqual([
    { type: 'Normal', reason: 'Moving', message: expect.stringContaining('moving staging to 1.1.0') },
  ]);
  f = s1.next;
  const s2 = step(f, polled('1.1.0', D('b')), { digest: D('a') }, later(3), { state: 'Done', message: 'images set' });
  expect(s2.plan.status.current).toMatchObject({ tag: '1.1.0', digest: D('b'), movedAt: later(3).toISOString() });
  expect(s2.plan.events.map((e) => e.reason)).toEqual(['Moved']);
  f = s2.next;
  const s3 = step(f, polled('1.1.0', D('b')), { digest: D('b') }, later(300));
  expect(s3.choice.target).toBeUndefined();
  expect(s3.plan).toMatchObject({ statusChanged: false, events: [] });
  expect(s3.plan.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
    status: 'True',
    reason: 'UpToDate',
  });
});

it('registry down: Ready=False with the reason, one Warning Event however long it lasts, nothing moves', () => {
  let f = follow({ current: { tag: '1.0.0', digest: D('a') } });
  const down: PollOutcome = {
    ok: false,
    reason: 'RegistryUnavailable',
    message: 'GET http://r/v2/ponyshop/tags/list failed: ECONNREFUSED',
  };
  const s1 = step(f, down, { digest: D('a') }, t0);
  expect(s1.choice.target).toBeUndefined();
  expect(s1.plan.status.conditions).toEqual([
    expect.objectContaining({
      type: 'Ready',
      status: 'False',
      reason: 'RegistryUnavailable',
      message: `nothing moves: ${down.message}`,
    }),
    expect.objectContaining({ type: 'RegistryReachable', status: 'False', reason: 'RegistryUnavailable' }),
    expect.objectContaining({ type: 'Moving', status: 'False', reason: 'Idle' }),
  ]);
  expect(s1.plan.events).toEqual([
    { type: 'Warning', reason: 'RegistryUnavailable', message: `nothing moves: ${down.message}` },
  ]);
  f = s1.next;
  const s2 = step(f, down, { digest: D('a') }, later(60));
  expect(s2.plan).toMatchObject({ statusChanged: false, events: [] });
  expect(s2.next.status?.current).toEqual({ tag: '1.0.0', digest: D('a') });
});

it('a failed staging migration is recorded and that digest is never tried again', () => {
  const f = follow({ current: { tag: '1.0.0', digest: D('a') } });
  const s1 = step(f, polled('1.1.0', D('b')), { digest: D('a') }, t0, {
    state: 'Failed',
    reason: 'MigrationFailed',
    message: 'migration Job j failed: BackoffLimitExceeded',
    permanent: true,
  });
  expect(s1.plan.status.failedDigests).toEqual([D('b')]);
  expect(s1.plan.events).toEqual([
    { type: 'Warning', reason: 'MigrationFailed', message: expect.stringContaining('BackoffLimitExceeded') },
  ]);
  const s2 = step(s1.next, polled('1.1.0', D('b')), { digest: D('a') }, later(60));
  expect(s2.choice).toEqual({ stay: expect.objectContaining({ reason: 'PreviouslyFailed' }) });
});

it('staging edited by hand back to an old image is put back to the followed one', () => {
  const f = follow({ current: { tag: '1.1.0', digest: D('b') } });
  expect(chooseMove(f, polled('1.1.0', D('b')), { digest: D('a') }).target).toEqual({ tag: '1.1.0', digest: D('b') });
});

it('an invalid spec or suspend: Ready=False with the reason, observedGeneration current', () => {
  const f = follow();
  const plan = followStatus(f, t0, {
    mode: 'DirectApply',
    blocked: { reason: 'InvalidSpec', message: 'spec.tags.semver: "x" is not a valid semver range' },
  });
  expect(plan.status.observedGeneration).toBe(3);
  expect(plan.status.conditions?.[0]).toMatchObject({
    type: 'Ready',
    status: 'False',
    reason: 'InvalidSpec',
    observedGeneration: 3,
  });
  expect(plan.events).toEqual([
    { type: 'Warning', reason: 'InvalidSpec', message: 'spec.tags.semver: "x" is not a valid semver range' },
  ]);
});

it('Git mode: the commit SHA goes into status.current; drift in Git holds with GitDrift, nothing recorded as moved', () => {
  const f = follow({ current: { tag: '1.0.0', digest: D('a'), image: `registry.example.com/ponyshop@${D('a')}` } });
  const sha = 'c0ffee'.padEnd(40, '0');
  const moved = step(f, polled('1.1.0', D('b')), { digest: D('a') }, later(5), {
    state: 'Done',
    message: `committed ${sha.slice(0, 12)}`,
    revision: sha,
  });
  expect(moved.plan.status.current).toMatchObject({ tag: '1.1.0', digest: D('b'), commit: sha });
  // Git (what current() reads in Git mode) says a human's image: the follow puts nothing over it.
  const held = step(moved.next, polled('1.1.0', D('b')), { digest: undefined }, later(10), {
    state: 'Failed',
    reason: 'GitDrift',
    message: 'Git says web runs registry.example.com/ponyshop:hotfix',
    permanent: false,
  });
  expect(held.choice.target).toEqual({ tag: '1.1.0', digest: D('b') });
  expect(held.plan.status.current).toEqual(moved.plan.status.current);
  expect(held.plan.status.failedDigests).toBeUndefined();
  expect(held.plan.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
    status: 'False',
    reason: 'GitDrift',
  });
  expect(held.plan.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'GitDrift' })]);
});
