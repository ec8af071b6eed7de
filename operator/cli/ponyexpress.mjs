#!/usr/bin/env node
// npm `bin` shim for `ponyexpress` and `kubectl-ponyexpress`. In a checkout it runs the TypeScript
// source through tsx (never a stale build); where tsx is absent (the operator image) it runs the
// compiled build/operator/cli/bin.js. An older `node` on PATH (kubectl runs plugins with the user's
// PATH) hands over to the project's own Node 24 from node_modules.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

if (Number(process.versions.node.split('.')[0]) < 24) {
  const node = fileURLToPath(new URL('../../node_modules/.bin/node', import.meta.url));
  if (!existsSync(node)) {
    process.stderr.write(
      `ponyexpress needs Node.js 24 or newer (this is ${process.version}); run \`npm ci\` in the repository\n`,
    );
    process.exit(1);
  }
  const run = spawnSync(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

let register;
try {
  ({ register } = await import('tsx/esm/api'));
} catch {
  register = undefined;
}
if (register) {
  register();
  // check-app runs apps locally (charts + a Python app): it lives in checkapp/, outside the operator.
  if (process.argv[2] === 'check-app') {
    const { runCheckApp } = await import('../../checkapp/cli.ts');
    process.exit(await runCheckApp(process.argv.slice(3)));
  }
  await import('./bin.ts');
} else if (process.argv[2] === 'check-app') {
  process.stderr.write('ponyexpress check-app runs from a checkout (npm ci), not from the operator image\n');
  process.exit(2);
} else {
  await import('../../build/operator/cli/bin.js');
}
