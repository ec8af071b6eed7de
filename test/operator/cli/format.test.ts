import { ANNOTATION } from '../../../operator/core/types.js';
import { age, formatDetail, formatList, shortImage } from '../../../operator/cli/format.js';
import { renderTable } from '../../../operator/cli/table.js';
import { DIGEST_B, DIGEST_C, NOW, promotion } from './fixtures.js';

test('renderTable pads columns and shows empty cells as "-"', () => {
  expect(
    renderTable(
      ['name', 'phase'],
      [
        ['ponyshop', 'Idle'],
        ['a', undefined],
      ],
    ),
  ).toBe('NAME       PHASE\nponyshop   Idle\na          -');
});

test('shortImage and age', () => {
  expect(shortImage({ tag: '1.5.0', digest: DIGEST_C, image: 'x' })).toBe('1.5.0@sha256:cccccccccccc');
  expect(shortImage({ image: 'repo:1.0' })).toBe('repo:1.0');
  expect(age('2026-11-22T11:59:00Z', NOW)).toBe('60s');
  expect(age('2026-11-22T09:00:00Z', NOW)).toBe('3h');
  expect(age('2026-11-21T00:00:00Z', NOW)).toBe('36h');
  expect(age('2026-11-01T00:00:00Z', NOW)).toBe('21d');
});

test('list view', () => {
  const held = promotion({ annotations: { [ANNOTATION.hold]: 'incident 42' } });
  held.metadata.name = 'other';
  expect(formatList([promotion(), held], true)).toBe(
    [
      'NAMESPACE             NAME       STAGING                                PRODUCTION                  PHASE     IN-FLIGHT   APPROVAL   HOLD',
      'ponyshop-production   ponyshop   1.5.0@sha256:cccccccccccc (verified)   1.4.0@sha256:bbbbbbbbbbbb   Waiting   -           Manual     -',
      'ponyshop-production   other      1.5.0@sha256:cccccccccccc (verified)   1.4.0@sha256:bbbbbbbbbbbb   Waiting   -           Manual     incident 42 (requested)',
    ].join('\n'),
  );
  expect(formatList([], false)).toBe('No Promotions found.');
});

test('list view shows the wave of an in-flight rollout', () => {
  const p = promotion();
  p.status!.inFlight = {
    kind: 'Promotion',
    phase: 'RollingOut',
    wave: 1,
    tag: '1.5.0',
    digest: DIGEST_C,
    image: 'x',
    startedAt: '2026-11-22T11:58:00Z',
  };
  expect(formatList([p], false)).toContain('1.5.0@sha256:cccccccccccc RollingOut wave 2/2 [beat]');
});

test('detail view of a Manual pipeline waiting for approval', () => {
  expect(formatDetail(promotion(), NOW)).toMatchSnapshot();
  expect(formatDetail(promotion(), NOW)).toContain(
    'Waiting for approval of 1.5.0: ponyexpress approve ponyshop 1.5.0 -n ponyshop-production',
  );
});

test('detail view after a rollback: hold, rollback target, no approval hint', () => {
  const p = promotion({ annotations: { [ANNOTATION.rollbackTo]: DIGEST_B, [ANNOTATION.hold]: 'rollback' } });
  p.status!.phase = 'Held';
  p.status!.hold = { since: '2026-11-22T11:00:00Z', reason: 'rollback to 1.4.0', by: 'rollback', rollbackTo: DIGEST_B };
  const text = formatDetail(p, NOW);
  expect(text).toMatch(/^Hold: +rollback to 1.4.0 \(since 2026-11-22T11:00:00Z, by rollback\)$/m);
  expect(text).toMatch(new RegExp(`^Rollback to: +${DIGEST_B}$`, 'm'));
  expect(text).toContain('Held: nothing is promoted. Resume with: ponyexpress release ponyshop -n ponyshop-production');
  expect(text).not.toContain('Waiting for approval');
});

test('detail view of a fresh Promotion the operator has not reconciled', () => {
  const text = formatDetail(promotion({ status: {} }), NOW);
  expect(text).toMatch(/^Phase: +unknown \(not reconciled yet\)$/m);
  expect(text).toContain('Conditions:\n  none yet');
  expect(text).toContain('History (newest first):\n  none yet');
});
