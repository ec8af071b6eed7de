// Issue 12 item 2: tag patterns are RE2 (linear time), and what RE2 cannot match is refused with a message.
import { policyProblem, tagAllowed } from '../../../operator/core/policy.js';
import { reconcile } from '../../../operator/core/plan.js';
import { BAD_SPECS } from './crd-cases.js';
import { worldWithB } from './world.js';

const HOSTILE = '([0-9]+\\.?)+';

test('backreferences, lookarounds and possessive quantifiers are refused, naming RE2', () => {
  for (const regex of ['(a)\\1', 'v(?=1)', 'v(?!0)', '(?<=v)1', 'a*+']) {
    expect([regex, policyProblem({ regex })]).toEqual([regex, expect.stringMatching(/^policy\.tags\.regex: .*RE2/)]);
  }
});

test('the hostile pattern is accepted and answers at once, in RE2 semantics', () => {
  expect(policyProblem({ regex: HOSTILE })).toBeUndefined();
  // Sixty digits: a backtracking engine needs about 2^60 steps here (this would not finish); RE2 is linear.
  expect(tagAllowed(`${'1'.repeat(60)}-rc`, { regex: HOSTILE })).toMatchObject({ allowed: false });
  expect(tagAllowed('1.2.3', { regex: HOSTILE })).toEqual({ allowed: true });
  expect(tagAllowed('x1.2.3', { regex: 'v?[0-9.]+' })).toMatchObject({ allowed: false }); // still anchored
});

test('a reconcile with the hostile pattern and tag is refused-tag, not a freeze', () => {
  const world = worldWithB({ spec: { policy: { tags: { regex: HOSTILE } } } });
  world.setStaging(`${'1'.repeat(60)}-rc`, { readySince: 0 });
  const plan = reconcile(world.observe());
  expect(plan.status.conditions?.find((c) => c.type === 'StagingVerified')).toMatchObject({
    status: 'False',
    reason: 'TagNotAllowed',
  });
  expect(plan.actions).toEqual([]);
});

test('a spec with an RE2-refused pattern is InvalidSpec, with no action', () => {
  const world = worldWithB({ spec: { policy: { tags: { regex: '(v)\\1' } } } });
  const plan = world.reconcile();
  expect(plan.status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({
    status: 'True',
    reason: 'InvalidSpec',
    message: expect.stringContaining('RE2'),
  });
  expect(plan.actions).toEqual([]);
});

test('the CRD refuses the patterns it can recognise (cases replayed against a real apiserver)', () => {
  expect(BAD_SPECS.filter((b) => b.message.includes('RE2')).map((b) => b.name)).toEqual([
    'regex with a backreference',
    'regex with a lookaround',
  ]);
});
