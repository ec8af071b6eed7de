// Helpers shared by the chart tests: real environment files, real schema, real cdk8s synthesis.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { environmentSchema } from '../../charts/config/environment-schema.js';
import { renderEnvironment, type ManifestObject, type RenderedOutput } from '../../charts/synth.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const environmentsDir = path.join(repoRoot, 'environments');

/** The example environment file as plain data, ready to be mutated by a test. */
export function exampleConfig(env: 'staging' | 'production' = 'staging'): Record<string, any> {
  return parse(readFileSync(path.join(environmentsDir, `${env}.yaml`), 'utf8'));
}

/** Validates and synthesises a config in memory, the way `npm run synth` does for one file. */
export function render(raw: Record<string, any>, env = 'staging'): RenderedOutput {
  return renderEnvironment({ name: env, file: `environments/${env}.yaml`, config: environmentSchema.parse(raw) });
}

export function find(objects: ManifestObject[], kind: string, name: string): any {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found)
    throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export function byKind(objects: ManifestObject[], kind: string): any[] {
  return objects.filter((o) => o.kind === kind);
}

/** Every container of a pod spec, init containers included. */
export function allContainers(podSpec: any): any[] {
  return [...(podSpec.initContainers ?? []), ...podSpec.containers];
}

/** Pod spec of any workload kind. */
export function podSpecOf(obj: any): any {
  return obj.spec.template.spec;
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp dir, removed after the test file has run. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `ponyexpress-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** A temp dir with the given environment files written as YAML (or raw text). */
export function configDirWith(files: Record<string, Record<string, any> | string>): string {
  const dir = tempDir('config');
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : stringify(content));
  }
  return dir;
}
