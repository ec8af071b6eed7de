// cdk8s app entry. `npm run synth` and `npx cdk8s synth` both land here and write dist/<env>/ (and
// dist/operator/ when an environment has a `promotion:` section).
import { cpSync } from 'node:fs';
import * as path from 'node:path';
import { z } from './charts/config/zod.js';
import { ConfigError, synthesizeAll, type SynthResult } from './charts/synth.js';

// Two small files are parsed once per run: zod's JIT-compiled validators would cost more than they save.
z.config({ jitless: true });

try {
  const written: SynthResult['envs'] = synthesizeAll().envs;
  if (written.some((env) => env.promotionFrom)) {
    // Loaded only when some environment promotes from another: nothing else needs the operator chart.
    const { synthesizeOperatorForEnvironments } = await import('./charts/operator/from-environments.js');
    const operator = synthesizeOperatorForEnvironments();
    if (operator) written.push({ name: 'operator', dir: operator.dir, files: operator.files });
  }
  for (const out of written) console.log(`${path.relative(process.cwd(), out.dir)}/: ${out.files.length} files`);
  // Under `cdk8s synth` the CLI empties its own output folder first and then lists and validates what it finds
  // there. cdk8s.yaml points it at a scratch folder (so a failed synth never wipes dist/) and gets a copy.
  const cliOut = process.env.CDK8S_OUTDIR;
  if (cliOut && path.resolve(cliOut) !== path.resolve('dist')) {
    for (const out of written) cpSync(out.dir, path.join(cliOut, out.name), { recursive: true });
  }
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
