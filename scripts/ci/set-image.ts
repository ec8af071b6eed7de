// `tsx scripts/ci/set-image.ts <env> <tag> <digest>`: pins environments/<env>.yaml to tag + digest, keeping
// the file's comments and layout (publish-staging.sh runs it before synth).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

const [env, tag, digest] = process.argv.slice(2);
if (!env || !tag || !/^sha256:[0-9a-f]{64}$/.test(digest ?? '')) {
  console.error(`usage: set-image.ts <env> <tag> <sha256:64 hex digest> (got ${process.argv.slice(2).join(' ')})`);
  process.exit(2);
}
const file = `environments/${env}.yaml`;
const doc = parseDocument(readFileSync(file, 'utf8'));
doc.setIn(['image', 'tag'], tag);
doc.setIn(['image', 'digest'], digest);
writeFileSync(file, doc.toString());
console.log(`${file}: image ${String(doc.getIn(['image', 'repository']))}:${tag}@${digest}`);
