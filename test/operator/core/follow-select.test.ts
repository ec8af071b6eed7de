// The pure selection of the tag staging follows: policies, ordering, never backwards, poll timing.
import {
  followPolicyProblem,
  isNewer,
  matchingTags,
  newestByCreation,
  nextPollDelayMs,
} from '../../../operator/core/follow-select.js';

const D = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('matchingTags', () => {
  it('semver: only tags in range, highest first, a leading v accepted, junk ignored', () => {
    expect(
      matchingTags(['1.2.0', 'v1.10.0', '2.0.0', 'latest', '1.9.9-rc.1', 'sha-abc'], { semver: '>=1.0.0 <2' }),
    ).toEqual(['v1.10.0', '1.2.0']);
  });
  it('regex is anchored RE2: a partial match does not count', () => {
    expect(
      matchingTags(['sha-0a1b2c3', 'xsha-0a1b2c3', 'sha-0a1b2c3-dirty', 'latest'], { regex: 'sha-[0-9a-f]{7}' }),
    ).toEqual(['sha-0a1b2c3']);
  });
  it('regex + Alphabetical sorts by text, last first', () => {
    expect(
      matchingTags(['build-0009', 'build-0010', 'build-0002'], { regex: 'build-[0-9]+', orderBy: 'Alphabetical' }),
    ).toEqual(['build-0010', 'build-0009', 'build-0002']);
  });
  it('a single mutable tag is a candidate only while the registry lists it', () => {
    expect(matchingTags(['latest', '1.0.0'], { tag: 'latest' })).toEqual(['latest']);
    expect(matchingTags(['1.0.0'], { tag: 'latest' })).toEqual([]);
  });
});

describe('newestByCreation', () => {
  it('orders sha tags by the image creation time, not by their (random) hex', () => {
    const picked = newestByCreation([
      { tag: 'sha-ffffff1', digest: D(1), createdAt: '2026-12-01T10:00:00Z' },
      { tag: 'sha-0000002', digest: D(2), createdAt: '2026-12-01T11:00:00Z' },
      { tag: 'sha-8888883', digest: D(3), createdAt: '2026-12-01T09:00:00Z' },
    ]);
    expect(picked?.tag).toBe('sha-0000002');
  });
  it('ignores candidates without a parseable creation time', () => {
    expect(
      newestByCreation([
        { tag: 'a', digest: D(1), createdAt: 'yesterday' },
        { tag: 'b', digest: D(2) },
      ]),
    ).toBeUndefined();
  });
});

describe('isNewer: staging never moves backwards on its own', () => {
  const semverPolicy = { semver: '>=1.0.0' };
  it('semver: forward only', () => {
    expect(isNewer({ tag: '1.3.0', digest: D(3) }, { tag: '1.2.0', digest: D(2) }, semverPolicy)).toEqual({
      newer: true,
    });
    const back = isNewer({ tag: '1.1.0', digest: D(1) }, { tag: '1.2.0', digest: D(2) }, semverPolicy);
    expect(back).toEqual({ newer: false, why: "1.1.0 is not a higher version than staging's 1.2.0" });
  });
  it('the same digest is never a move', () => {
    expect(isNewer({ tag: '1.3.0', digest: D(3) }, { tag: '1.2.0', digest: D(3) }, semverPolicy).newer).toBe(false);
  });
  it('CreatedAt: a tag that disappeared leaves an older one newest, which does not move', () => {
    const current = { tag: 'sha-b', digest: D(2), createdAt: '2026-12-01T11:00:00Z' };
    const r = isNewer({ tag: 'sha-a', digest: D(1), createdAt: '2026-12-01T10:00:00Z' }, current, { regex: 'sha-.*' });
    expect(r.newer).toBe(false);
  });
  it('a mutable tag follows its digest whichever way it moves', () => {
    expect(isNewer({ tag: 'latest', digest: D(1) }, { tag: 'latest', digest: D(2) }, { tag: 'latest' })).toEqual({
      newer: true,
    });
  });
  it('first adoption (nothing known about staging) moves', () => {
    expect(isNewer({ tag: '1.0.0', digest: D(1) }, undefined, semverPolicy)).toEqual({ newer: true });
  });
});

describe('followPolicyProblem', () => {
  it('names the bad field and an example', () => {
    expect(followPolicyProblem({ semver: 'not a range!' })).toMatch(
      /spec.tags.semver: "not a range!" is not a valid semver range/,
    );
    expect(followPolicyProblem({ regex: '(a)\\1' })).toMatch(/^spec.tags.regex: .*RE2/);
    expect(followPolicyProblem({ semver: '1', tag: 'latest' })).toBe(
      'spec.tags: set exactly one of semver, regex or tag',
    );
    expect(followPolicyProblem({ tag: 'latest' })).toBeUndefined();
  });
});

describe('nextPollDelayMs', () => {
  const base = { intervalMs: 60_000, jitter: 0.1, baseMs: 10_000, capMs: 300_000 };
  it('adds up to 10% jitter to the interval', () => {
    expect(nextPollDelayMs({ ...base, failures: 0, random: 0 })).toBe(60_000);
    expect(nextPollDelayMs({ ...base, failures: 0, random: 0.5 })).toBe(63_000);
  });
  it('backs off per failure in a row, capped', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((failures) => nextPollDelayMs({ ...base, failures, random: 0 }));
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });
  it('never polls before Retry-After', () => {
    expect(nextPollDelayMs({ ...base, failures: 1, retryAfterMs: 45_000, random: 0 })).toBe(45_000);
  });
});
