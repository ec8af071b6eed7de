// jest's default order (failed first, then slowest first), except that the kind project's files come last:
// its cluster comes up in the background (test/kind/background.ts) while every other file runs.
import Sequencer from '@jest/test-sequencer';

/** The kind project's displayName (jest.config.js imports it). */
export const KIND_PROJECT = 'kind';

const isKind = (test) => test.context.config.displayName?.name === KIND_PROJECT;

export default class KindLast extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    return [...sorted.filter((t) => !isKind(t)), ...sorted.filter(isKind)];
  }
}
