import { parse } from 'yaml';
import { toYaml } from '../../charts/yaml-emit.js';

const TRICKY = [
  '', ' x', '-', '--bind', '-c', '-2', '-1.5', '+1', 'true', 'Yes', 'NO', 'on', 'y', 'null', '~', '1', '1.5', '0x1F', '1e3',
  '25%', '1:30', '2001-12-14', 'a: b', 'a #b', '#x', 'a:', '*a', '&a', '!t', '%x', '@x', '`x', '"q"', "'q'", '[x]', '{x}',
  '|', '>', '? x', '.inf', '=', '<<', 'a,b', 'https://x/y?z=1&w', '  ', 'é', 'x\u2028y', 'tab\there',
  'a\nb', 'a\nb\n', 'a\n\n', '\nx', ' a\nb', 'a\tb\nc', 'line \n end', 'a\n  b\n', '\n', 'ponyshop.wsgi:application',
];

test('tricky strings, keys and nesting survive a round trip through a YAML parser', () => {
  const value = {
    list: TRICKY,
    map: Object.fromEntries(TRICKY.map((t, i) => [t, i])),
    nested: [[1, [2]], { a: [], b: {} }, [], {}],
    scalars: { n: null, f: false, t: true, neg: -1.5e-7, zero: 0 },
  };
  expect(parse(toYaml(value))).toEqual(value);
});

test('reads like hand-written YAML: plain where safe, quoted where ambiguous, literal blocks for scripts', () => {
  expect(toYaml({ a: 'plain', b: '2', c: 'true', d: '--bind', e: 'x\ny\n', f: [{ g: 1, h: [] }] })).toBe(
    'a: plain\nb: "2"\nc: "true"\nd: --bind\ne: |\n  x\n  y\nf:\n  - g: 1\n    h: []\n',
  );
});

test('refuses values JSON-shaped manifests never contain', () => {
  expect(() => toYaml({ x: Number.NaN })).toThrow('cannot write NaN as YAML');
  expect(() => toYaml({ x: () => 1 } as never)).toThrow('cannot write a function as YAML');
});
