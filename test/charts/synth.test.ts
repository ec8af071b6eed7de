import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { synthesizeAll } from '../../charts/synth.js';
import { environmentsDir, repoRoot, tempDir } from './support.js';

// Run the CLIs with this Node (24), not whatever `#!/usr/bin/env node` finds first on PATH.
const node = process.execPath;
const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
// `npm run synth` is `node --import tsx main.ts` (one process; the tsx CLI would start a second Node).
const tsxLoader = pathToFileURL(path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const cdk8s = path.join(repoRoot, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
const mainTs = path.join(repoRoot, 'main.ts');

function workspace(): string {
  const dir = tempDir('ws');
  cpSync(environmentsDir, path.join(dir, 'environments'), { recursive: true });
  return dir;
}

test('replaces dist/<env> wholesale, leaves other entries of dist alone, leaves no temp dir', () => {
  const root = tempDir('atomic');
  const out = path.join(root, 'dist');
  mkdirSync(path.join(out, 'staging'), { recursive: true });
  mkdirSync(path.join(out, 'operator'), { recursive: true });
  writeFileSync(path.join(out, 'staging', '50-deployment-removed-last-release.yaml'), 'stale\n');
  writeFileSync(path.join(out, 'operator', 'keep.yaml'), 'kept\n');
  const result = synthesizeAll({ configDir: environmentsDir, outDir: out, only: ['staging'] });
  expect(result.outputs.map((e) => [e.name, e.dir])).toEqual([['staging', path.join(out, 'staging')]]);
  expect(readdirSync(out).sort()).toEqual(['operator', 'staging']);
  expect(readdirSync(root)).toEqual(['dist']);
  expect(readFileSync(path.join(out, 'operator', 'keep.yaml'), 'utf8')).toBe('kept\n');
  const written = readdirSync(path.join(out, 'staging'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  expect(written).toEqual([...result.outputs[0].files].sort());
  expect(written).not.toContain('50-deployment-removed-last-release.yaml');
});

test('`npm run synth` writes dist/staging and dist/production, and exits 1 with every problem on a bad file', () => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  expect(pkg.scripts.synth).toBe('node --import tsx main.ts');
  const ws = workspace();
  const ok = spawnSync(node, ['--import', tsxLoader, mainTs], { cwd: ws, encoding: 'utf8' });
  expect(ok.status).toBe(0);
  expect(ok.stdout).toMatch(
    /^dist\/production\/: \d+ files\ndist\/staging\/: \d+ files\ndist\/operator\/: \d+ files\n$/,
  );
  const before = readdirSync(path.join(ws, 'dist', 'staging')).sort();
  writeFileSync(path.join(ws, 'environments', 'staging.yaml'), 'app: ponyshop\n');
  const bad = spawnSync(node, ['--import', tsxLoader, mainTs], { cwd: ws, encoding: 'utf8' });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toContain(
    'environments/staging.yaml: namespace: found nothing (the field is required), expected a DNS label',
  );
  expect(bad.stderr).toContain(
    'environments/staging.yaml: image: found nothing (the field is required), expected a mapping',
  );
  expect(readdirSync(path.join(ws, 'dist', 'staging')).sort()).toEqual(before);
});

test('`cdk8s synth` writes the same dist/ (its own output folder is only a scratch copy)', () => {
  const ws = workspace();
  writeFileSync(
    path.join(ws, 'cdk8s.yaml'),
    `language: typescript\napp: ${node} ${tsx} ${mainTs}\noutput: .cache/cdk8s-synth\n`,
  );
  const run = spawnSync(node, [cdk8s, 'synth', '--no-check-upgrade'], { cwd: ws, encoding: 'utf8' });
  expect(run.status).toBe(0);
  const direct = synthesizeAll({ configDir: environmentsDir, outDir: path.join(ws, 'expected') });
  for (const env of direct.outputs) {
    for (const file of env.files) {
      expect(readFileSync(path.join(ws, 'dist', env.name, file), 'utf8')).toBe(
        readFileSync(path.join(env.dir, file), 'utf8'),
      );
    }
  }
  expect(existsSync(path.join(ws, '.cache', 'cdk8s-synth', 'staging'))).toBe(true);
});
