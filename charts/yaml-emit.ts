/**
 * A small, deterministic YAML emitter for JSON-shaped data (what Kubernetes manifests are).
 * The `yaml` package's Document model costs ~1 ms per manifest; this is a straight walk. Block style,
 * sequences indented under their key, multi-line strings as literal blocks, and a string is left unquoted
 * only when no YAML 1.1 or 1.2 reader could take it for anything else. The tests round-trip every
 * synthesised object through the `yaml` parser.
 */

/** Words YAML 1.1 readers (PyYAML, older Go libraries) turn into booleans or null. */
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;
/** Conservative plain-scalar alphabet: no spaces, no flow or comment indicators. */
const PLAIN = /^(?:[A-Za-z_/]|-[A-Za-z_/-])[A-Za-z0-9_./:@%+=-]*$/;

function scalarString(s: string): string {
  if (PLAIN.test(s) && !RESERVED.test(s) && !s.endsWith(':') && !s.includes(': ')) return s;
  // JSON strings are YAML double-quoted strings, once the characters YAML 1.1 treats as line breaks are escaped.
  return JSON.stringify(s).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A literal block (`|`) when the text can be written verbatim; otherwise undefined (then it is quoted). */
function literalBlock(s: string, indent: string): string | undefined {
  if (!s.includes('\n')) return undefined;
  // Tabs, other control characters and a leading space or newline would need escapes or indentation hints.
  if (/[\u0000-\u0009\u000b-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(s) || /^[ \n]/.test(s)) return undefined;
  const body = s.replace(/\n+$/, '');
  const trailing = s.length - body.length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const lines = (trailing > 1 ? s.slice(0, -1) : body).split('\n');
  return `|${chomp}\n${lines.map((l) => (l === '' ? '' : indent + l)).join('\n')}`;
}

function scalar(value: unknown, indent: string): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as YAML`);
    return String(value);
  }
  if (typeof value === 'string') return literalBlock(value, indent) ?? scalarString(value);
  throw new Error(`cannot write a ${typeof value} as YAML`);
}

function isCollection(v: unknown): v is Record<string, unknown> | unknown[] {
  return v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
}

function emptyCollection(v: unknown): string | undefined {
  if (Array.isArray(v) && v.length === 0) return '[]';
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) return '{}';
  return undefined;
}

function emitNode(value: unknown, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isCollection(item) && !Array.isArray(item)) {
        const lines: string[] = [];
        emitNode(item, `${indent}  `, lines);
        out.push(`${indent}- ${lines[0].slice(indent.length + 2)}`, ...lines.slice(1));
      } else if (isCollection(item)) {
        out.push(`${indent}-`);
        emitNode(item, `${indent}  `, out);
      } else {
        out.push(`${indent}- ${emptyCollection(item) ?? scalar(item, `${indent}  `)}`);
      }
    }
    return;
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    const k = scalarString(key);
    if (isCollection(v)) {
      out.push(`${indent}${k}:`);
      emitNode(v, `${indent}  `, out);
    } else {
      out.push(`${indent}${k}: ${emptyCollection(v) ?? scalar(v, `${indent}  `)}`);
    }
  }
}

/** One YAML document (no `---`), ending in a newline. */
export function toYaml(value: Record<string, unknown>): string {
  const out: string[] = [];
  emitNode(value, '', out);
  return `${out.join('\n')}\n`;
}
