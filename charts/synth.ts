import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadEnvironments } from './config/load.js';
import { renderEnvironment, type RenderedEnvironment } from './render.js';

export { ConfigError, type ConfigProblem } from './config/config-error.js';
export type { ManifestObject, RenderedEnvironment, RenderedFile } from './render.js';

export interface SynthOptions {
  /** Folder of `<env>.yaml` files, relative to process.cwd(). @default environments */
  configDir?: string;
  /** Output root; each environment goes to `<outDir>/<env>/`. @default dist */
  outDir?: string;
  /** Environments to synthesise; all files are validated regardless. @default every file in configDir */
  envs?: string[];
}

export interface SynthResult {
  /** `files` relative to `dir`; `promotionFrom` names the source environment of a promotion target. */
  envs: { name: string; dir: string; files: string[]; promotionFrom?: string }[];
}

/**
 * Validates every environment file and returns the synthesised objects of one environment, in memory.
 * Throws ConfigError like synthesizeAll.
 */
export function synthesizeEnvironment(env: string, opts: { configDir?: string } = {}): RenderedEnvironment {
  const [loaded] = loadEnvironments(opts.configDir ?? 'environments', [env]);
  return renderEnvironment(loaded);
}

/**
 * Validates ALL environment files (throwing one ConfigError with every problem, writing nothing), renders the
 * requested environments in memory, writes them to a temp dir beside outDir, then renames each `<outDir>/<env>`
 * into place. Other entries of outDir are left alone.
 */
export function synthesizeAll(opts: SynthOptions = {}): SynthResult {
  const configDir = opts.configDir ?? 'environments';
  const outDir = path.resolve(process.cwd(), opts.outDir ?? 'dist');
  const loaded = loadEnvironments(configDir, opts.envs);
  const rendered = loaded.map(renderEnvironment);
  mkdirSync(path.dirname(outDir), { recursive: true });
  const staging = mkdtempSync(`${outDir}.tmp-`);
  try {
    for (const env of rendered) {
      for (const file of env.files) {
        const target = path.join(staging, env.name, file.path);
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, file.content);
      }
    }
    mkdirSync(outDir, { recursive: true });
    for (const env of rendered) {
      const final = path.join(outDir, env.name);
      const old = path.join(staging, `${env.name}.previous`);
      if (existsSync(final)) renameSync(final, old);
      renameSync(path.join(staging, env.name), final);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return {
    envs: rendered.map((env, i) => ({
      name: env.name,
      dir: path.join(outDir, env.name),
      files: env.files.map((f) => f.path),
      ...(loaded[i].promotionFrom ? { promotionFrom: loaded[i].promotionFrom!.env } : {}),
    })),
  };
}
