import { nextConditions, onlyProgressDiffers } from '../../../operator/core/conditions.js';
import type { PromotionStatus } from '../../../operator/core/resource.js';
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

describe('onlyProgressDiffers (which observation-only changes may wait longer)', () => {
  const status = (reason: string, message: string, tag = 'B', ready = 'True'): PromotionStatus => ({
    phase: 'Waiting',
    staging: { image: `r/app:${tag}`, tag, verified: false },
    conditions: nextConditions(
      undefined,
      {
        Ready: { status: ready as 'True', reason: 'Waiting', message: `waiting: ${message}` },
        StagingVerified: { status: 'False', reason, message },
      },
      1,
      T1,
    ),
  });
  const before = status('RolloutIncomplete', 'deployment/web: rolling out');

  test('a progress reason in new words, with the conditions quoting it, is only progress', () => {
    expect(onlyProgressDiffers(before, status('PodsNotReady', 'pod web-0 is not Ready'))).toBe(true);
    expect(onlyProgressDiffers(before, status('Soaking', 'soaking until 01:00'))).toBe(true);
    // The candidate's staging migration finishing, and its pods healthy since: progress of the same candidate.
    const migrated = status('PodsNotReady', 'pod web-0 is not Ready');
    migrated.staging = { ...migrated.staging!, migrated: true, healthySince: T2 };
    expect(onlyProgressDiffers(before, migrated)).toBe(true);
  });

  test('a new candidate in progress is progress too', () => {
    const idle: PromotionStatus = { ...before, phase: 'Idle', staging: { image: 'r/app:A', tag: 'A', verified: true } };
    expect(onlyProgressDiffers(idle, status('RolloutIncomplete', 'deployment/web: rolling out', 'C'))).toBe(true);
  });

  test('a problem reason, a status flip, production or no status before is not', () => {
    expect(
      onlyProgressDiffers(before, { ...status('Soaking', 'soaking'), production: { image: 'r/app:A', tag: 'A' } }),
    ).toBe(false);
    expect(onlyProgressDiffers(before, status('StagingMigrationFailed', 'Job failed'))).toBe(false);
    expect(onlyProgressDiffers(before, status('RolloutStalled', 'ProgressDeadlineExceeded'))).toBe(false);
    expect(onlyProgressDiffers(before, status('PodsCrashing', 'container web restarted 3 times'))).toBe(false);
    expect(onlyProgressDiffers(before, status('PodsNotReady', 'pod web-0 is not Ready', 'B', 'False'))).toBe(false);
    expect(onlyProgressDiffers(undefined, before)).toBe(false);
  });
});
