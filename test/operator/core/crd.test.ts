// Static checks of the CRD against the TypeScript types and the core's own spec checks. That the
// apiserver rejects BAD_SPECS with these messages was checked against kube-apiserver v1.30.14
// (see docs/operator-core.md); a cluster test can replay BAD_SPECS with `kubectl apply --dry-run=server`.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { specProblem } from '../../../operator/core/spec.js';
import {
  DEFAULTS,
  PROMOTION_GROUP,
  PROMOTION_KIND,
  PROMOTION_PLURAL,
  PROMOTION_VERSION,
  type PromotionObject,
} from '../../../operator/core/types.js';
import { BAD_SPECS, CRD_PATH, examplePromotion } from './crd-cases.js';

type Schema = {
  properties?: Record<string, Schema>;
  items?: Schema;
  default?: unknown;
  enum?: unknown[];
  type?: string;
  required?: string[];
} & Record<string, unknown>;

const crd = parse(readFileSync(CRD_PATH, 'utf8'));
const version = crd.spec.versions[0];
const root: Schema = version.schema.openAPIV3Schema;
const at = (path: string): Schema =>
  path.split('.').reduce((s: Schema, key) => (key === '[]' ? s.items! : s.properties![key]), root);

test('names, scope, subresource and printer columns', () => {
  expect(crd.metadata.name).toBe(`${PROMOTION_PLURAL}.${PROMOTION_GROUP}`);
  expect(crd.spec).toMatchObject({
    group: PROMOTION_GROUP,
    scope: 'Namespaced',
    names: { kind: PROMOTION_KIND, plural: PROMOTION_PLURAL, shortNames: ['promo'] },
  });
  expect(crd.spec.versions.map((v: { name: string }) => v.name)).toEqual([PROMOTION_VERSION]);
  expect(version.subresources).toEqual({ status: {} });
  expect(
    version.additionalPrinterColumns.slice(0, 4).map((c: { name: string; jsonPath: string }) => [c.name, c.jsonPath]),
  ).toEqual([
    ['Staging', '.status.staging.tag'],
    ['Production', '.status.production.tag'],
    ['Phase', '.status.phase'],
    ['Age', '.metadata.creationTimestamp'],
  ]);
});

test('defaults in the schema are the defaults the core applies', () => {
  expect(at('spec.source.soakSeconds').default).toBe(DEFAULTS.soakSeconds);
  expect(at('spec.target.rolloutTimeoutSeconds').default).toBe(DEFAULTS.rolloutTimeoutSeconds);
  expect(at('spec.target.waves').default).toEqual(DEFAULTS.waves);
  expect(at('spec.policy.approval').default).toBe(DEFAULTS.approval);
  expect(at('spec.historyLimit').default).toBe(DEFAULTS.historyLimit);
  expect(at('spec.policy.drift').default).toBe(DEFAULTS.drift);
});

test('status enums list exactly the values the core writes', () => {
  expect(at('status.phase').enum).toEqual([
    'Idle',
    'Waiting',
    'Migrating',
    'RollingOut',
    'Succeeded',
    'Failed',
    'Held',
    'RollingBack',
  ]);
  expect(at('status.history.[].result').enum).toEqual(['Succeeded', 'Failed', 'RolledBack', 'Aborted', 'Observed']);
  expect(at('status.inFlight.phase').enum).toEqual(['Migrating', 'RollingOut', 'RollingBack']);
  expect(at('status.conditions.[]').required).toEqual(['type', 'status', 'reason', 'message', 'lastTransitionTime']);
});

/** Structural schema: every node has a type unless it preserves unknown fields under a typed parent. */
function untyped(schema: Schema, path: string): string[] {
  const own = schema.type ? [] : [path];
  const children = Object.entries(schema.properties ?? {}).flatMap(([k, s]) => untyped(s, `${path}.${k}`));
  return [...own, ...children, ...(schema.items ? untyped(schema.items, `${path}[]`) : [])];
}

test('the schema is structural', () => {
  expect(untyped(root, '')).toEqual([]);
});

test('the example Promotion is valid for the core too', () => {
  expect(specProblem(examplePromotion() as PromotionObject)).toBeUndefined();
});

test('the core refuses, on its own, the bad specs it can recognise (objects that bypassed the CRD)', () => {
  const mirrored = [
    'same source and target namespace',
    'an empty wave',
    'beat before the others',
    'beat with worker',
    'a component twice',
    'template without containers',
    'imageRepository with a tag',
  ];
  for (const bad of BAD_SPECS.filter((b) => mirrored.includes(b.name))) {
    const promotion = examplePromotion();
    bad.mutate(promotion);
    expect([bad.name, specProblem(promotion as PromotionObject)]).toEqual([bad.name, expect.any(String)]);
  }
});
