// Entry point of `ponyexpress` / `kubectl-ponyexpress` (compiled: build/operator/cli/bin.js).
import { parseCommand } from './args.js';
import { runCli, type CliIo } from './main.js';
import { SUBCOMMANDS } from './subcommands.js';

const argv = process.argv.slice(2);
const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);
const subcommand = SUBCOMMANDS[argv[0] ?? ''];
if (subcommand) {
  process.exitCode = await (await subcommand()).run(argv.slice(1), { out, err });
} else {
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

  process.exitCode = await runCli(argv, { connect, out, err, now: () => new Date() });
}
