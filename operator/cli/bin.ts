// Entry point of `ponyexpress` / `kubectl-ponyexpress` (compiled: build/operator/cli/bin.js).
import { connect } from './kube.js';
import { runCli } from './main.js';

process.exitCode = await runCli(process.argv.slice(2), {
  connect,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  now: () => new Date(),
});
