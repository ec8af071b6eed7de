// Both files in imports/ are generated from the CRD: the operator's spec/status interfaces
// (scripts/generate-promotion-types.ts) and cdk8s' spec classes. These tests regenerate them the way
// `npm run import` does, so an edit to the CRD that is not regenerated fails here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, test } from '@jest/globals';
import { parse, stringify } from 'yaml';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const script = path.join(repoRoot, 'scripts', 'generate-promotion-types.ts');
const committed = path.join(repoRoot, 'imports', 'promotion-types.ts');
const crdPath = path.join(repoRoot, 'operator', 'crd', 'promotions.ponyexpress.dev.yaml');
const tsxLoader = pathToFileURL(path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** Runs the generator (with this Node, 24) into a temp file and returns what it wrote. */
function generate(crd: string = crdPath): string {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'promotion-types-')), 'promotion-types.ts');
  const run = spawnSync(process.execPath, ['--import', tsxLoader, script, '--crd', crd, '--out', out], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  return readFileSync(out, 'utf8');
}

test('imports/promotion-types.ts is exactly what the CRD generates (else: npm run import:types)', () => {
  expect(generate()).toBe(readFileSync(committed, 'utf8'));
}, 60_000);

test('imports/ponyexpress.dev.ts is exactly what `cdk8s import` makes of the CRD (else: npm run import)', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'cdk8s-import-'));
  const cdk8s = path.join(repoRoot, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
  const run = spawnSync(
    process.execPath,
    [cdk8s, 'import', crdPath, '--language', 'typescript', '--output', out, '--no-check-upgrade'],
    {
      cwd: out,
      encoding: 'utf8',
    },
  );
  // cdk8s reports progress on stderr; on failure the diff shows it beside the status.
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  const committedImport = path.join(repoRoot, 'imports', 'ponyexpress.dev.ts');
  expect(readFileSync(path.join(out, 'ponyexpress.dev.ts'), 'utf8')).toBe(readFileSync(committedImport, 'utf8'));
}, 60_000);

test('a field added to the CRD status appears in the generated types, so the check above can fail', () => {
  const crd = parse(readFileSync(crdPath, 'utf8')) as {
    spec: { versions: { schema: { openAPIV3Schema: { properties: { status: { properties: object } } } } }[] };
  };
  const status = crd.spec.versions[0].schema.openAPIV3Schema.properties.status;
  status.properties = { ...status.properties, lastSeenBy: { type: 'string', description: 'Added by a test.' } };
  const edited = path.join(mkdtempSync(path.join(tmpdir(), 'promotion-crd-')), 'crd.yaml');
  writeFileSync(edited, stringify(crd));
  const generated = generate(edited);
  expect(generated).not.toBe(readFileSync(committed, 'utf8'));
  expect(generated).toMatch(
    /export interface PromotionStatus \{[^}]*\/\*\*\n {3}\* Added by a test\.\n {3}\*\/\n {2}lastSeenBy\?: string;/,
  );
}, 60_000);
