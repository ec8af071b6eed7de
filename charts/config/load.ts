import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseDocument } from './yaml-parser.js';
import { ConfigError, describeValue, formatPath, type ConfigProblem } from './config-error.js';
import { crossFieldProblems, environmentSchema, type EnvironmentConfig } from './environment-schema.js';
import { attachPromotionSources, type PromotionSource } from '../promotion-config.js';
import { problemsFromIssues, valueAt } from './issues.js';

export interface LoadedEnvironment {
  /** File name without extension: `staging`, `production`. Names the output folder dist/<name>. */
  name: string;
  /** The file as shown in messages. */
  file: string;
  config: EnvironmentConfig;
  /** The environment `promotion.from` names, when this one is a promotion target. */
  promotionFrom?: PromotionSource;
}

const ENV_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function parseFile(file: string, problems: ConfigProblem[]): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const at = lineCounter.linePos(err.pos[0]);
      const where = `line ${at.line}, column ${at.col}`;
      problems.push({ file, path: where, found: `invalid YAML (${err.message.split('\n')[0]})`, expected: 'well-formed YAML' });
    }
    return undefined;
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ file, path: '(root)', found: describeValue(data), expected: 'a mapping of environment settings' });
    return undefined;
  }
  return data;
}

/** Validates one file on its own; cross-environment checks happen in `loadEnvironments`. */
function loadFile(file: string, problems: ConfigProblem[]): EnvironmentConfig | undefined {
  const data = parseFile(file, problems);
  if (data === undefined) return undefined;
  const result = environmentSchema.safeParse(data);
  if (!result.success) {
    problems.push(...problemsFromIssues(file, environmentSchema, data, result.error.issues));
    return undefined;
  }
  const contradictions = crossFieldProblems(result.data);
  for (const c of contradictions) {
    problems.push({ file, path: formatPath(c.path), found: describeValue(valueAt(data, c.path)), expected: c.expected });
  }
  return contradictions.length === 0 ? result.data : undefined;
}

function listEnvironmentFiles(configDir: string): string[] {
  return readdirSync(configDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

/**
 * Reads and validates every environment file in `configDir`, then returns the requested ones.
 * Throws one ConfigError listing every problem of every file.
 * @param configDir as the user wrote it; messages name files relative to it.
 * @param only environment names to return. @default all files
 */
export function loadEnvironments(configDir: string, only?: string[]): LoadedEnvironment[] {
  const problems: ConfigProblem[] = [];
  if (!existsSync(configDir) || !statSync(configDir).isDirectory()) {
    throw new ConfigError([{ file: configDir, path: '(file)', found: 'no such directory', expected: 'a directory of <environment>.yaml files' }]);
  }
  const files = listEnvironmentFiles(configDir);
  if (files.length === 0) {
    throw new ConfigError([{ file: configDir, path: '(file)', found: 'no .yaml files', expected: 'one <environment>.yaml per environment' }]);
  }
  const loaded: LoadedEnvironment[] = [];
  const namespaces = new Map<string, string>();
  for (const base of files) {
    const file = path.join(configDir, base);
    const name = base.replace(/\.ya?ml$/, '');
    if (!ENV_NAME.test(name)) {
      problems.push({ file, path: '(file name)', found: JSON.stringify(name), expected: 'a DNS label, because it names dist/<environment>' });
      continue;
    }
    const config = loadFile(file, problems);
    if (!config) continue;
    const other = namespaces.get(config.namespace);
    if (other) {
      problems.push({ file, path: 'namespace', found: JSON.stringify(config.namespace), expected: `a namespace no other environment uses (${other} has it)` });
      continue;
    }
    namespaces.set(config.namespace, file);
    loaded.push({ name, file, config });
  }
  // Cross-file: `promotion.from` must name another environment of the same app and image.
  if (problems.length === 0) problems.push(...attachPromotionSources(loaded));
  for (const wanted of only ?? []) {
    if (!files.some((f) => f.replace(/\.ya?ml$/, '') === wanted)) {
      problems.push({ file: path.join(configDir, `${wanted}.yaml`), path: '(file)', found: 'no such file', expected: 'an environment file for the requested environment' });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return only ? loaded.filter((e) => only.includes(e.name)) : loaded;
}
