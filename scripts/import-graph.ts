// Prints the import graph between the repository's modules and fails (exit 1) on a forbidden edge or a
// cycle between files. `npm run check:imports` (add `-- --mermaid` for a diagram to paste into a note).
// Type-only and dynamic imports count: a layer must not know about the layers above it at all.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const ROOTS = ['main.ts', 'contract', 'imports', 'charts', 'operator', 'checkapp', 'scripts', 'bench'];

/** Module of a file: its top folder, with operator/ split into its layers. */
function moduleOf(file: string): string {
  const parts = file.split('/');
  if (parts.length === 1) return parts[0].replace(/\.ts$/, '');
  return parts[0] === 'operator' ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** [from, to, why]: `from` may not import `to` (prefix match on module names). */
const FORBIDDEN: [string, string, string][] = [
  ['contract', 'charts', 'the contract imports neither side'],
  ['contract', 'operator', 'the contract imports neither side'],
  ['contract', 'imports', 'the contract imports neither side'],
  ['contract', 'checkapp', 'the contract imports neither side'],
  ['charts', 'checkapp', 'checkapp/ sits on top of the charts: it synthesises them, then runs the app'],
  ['operator', 'checkapp', 'the operator knows nothing of the local contract check'],
  ['checkapp', 'operator', 'checkapp/ checks apps against the charts, not the operator'],
  ['charts', 'operator', 'charts and operator meet only in contract/'],
  ['operator', 'charts', 'charts and operator meet only in contract/'],
  ['operator/core', 'operator/kube', 'the pure core knows no adapter'],
  ['operator/core', 'operator/runtime', 'the pure core knows no adapter'],
  ['operator/core', 'operator/cli', 'the pure core knows no adapter'],
  ['operator/kube', 'operator/runtime', 'layers import downward only'],
  ['operator/kube', 'operator/cli', 'layers import downward only'],
];

function tsFiles(entry: string): string[] {
  if (!statSync(entry, { throwIfNoEntry: false })) return [];
  if (statSync(entry).isFile()) return entry.endsWith('.ts') ? [entry] : [];
  return readdirSync(entry, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.split(path.sep).includes('node_modules'))
    .map((f) => path.join(entry, f).split(path.sep).join('/'));
}

/** Relative imports of one file, resolved to repository paths (`./x.js` is the source `./x.ts`). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((ref) => ref.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts'));
}

/** Strongly connected components with more than one file (Tarjan), i.e. the import cycles. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const files = ROOTS.flatMap(tsFiles).sort();
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const edges = new Map<string, number>();
const violations: string[] = [];
for (const [from, targets] of graph) {
  for (const to of targets) {
    const [a, b] = [moduleOf(from), moduleOf(to)];
    if (a === b) continue;
    edges.set(`${a} -> ${b}`, (edges.get(`${a} -> ${b}`) ?? 0) + 1);
    const rule = FORBIDDEN.find(([x, y]) => (a === x || a.startsWith(`${x}/`)) && (b === y || b.startsWith(`${y}/`)));
    if (rule) violations.push(`${from} imports ${to}: ${rule[2]}`);
  }
}

const sorted = [...edges].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
if (process.argv.includes('--mermaid')) {
  console.log('graph TD');
  for (const [edge, n] of sorted) console.log(`  ${edge.replace(' -> ', ` -- ${n} --> `).replace(/[/.]/g, '_')}`);
} else {
  console.log(`import graph of ${files.length} files (module -> module: number of imports)`);
  for (const [edge, n] of sorted) console.log(`  ${edge}: ${n}`);
}
const loops = cycles(graph);
for (const loop of loops) violations.push(`cycle: ${loop.join(' <-> ')}`);
if (violations.length > 0) {
  console.error(
    `\n${violations.length} forbidden import${violations.length === 1 ? '' : 's'} or cycle${violations.length === 1 ? '' : 's'}:`,
  );
  for (const v of violations) console.error(`  ${v}`);
  process.exit(1);
}
console.log('no forbidden edge, no cycle');
