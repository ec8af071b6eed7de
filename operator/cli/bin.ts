// Entry point of `ponyexpress` / `kubectl-ponyexpress` (compiled: build/operator/cli/bin.js).
import { parseCommand } from './args.js';
import { runCli, type CliIo } from './main.js';

const argv = process.argv.slice(2);

// client-node takes seconds to import: load it only for commands that talk to a cluster, so help and
// usage errors answer at once.
let connect: CliIo['connect'] = () => {
  throw new Error('this command does not talk to a cluster');
};
try {
  if (parseCommand(argv).verb !== 'help') ({ connect } = await import('./kube.js'));
} catch {
  // A usage error: runCli reports it.
}

process.exitCode = await runCli(argv, {
  connect,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  now: () => new Date(),
});
