// The hash rule both the charts (the Job they write) and the operator (the Job it creates) name migration Jobs by.
import { canonicalJson, compareCodeUnits, migrationJobName } from '../../contract/index.js';

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
