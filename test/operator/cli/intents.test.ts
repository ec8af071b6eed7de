import { ANNOTATION } from '../../../operator/core/types.js';
import { approveIntent, holdIntent, releaseIntent, rollbackIntent } from '../../../operator/cli/intents.js';
import { RefError } from '../../../operator/cli/refs.js';
import { DIGEST_B, DIGEST_C, DIGEST_D, promotion } from './fixtures.js';

const annotationsOf = (i: { patch: { metadata: { annotations: Record<string, string | null> } } }) =>
  i.patch.metadata.annotations;

describe('approve', () => {
  test('names exactly the tag; no note when it is the verified candidate', () => {
    const intent = approveIntent(promotion(), '1.5.0');
    expect(annotationsOf(intent)).toEqual({ [ANNOTATION.approve]: '1.5.0' });
    expect(intent.lines).toEqual(['approved 1.5.0 for ponyshop-production/ponyshop']);
  });

  test('a full image reference of the same repository is reduced to its digest', () => {
    const intent = approveIntent(promotion(), `ghcr.io/ponyexpress/ponyshop@${DIGEST_C}`);
    expect(annotationsOf(intent)).toEqual({ [ANNOTATION.approve]: DIGEST_C });
  });

  test("a short digest expands to staging's full digest", () => {
    expect(annotationsOf(approveIntent(promotion(), 'sha256:ccccccc'))).toEqual({ [ANNOTATION.approve]: DIGEST_C });
    expect(() => approveIntent(promotion(), 'sha256:bbbbbbb')).toThrow(/does not match staging's candidate/);
  });

  test('approving another image says it waits for staging', () => {
    const intent = approveIntent(promotion(), '1.6.0');
    expect(intent.lines[1]).toBe(
      `note: staging's candidate is 1.5.0 (${DIGEST_C}); this approval takes effect only once staging verifies 1.6.0`,
    );
  });

  test('warns when Automatic or held', () => {
    const lines = approveIntent(
      promotion({ approval: 'Automatic', annotations: { [ANNOTATION.hold]: 'x' } }),
      '1.5.0',
    ).lines;
    expect(lines).toContain('note: approval is Automatic, so verified candidates are promoted without approval anyway');
    expect(lines).toContain(
      'note: ponyshop-production/ponyshop is on hold; nothing is promoted until `ponyexpress release ponyshop`',
    );
  });

  test('rejects other repositories and malformed refs', () => {
    expect(() => approveIntent(promotion(), 'docker.io/evil/ponyshop:1.5.0')).toThrow(RefError);
    expect(() => approveIntent(promotion(), 'docker.io/evil/ponyshop:1.5.0')).toThrow(
      /not an image of ghcr.io\/ponyexpress\/ponyshop/,
    );
    expect(() => approveIntent(promotion(), 'sha256:XYZ')).toThrow(/neither a tag nor a digest/);
  });
});

describe('hold and release', () => {
  test('hold sets the reason and tells how to release', () => {
    const intent = holdIntent(promotion(), 'incident 42');
    expect(annotationsOf(intent)).toEqual({ [ANNOTATION.hold]: 'incident 42' });
    expect(intent.lines.at(-1)).toBe('release with: ponyexpress release ponyshop -n ponyshop-production');
  });

  test('release removes the hold and a rollback-to, and says so', () => {
    const intent = releaseIntent(
      promotion({ annotations: { [ANNOTATION.hold]: 'x', [ANNOTATION.rollbackTo]: '1.3.0' } }),
    );
    expect(annotationsOf(intent)).toEqual({ [ANNOTATION.hold]: null, [ANNOTATION.rollbackTo]: null });
    expect(intent.lines).toContain('removed rollback-to 1.3.0; a newer verified staging image will be promoted again');
  });

  test('release of a Promotion that is not held changes nothing', () => {
    const intent = releaseIntent(promotion());
    expect(annotationsOf(intent)).toEqual({});
    expect(intent.lines).toEqual(['ponyshop-production/ponyshop is not held; nothing to release']);
  });
});

describe('rollback', () => {
  test("pins the history entry's digest and sets a hold, and says both", () => {
    const intent = rollbackIntent(promotion(), '1.3.0');
    expect(annotationsOf(intent)).toEqual({
      [ANNOTATION.rollbackTo]: DIGEST_D,
      [ANNOTATION.hold]: `rollback to 1.3.0 (${DIGEST_D}) (ponyexpress rollback)`,
    });
    expect(intent.lines.join('\n')).toMatch(/migrations are neither re-run nor reversed[\s\S]*set hold/);
  });

  test('an existing hold keeps its reason', () => {
    const intent = rollbackIntent(promotion({ annotations: { [ANNOTATION.hold]: 'incident 42' } }), 'sha256:ddddddd');
    expect(annotationsOf(intent)[ANNOTATION.hold]).toBe('incident 42');
  });

  test('an unknown or failed entry is refused, listing the valid targets', () => {
    const valid = `valid targets (from status.history):\n  1.4.0 (${DIGEST_B})\n  1.3.0 (${DIGEST_D})`;
    expect(() => rollbackIntent(promotion(), '0.9.0')).toThrow(`no history entry matches 0.9.0.\n${valid}`);
    // 1.3.9's migration failed: its image never ran in production.
    expect(() => rollbackIntent(promotion(), '1.3.9')).toThrow('no history entry matches 1.3.9');
  });

  test('an empty history says so', () => {
    const p = promotion({ status: { phase: 'Idle' } });
    expect(() => rollbackIntent(p, '1.0.0')).toThrow('the history has no image that reached production yet');
  });
});
