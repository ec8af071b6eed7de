import { nextConditions } from '../../../operator/core/conditions.js';
import { rfc3339 } from '../../../operator/core/time.js';

const T1 = '2026-11-22T00:00:00Z';
const T2 = '2026-11-22T01:00:00Z';

test('lastTransitionTime moves only when the status flips', () => {
  const first = nextConditions(undefined, { Ready: { status: 'False', reason: 'Progressing', message: 'a' } }, 1, T1);
  expect(first).toEqual([
    {
      type: 'Ready',
      status: 'False',
      observedGeneration: 1,
      reason: 'Progressing',
      message: 'a',
      lastTransitionTime: T1,
    },
  ]);
  const reworded = nextConditions(first, { Ready: { status: 'False', reason: 'Other', message: 'b' } }, 2, T2);
  expect(reworded[0]).toMatchObject({ reason: 'Other', message: 'b', observedGeneration: 2, lastTransitionTime: T1 });
  const flipped = nextConditions(reworded, { Ready: { status: 'True', reason: 'Idle', message: '' } }, 2, T2);
  expect(flipped[0]).toMatchObject({ status: 'True', lastTransitionTime: T2 });
});

test('conditions come in a fixed order; ones not recomputed keep their value but the new generation', () => {
  const first = nextConditions(
    undefined,
    {
      Degraded: { status: 'False', reason: 'AsExpected', message: '' },
      Ready: { status: 'True', reason: 'Idle', message: '' },
    },
    1,
    T1,
  );
  expect(first.map((c) => c.type)).toEqual(['Ready', 'Degraded']);
  const next = nextConditions(first, { Ready: { status: 'False', reason: 'Suspended', message: '' } }, 3, T2);
  expect(next[1]).toEqual({ ...first[1], observedGeneration: 3 });
});

test('rfc3339 has seconds precision, like metav1.Time', () => {
  expect(rfc3339(new Date('2026-11-22T00:00:01.999Z'))).toBe('2026-11-22T00:00:01Z');
});
