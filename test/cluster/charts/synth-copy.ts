// Synthesises the charts from a private copy of environments/ into a private dist/, so a test
// can change the config (e.g. the image tag) without touching the repository's files.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parseDocument } from 'yaml';
import { synthesizeAll } from '../../../charts/synth.js';
import type { ManifestObject } from '../harness/apply.js';

export interface SynthesizedFile {
  /** Relative to dist/<env>/, e.g. `50-deployment-ponyshop-web.yaml`. */
  path: string;
  object: ManifestObject;
}

const REPO_ENVIRONMENTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'environments');

export class SynthWorkspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'ponyexpress-synth-'));
  readonly configDir = join(this.dir, 'environments');
  readonly outDir = join(this.dir, 'dist');

  /** @param sourceConfigDir @default the repository's environments/ */
  constructor(sourceConfigDir = REPO_ENVIRONMENTS) {
    cpSync(sourceConfigDir, this.configDir, { recursive: true });
  }

  /** Edits `<env>.yaml` in the copy, keeping its comments and layout. */
  edit(env: string, change: (doc: ReturnType<typeof parseDocument>) => void): void {
    const file = join(this.configDir, `${env}.yaml`);
    const doc = parseDocument(readFileSync(file, 'utf8'));
    change(doc);
    writeFileSync(file, doc.toString());
  }

  setImageTag(env: string, tag: string): void {
    this.edit(env, (doc) => doc.setIn(['image', 'tag'], tag));
  }

  /** Runs the real synthesis into this workspace's dist/ and reads back every file of `env`. */
  synthesize(envs: string[]): Record<string, SynthesizedFile[]> {
    synthesizeAll({ configDir: this.configDir, outDir: this.outDir, only: envs });
    return Object.fromEntries(envs.map((env) => [env, readManifests(join(this.outDir, env))]));
  }

  /** dist/operator/ as `npm run synth` writes it (empty when no environment has a `promotion:` section). */
  synthesizeOperator(): SynthesizedFile[] {
    const written = synthesizeAll({ configDir: this.configDir, outDir: this.outDir }).outputs.find(
      (o) => o.name === 'operator',
    );
    return written ? readManifests(written.dir) : [];
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every YAML document under `dir` (recursively), in file-name order. */
export function readManifests(dir: string): SynthesizedFile[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(name)) files.push(full);
    }
  };
  walk(dir);
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8'))
      .map((doc) => doc.toJS() as ManifestObject | null)
      .filter((object): object is ManifestObject => object !== null)
      .map((object) => ({ path: relative(dir, file), object })),
  );
}
