/**
 * `$(VAR)` expansion exactly as the kubelet does it for env values, command and
 * args (k8s.io/kubernetes third_party/forked/golang/expansion):
 * - `$(NAME)` becomes the value when NAME is defined, and stays `$(NAME)` when not;
 * - `$$` is an escaped `$`, so `$$(NAME)` yields the literal `$(NAME)`;
 * - a `$` followed by anything else, an unclosed `$(`, or a trailing `$` is kept as written.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    const { text, name, advance } = readReference(rest);
    if (name !== undefined) {
      out += lookup(name) ?? `$(${name})`;
    } else {
      out += text;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** What follows a `$`: a reference, an escaped `$`, or an operator that starts nothing. */
function readReference(rest: string): { text: string; name?: string; advance: number } {
  const first = String.fromCodePoint(rest.codePointAt(0)!);
  if (first === '$') return { text: '$', advance: 1 };
  if (first === '(') {
    const close = rest.indexOf(')', 1);
    if (close >= 0) return { text: '', name: rest.slice(1, close), advance: close + 1 };
    // Unclosed: emit "$(" and continue scanning after the parenthesis.
    return { text: '$(', advance: 1 };
  }
  return { text: `$${first}`, advance: first.length };
}

/** A lookup over maps tried in order, like the kubelet's MappingFuncFor(context...). */
export function lookupIn(...maps: ReadonlyMap<string, string>[]): (name: string) => string | undefined {
  return (name) => {
    for (const map of maps) if (map.has(name)) return map.get(name);
    return undefined;
  };
}
