import { expand, lookupIn } from '../../checkapp/kube/expand.js';

const vars = lookupIn(
  new Map([
    ['VAR_A', 'A'],
    ['VAR_B', 'B'],
    ['EMPTY', ''],
    ['HAS_DOLLAR', '$(VAR_A)'],
  ]),
);

// Cases mirror the kubelet's own expansion tests: references, escapes, and
// everything that must be left exactly as written.
test.each([
  ['$(VAR_A)', 'A'],
  ['___$(VAR_B)___', '___B___'],
  ['$(VAR_A)-$(VAR_B)', 'A-B'],
  ['$(VAR_A)$(VAR_B)', 'AB'],
  ['$(EMPTY)x', 'x'],
  ['$(UNDEFINED)', '$(UNDEFINED)'],
  ['x $(UNDEFINED) $(VAR_A)', 'x $(UNDEFINED) A'],
  ['$$(VAR_A)', '$(VAR_A)'],
  ['$$$(VAR_A)', '$A'],
  ['$$$$(VAR_A)', '$$(VAR_A)'],
  ['$$', '$'],
  ['$', '$'],
  ['foo$', 'foo$'],
  ['$VAR_A', '$VAR_A'],
  ['${VAR_A}', '${VAR_A}'],
  ['$(VAR_A', '$(VAR_A'],
  ['$(', '$('],
  ['$()', '$()'],
  ['$(VAR_A)$', 'A$'],
  ['$(HAS_DOLLAR)', '$(VAR_A)'], // values are not expanded twice
  ['$é$(VAR_A)', '$éA'],
  ['no references', 'no references'],
])('expand(%j) = %j', (input, expected) => {
  expect(expand(input, vars)).toBe(expected);
});

test('lookupIn tries maps in order', () => {
  const lookup = lookupIn(
    new Map([['X', 'first']]),
    new Map([
      ['X', 'second'],
      ['Y', 'y'],
    ]),
  );
  expect(expand('$(X) $(Y)', lookup)).toBe('first y');
});
