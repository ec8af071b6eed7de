import { policyProblem, tagAllowed } from '../../../operator/core/policy.js';
import { matchesSelector, selectorToString } from '../../../operator/core/selector.js';

describe('tag policy', () => {
  test('no policy allows everything, even a digest-only candidate', () => {
    expect(tagAllowed('anything', undefined)).toEqual({ allowed: true });
    expect(tagAllowed(undefined, {})).toEqual({ allowed: true });
  });

  test.each([
    ['1.4.2', '>=1.0.0 <2', true],
    ['v1.4.2', '^1.0.0', true],
    ['2.0.0', '^1.0.0', false],
    ['1.5.0-rc.1', '^1.0.0', false],
    ['1.5.0-rc.1', '>=1.5.0-rc.0 <2', true],
    ['latest', '*', false],
  ])('semver %s in %s: %s', (tag, range, allowed) => {
    expect(tagAllowed(tag, { semver: range }).allowed).toBe(allowed);
  });

  test('regex is anchored', () => {
    expect(tagAllowed('release-42', { regex: 'release-[0-9]+' }).allowed).toBe(true);
    expect(tagAllowed('xrelease-42', { regex: 'release-[0-9]+' }).allowed).toBe(false);
    expect(tagAllowed('release-42-dirty', { regex: 'release-[0-9]+' }).allowed).toBe(false);
    expect(tagAllowed('a', { regex: 'a|b' }).allowed).toBe(true);
    expect(tagAllowed('ab', { regex: 'a|b' }).allowed).toBe(false);
  });

  test('a tag policy rejects a candidate without a tag, saying why', () => {
    expect(tagAllowed(undefined, { regex: '.*' })).toEqual({
      allowed: false,
      message: expect.stringContaining('no tag'),
    });
  });

  test('policyProblem reports what the CRD cannot check', () => {
    expect(policyProblem({ semver: '^1' })).toBeUndefined();
    expect(policyProblem({ semver: 'not a range!' })).toContain('not a valid semver range');
    expect(policyProblem({ regex: '(' })).toContain('policy.tags.regex');
    expect(policyProblem({ semver: '*', regex: '.*' })).toContain('not both');
  });
});

describe('label selectors', () => {
  const labels = { app: 'shop', tier: 'web' };

  test.each([
    [{ matchLabels: { app: 'shop' } }, true],
    [{ matchLabels: { app: 'other' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['web', 'worker'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn' as const, values: ['web'] }] }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' as const }] }, true],
    [{ matchExpressions: [{ key: 'gone', operator: 'DoesNotExist' as const }] }, true],
    [{ matchExpressions: [{ key: 'gone', operator: 'In' as const, values: ['x'] }] }, false],
  ])('%j -> %s', (selector, expected) => {
    expect(matchesSelector(labels, selector)).toBe(expected);
  });

  test('selectorToString gives the labelSelector query form', () => {
    expect(
      selectorToString({
        matchLabels: { a: 'b' },
        matchExpressions: [
          { key: 'c', operator: 'In', values: ['e', 'd'] },
          { key: 'f', operator: 'NotIn', values: ['g'] },
          { key: 'h', operator: 'Exists' },
          { key: 'i', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('a=b,c in (d,e),f notin (g),h,!i');
  });
});
