// dist/ is read by YAML 1.1 tools (kubectl, Argo CD, PyYAML) and YAML 1.2 ones (kustomize's kyaml): every
// string must come back as the same string from both.
import { parse } from 'yaml';
import { toYaml } from '../../charts/render.js';

const TRICKY = [
  '',
  ' x',
  '-',
  '--bind',
  '-c',
  '-2',
  '-1.5',
  '+1',
  'true',
  'Yes',
  'NO',
  'on',
  'off',
  'y',
  'n',
  'null',
  '~',
  '1',
  '1.5',
  '0x1F',
  '1e3',
  '0777',
  '0o17',
  '0b101',
  '1_000',
  '.inf',
  '.NaN',
  '25%',
  '1:30',
  '190:20:30',
  '2001-12-14',
  'a: b',
  'a #b',
  '#x',
  'a:',
  '*a',
  '&a',
  '!t',
  '%x',
  '@x',
  '`x',
  '"q"',
  "'q'",
  '[x]',
  '{x}',
  '|',
  '>',
  '? x',
  '=',
  '<<',
  'a,b',
  'https://x/y?z=1&w',
  '  ',
  'é',
  'tab\there',
  'a\nb',
  'a\nb\n',
  'a\n\n',
  '\nx',
  ' a\nb',
  'a\tb\nc',
  'line \n end',
  'a\n  b\n',
  '\n',
  'ponyshop.wsgi:application',
];

test.each(['1.1', '1.2'] as const)('tricky strings, keys and nesting read back the same as YAML %s', (version) => {
  const value = {
    list: TRICKY,
    map: Object.fromEntries(TRICKY.map((t, i) => [t, i])),
    nested: [[1, [2]], { a: [], b: {} }, [], {}],
    scalars: { n: null, f: false, t: true, neg: -1.5e-7, zero: 0 },
  };
  expect(parse(toYaml(value), { version })).toEqual(value);
});

test('reads like hand-written YAML: plain where safe, quoted where ambiguous, literal blocks for scripts', () => {
  expect(toYaml({ a: 'plain', b: '2', c: 'on', d: '--bind', e: 'x\ny\n', f: [{ g: 1, h: [] }] })).toBe(
    'a: plain\nb: "2"\nc: "on"\nd: --bind\ne: |\n  x\n  y\nf:\n  - g: 1\n    h: []\n',
  );
});
