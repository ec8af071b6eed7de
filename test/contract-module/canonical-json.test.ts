// The hash rule both the charts (the Job they write) and the operator (the Job it creates) name migration Jobs by.
import { canonicalJson, compareCodeUnits, migrationJobName, sameJson } from '../../contract/index.js';

describe('migrationJobName', () => {
  const template = { backoffLimit: 1, template: { spec: { containers: [{ name: 'migrate' }] } } };

  test('is deterministic, independent of key order, and changes with image or template', () => {
    const name = migrationJobName('ponyshop', 'r@x', template);
    expect(name).toMatch(/^ponyshop-migrate-[0-9a-f]{10}$/);
    expect(migrationJobName('ponyshop', 'r@x', { template: template.template, backoffLimit: 1 })).toBe(name);
    expect(migrationJobName('ponyshop', 'r@y', template)).not.toBe(name);
    expect(migrationJobName('ponyshop', 'r@x', { ...template, backoffLimit: 2 })).not.toBe(name);
  });

  test('stays a valid 63-character label value for long app names', () => {
    const name = migrationJobName('A'.repeat(80), 'r@x', template);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});

test('canonicalJson sorts keys at every level and drops undefined', () => {
  expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: null } })).toBe(
    '{"a":{"c":null,"d":[2,{"z":1}]},"b":1}',
  );
});

test('compareCodeUnits orders like sort() without a comparator, whatever the locale', () => {
  const words = ['b', 'B', 'a', 'é', 'A', '_', '10', '9'];
  expect([...words].sort(compareCodeUnits)).toEqual([...words].sort());
});

test('sameJson agrees with comparing canonicalJson strings', () => {
  const values: unknown[] = [
    null,
    undefined,
    0,
    1,
    '1',
    true,
    false,
    [],
    {},
    [1, 2],
    [2, 1],
    [1, undefined],
    [1, null],
    { a: 1 },
    { a: 1, b: undefined },
    { b: undefined, a: 1 },
    { a: '1' },
    { a: [1, { x: 1, y: 2 }] },
    { a: [1, { y: 2, x: 1 }] },
    { a: [1, { y: 2, x: 1, z: undefined }] },
    { a: [1, { y: 3, x: 1 }] },
    { a: { b: { c: null } } },
    { a: { b: {} } },
    { a: { b: [] } },
    { status: { phase: 'Succeeded', history: [{ tag: 'b2', result: 'Succeeded' }] } },
    { status: { history: [{ result: 'Succeeded', tag: 'b2' }], phase: 'Succeeded' } },
    { status: { phase: 'Succeeded', history: [{ tag: 'b2', result: 'Failed' }] } },
  ];
  for (const a of values)
    for (const b of values) expect([a, b, sameJson(a, b)]).toEqual([a, b, canonicalJson(a) === canonicalJson(b)]);
});
