// The CLI's flow: parse, connect, read, print or annotate. Every dependency on the outside world comes in
// through `CliIo`, so this file runs against a fake client in unit tests and the real one in bin.ts.
import { parseCommand, UsageError, USAGE, type Command, type Target } from './args.js';
import { formatDetail, formatList } from './format.js';
import { approveIntent, holdIntent, releaseIntent, rollbackIntent, type Intent } from './intents.js';
import { CliError } from './errors.js';
import type { PromotionClient } from './kube.js';
import { RefError } from './refs.js';
import type { PromotionObject } from '../core/types.js';

export interface CliIo {
  connect(target: Target): PromotionClient;
  out(text: string): void;
  err(text: string): void;
  now(): Date;
}

/** Runs one command; returns the process exit code (0 ok, 1 failed, 2 usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`error: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.verb === 'help') {
    io.out(command.text);
    return 0;
  }
  try {
    await execute(command, io);
    return 0;
  } catch (err) {
    if (err instanceof CliError || err instanceof RefError) {
      io.err(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

async function execute(command: Exclude<Command, { verb: 'help' }>, io: CliIo): Promise<void> {
  const client = io.connect(command.target);
  if (command.verb === 'status') {
    const items = command.promotion
      ? [await client.get(command.promotion)]
      : await client.list(command.target.allNamespaces);
    if (command.output === 'json') io.out(JSON.stringify(command.promotion ? items[0] : items, null, 2));
    else if (command.promotion) io.out(formatDetail(items[0], io.now()));
    else
      io.out(
        items.length || command.target.allNamespaces
          ? formatList(sorted(items), command.target.allNamespaces)
          : `No Promotions in namespace "${client.namespace}" (try -A).`,
      );
    return;
  }
  const promotion = await client.get(command.promotion);
  const intent = intentFor(command, promotion);
  if (Object.keys(intent.patch.metadata.annotations).length > 0) await client.annotate(command.promotion, intent.patch);
  io.out(intent.lines.join('\n'));
}

function intentFor(command: Exclude<Command, { verb: 'help' | 'status' }>, p: PromotionObject): Intent {
  switch (command.verb) {
    case 'approve':
      return approveIntent(p, command.ref);
    case 'hold':
      return holdIntent(p, command.reason);
    case 'release':
      return releaseIntent(p);
    case 'rollback':
      return rollbackIntent(p, command.ref);
  }
}

const sorted = (items: PromotionObject[]) =>
  [...items].sort((a, b) =>
    `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
  );
