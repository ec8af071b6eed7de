import type { z } from 'zod';
import { describeValue, formatPath, type ConfigProblem } from './config-error.js';
import { envNameFor } from './app-env-schema.js';

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

/** Reads the value the user wrote at `path`, to say what was found. */
export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const def = s._zod.def as { type: string; innerType?: AnySchema; in?: AnySchema };
    if (def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

/** The field names the schema accepts at `path`, to suggest the right spelling of an unknown key. */
export function knownKeys(root: AnySchema, data: unknown, path: readonly PropertyKey[]): string[] {
  let schema: AnySchema | undefined = root;
  for (let depth = 0; schema && depth <= path.length; depth++) {
    const s = unwrap(schema);
    const def = s._zod.def as {
      type: string;
      shape?: Record<string, AnySchema>;
      options?: AnySchema[];
      discriminator?: string;
    };
    let shape = def.shape;
    if (def.type === 'union' && def.discriminator && def.options) {
      const tag = valueAt(data, [...path.slice(0, depth), def.discriminator]);
      const option = def.options.find((o) => {
        const lit = (unwrap(o)._zod.def as { shape?: Record<string, AnySchema> }).shape?.[def.discriminator!];
        return (lit?._zod.def as { values?: unknown[] } | undefined)?.values?.includes(tag);
      });
      shape = option ? (unwrap(option)._zod.def as { shape?: Record<string, AnySchema> }).shape : undefined;
    }
    if (depth === path.length) return shape ? Object.keys(shape) : [];
    schema = shape?.[String(path[depth])];
  }
  return [];
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
  null: 'null',
};

function bound(issue: Issue & { code: 'too_small' | 'too_big' }): string {
  // A schema-supplied message is already phrased as "expected …".
  if (!issue.message.startsWith('Too ')) return issue.message;
  const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
  const limit = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
  switch (issue.origin) {
    case 'number':
      return `a number ${op} ${limit}`;
    case 'int':
      return `an integer ${op} ${limit}`;
    case 'array':
      return `a list with ${op} ${limit} items`;
    default:
      return `a string with ${op} ${limit} characters`;
  }
}

/** Edit distance, to suggest the field a typo meant (case differences cost nothing). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++)
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    row = next;
  }
  return row[y.length];
}

/** The known field closest to `key`, when it is close enough to be a typo of it. */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const d = distance(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** A record key that fails its key schema (zod says only "Invalid key in record"). */
function invalidKey(issue: Issue & { code: 'invalid_key' }): { found: string; expected: string } {
  const key = String(issue.path.at(-1));
  const rule = issue.issues.find((i) => !i.message.startsWith('Invalid'))?.message ?? 'a valid key';
  const parent = formatPath(issue.path.slice(0, -1));
  const meant = envNameFor(key);
  return {
    found: `the key ${JSON.stringify(key)}`,
    expected: `${rule}, because ${parent} keys become environment variables${meant ? ` (did you mean ${JSON.stringify(meant)}?)` : ''}`,
  };
}

/** The issues of the union member the input was meant for: the one whose failures all lie below its top level. */
function closestUnionBranch(issue: Issue & { code: 'invalid_union' }): Issue[] | undefined {
  const branches = 'errors' in issue ? issue.errors : [];
  const meant = branches.filter((b) => b.every((i) => i.path.length > 0));
  if (meant.length !== 1) return undefined;
  return meant[0].map((i) => ({ ...i, path: [...issue.path, ...i.path] }));
}

/** Turns zod's issues into `found X, expected Y` problems, one per wrong field. */
export function problemsFromIssues(
  file: string,
  schema: AnySchema,
  data: unknown,
  issues: readonly Issue[],
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const push = (path: readonly PropertyKey[], found: string, expected: string) =>
    out.push({ file, path: formatPath(path), found, expected });
  // `Web:` for `web:` is one mistake: the did-you-mean says it, so "web is required" would be noise.
  const suggested = new Set<string>();
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && !issue.discriminator) {
      const branch = closestUnionBranch(issue);
      if (branch) {
        out.push(...problemsFromIssues(file, schema, data, branch));
        continue;
      }
    }
    const found = describeValue(valueAt(data, issue.path));
    switch (issue.code) {
      case 'invalid_type': {
        const expected = issue.message.startsWith('Invalid input')
          ? (TYPE_WORDS[issue.expected] ?? issue.expected)
          : issue.message;
        push(issue.path, found === 'nothing' ? 'nothing (the field is required)' : found, expected);
        break;
      }
      case 'too_small':
      case 'too_big':
        push(issue.path, found, bound(issue));
        break;
      case 'invalid_value':
        push(issue.path, found, `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`);
        break;
      case 'unrecognized_keys': {
        const keys = knownKeys(schema, data, issue.path);
        for (const key of issue.keys) {
          const meant = didYouMean(key, keys);
          if (meant) suggested.add(formatPath([...issue.path, meant]));
          push(
            [...issue.path, key],
            meant ? `an unknown field (did you mean ${JSON.stringify(meant)}?)` : 'an unknown field',
            keys.length ? `one of ${keys.join(', ')}` : 'no such field',
          );
        }
        break;
      }
      case 'invalid_key': {
        const { found: what, expected } = invalidKey(issue);
        push(issue.path, what, expected);
        break;
      }
      case 'invalid_union': {
        if (issue.discriminator) {
          const path = issue.path.at(-1) === issue.discriminator ? issue.path : [...issue.path, issue.discriminator];
          const options = ('options' in issue ? (issue.options ?? []) : [])
            .map((v: unknown) => JSON.stringify(v))
            .join(', ');
          push(path, describeValue(valueAt(data, path)), `one of ${options}`);
        } else {
          push(issue.path, found, issue.message);
        }
        break;
      }
      default:
        push(issue.path, found, issue.message);
    }
  }
  return out.filter((p) => !(suggested.has(p.path) && p.found.startsWith('nothing')));
}
