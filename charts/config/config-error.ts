/** One thing wrong with one environment file, phrased for the person who edits it. */
export interface ConfigProblem {
  /** The file as the user named it, e.g. `environments/staging.yaml`. */
  file: string;
  /** Dotted field path, e.g. `web.resources.limits.memory`; `(file)` for whole-file problems. */
  path: string;
  found: string;
  expected: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}: ${p.path}: found ${p.found}, expected ${p.expected}`;
}

/** Every problem in every environment file, so one synth run shows them all. Nothing is written when thrown. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    const lines = problems.map(formatProblem);
    super(
      `invalid environment configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }

  /** One line per problem: `file: path: found X, expected Y`. */
  get lines(): string[] {
    return this.problems.map(formatProblem);
  }
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}..."` : text;
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}
