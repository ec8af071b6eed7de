import type { z } from 'zod';
import { describeValue, formatPath, type ConfigProblem } from './config-error.js';

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
  for (const issue of issues) {
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
          push([...issue.path, key], 'an unknown field', keys.length ? `one of ${keys.join(', ')}` : 'no such field');
        }
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
  return out;
}
