// cdk8s app entry. `npm run synth` and `npx cdk8s synth` both land here and write dist/<env>/ (and
// dist/operator/ when an environment has a `promotion:` section).
import { cpSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, synthesizeAll } from './charts/synth.js';

try {
  const { outputs } = synthesizeAll();
  for (const out of outputs) console.log(`${path.relative(process.cwd(), out.dir)}/: ${out.files.length} files`);
  // Under `cdk8s synth` the CLI empties its own output folder first and then lists and validates what it finds
  // there. cdk8s.yaml points it at a scratch folder (so a failed synth never wipes dist/) and gets a copy.
  const cliOut = process.env.CDK8S_OUTDIR;
  if (cliOut && path.resolve(cliOut) !== path.resolve('dist')) {
    for (const out of outputs) cpSync(out.dir, path.join(cliOut, out.name), { recursive: true });
  }
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
