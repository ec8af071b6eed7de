// Compares two synthesised trees (e.g. a copy of dist/ from before a change, and dist/ after it) object by
// object: which files differ only in formatting (same parsed YAML) and which in content.
//   npx tsx scripts/compare-dist.ts <before> <after>
// Exit 1 when a file was added or removed or its parsed content changed.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';

const [before, after] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: npx tsx scripts/compare-dist.ts <before-dir> <after-dir>');
  process.exit(2);
}

const yamlFiles = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
// kubectl and Argo CD read YAML 1.1, kustomize's kyaml 1.2: both readers must see the same objects.
const parsed = (file: string) =>
  (['1.1', '1.2'] as const).map((version) =>
    parseAllDocuments(readFileSync(file, 'utf8'), { version }).map((d) => d.toJS() as unknown),
  );

const [a, b] = [yamlFiles(before), yamlFiles(after)];
const removed = a.filter((f) => !b.includes(f));
const added = b.filter((f) => !a.includes(f));
const identical: string[] = [];
const formatting: string[] = [];
const content: string[] = [];
for (const file of a.filter((f) => b.includes(f))) {
  const [x, y] = [path.join(before, file), path.join(after, file)];
  if (readFileSync(x).equals(readFileSync(y))) identical.push(file);
  else if (isDeepStrictEqual(parsed(x), parsed(y))) formatting.push(file);
  else content.push(file);
}

console.log(
  `${a.length} files before, ${b.length} after: ${identical.length} byte-identical, ${formatting.length} formatting only, ${content.length} changed content, ${added.length} added, ${removed.length} removed`,
);
for (const [label, list] of [
  ['formatting only', formatting],
  ['CONTENT CHANGED', content],
  ['added', added],
  ['removed', removed],
] as const) {
  for (const f of list) console.log(`  ${label}: ${f}`);
}
process.exit(content.length + added.length + removed.length > 0 ? 1 : 0);
