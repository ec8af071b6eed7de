// Reads and validates every file of the config folder once: the environments, their pipelines and the
// operator chart's settings. Every chart is derived from what this returns.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, describeValue, formatPath, type ConfigProblem } from './config-error.js';
import { crossFieldProblems, environmentSchema, type EnvironmentConfig } from './environment-schema.js';
import { operatorSettingsSchema, type OperatorSettings } from './operator-schema.js';
import { resolvePipelines, type Pipeline } from '../promotion-config.js';
import { problemsFromIssues, valueAt } from './issues.js';

export interface LoadedEnvironment {
  /** File name without extension: `staging`, `production`. Names the output folder dist/<name>. */
  name: string;
  /** The file as shown in messages. */
  file: string;
  config: EnvironmentConfig;
}

export interface LoadedConfig {
  /** Every environment file, in file-name order. */
  environments: LoadedEnvironment[];
  /** One per environment with a `promotion:` section. */
  pipelines: Pipeline[];
  /** `operator.yaml`, defaults applied (all defaults when there is no such file). */
  operator: OperatorSettings;
}

/** `<configDir>/operator.yaml` configures dist/operator/, so no environment can be named `operator`. */
export const OPERATOR_FILE = 'operator';

const ENV_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function parseFile(file: string, what: string, problems: ConfigProblem[]): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const at = lineCounter.linePos(err.pos[0]);
      const where = `line ${at.line}, column ${at.col}`;
      problems.push({
        file,
        path: where,
        found: `invalid YAML (${err.message.split('\n')[0]})`,
        expected: 'well-formed YAML',
      });
    }
    return undefined;
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ file, path: '(root)', found: describeValue(data), expected: `a mapping of ${what}` });
    return undefined;
  }
  return data;
}

/** Parses and validates one file against `schema`; undefined (with problems recorded) when it is wrong. */
function validateFile<S extends z.ZodType>(
  file: string,
  what: string,
  schema: S,
  problems: ConfigProblem[],
): { data: unknown; value: z.output<S> } | undefined {
  const data = parseFile(file, what, problems);
  if (data === undefined) return undefined;
  const result = schema.safeParse(data);
  if (!result.success) {
    problems.push(...problemsFromIssues(file, schema, data, result.error.issues));
    return undefined;
  }
  return { data, value: result.data };
}

/** One environment file; cross-environment checks happen in `loadConfig`. */
function loadEnvironment(file: string, problems: ConfigProblem[]): EnvironmentConfig | undefined {
  const parsed = validateFile(file, 'environment settings', environmentSchema, problems);
  if (!parsed) return undefined;
  const contradictions = crossFieldProblems(parsed.value);
  for (const c of contradictions) {
    problems.push({
      file,
      path: formatPath(c.path),
      found: describeValue(valueAt(parsed.data, c.path)),
      expected: c.expected,
    });
  }
  return contradictions.length === 0 ? parsed.value : undefined;
}

/**
 * Reads and validates every file in `configDir`. Throws one ConfigError listing every problem of every file.
 * @param configDir as the user wrote it; messages name files relative to it.
 */
export function loadConfig(configDir: string): LoadedConfig {
  if (!existsSync(configDir) || !statSync(configDir).isDirectory()) {
    throw new ConfigError([
      {
        file: configDir,
        path: '(file)',
        found: 'no such directory',
        expected: 'a directory of <environment>.yaml files',
      },
    ]);
  }
  const files = readdirSync(configDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const problems: ConfigProblem[] = [];
  const environments: LoadedEnvironment[] = [];
  let operator: OperatorSettings | undefined = operatorSettingsSchema.parse({});
  const namespaces = new Map<string, string>();
  for (const base of files) {
    const file = path.join(configDir, base);
    const name = base.replace(/\.ya?ml$/, '');
    if (name === OPERATOR_FILE) {
      operator = validateFile(file, 'operator chart settings', operatorSettingsSchema, problems)?.value;
      continue;
    }
    if (!ENV_NAME.test(name)) {
      problems.push({
        file,
        path: '(file name)',
        found: JSON.stringify(name),
        expected: 'a DNS label, because it names dist/<environment>',
      });
      continue;
    }
    const config = loadEnvironment(file, problems);
    if (!config) continue;
    const other = namespaces.get(config.namespace);
    if (other) {
      problems.push({
        file,
        path: 'namespace',
        found: JSON.stringify(config.namespace),
        expected: `a namespace no other environment uses (${other} has it)`,
      });
      continue;
    }
    namespaces.set(config.namespace, file);
    environments.push({ name, file, config });
  }
  if (environments.length === 0 && problems.length === 0) {
    const found = files.length === 0 ? 'no .yaml files' : `only ${files.join(', ')}`;
    throw new ConfigError([
      { file: configDir, path: '(file)', found, expected: 'one <environment>.yaml per environment' },
    ]);
  }
  // Cross-file: `promotion.from` must name another environment of the same app and image.
  const resolved = problems.length === 0 ? resolvePipelines(environments) : { pipelines: [], problems: [] };
  problems.push(...resolved.problems);
  if (problems.length > 0 || !operator) throw new ConfigError(problems);
  return { environments, pipelines: resolved.pipelines, operator };
}
