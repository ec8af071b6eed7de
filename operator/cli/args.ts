// Pure argument parsing for the `ponyexpress` CLI (also run as the kubectl plugin `kubectl-ponyexpress`).
import { parseArgs } from 'node:util';

/** Where to find the kubeconfig and which namespace to act in; unset values fall back to the kubeconfig. */
export interface Target {
  namespace?: string;
  allNamespaces: boolean;
  context?: string;
  kubeconfig?: string;
}

export type Command =
  | { verb: 'help'; text: string }
  | { verb: 'status'; target: Target; promotion?: string; output: 'table' | 'json' }
  | { verb: 'approve'; target: Target; promotion: string; ref: string }
  | { verb: 'hold'; target: Target; promotion: string; reason: string }
  | { verb: 'release'; target: Target; promotion: string }
  | { verb: 'rollback'; target: Target; promotion: string; ref: string };

/** A mistake in how the CLI was called: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

export const USAGE = `Usage: ponyexpress <command> [flags]   (or: kubectl ponyexpress <command>)

Commands:
  status   [promotion]              show staging, production, phase, in-flight, conditions, history, hold
  approve  <promotion> <tag|digest> approve exactly that image (approval: Manual)
  hold     <promotion> --reason <text>
                                    stop the automation for this pipeline
  release  <promotion>              remove the hold
  rollback <promotion> <tag|digest> roll workloads back to an image from the history
                                    (no migrations run or reversed) and set a hold
  check-app --app-dir <dir> --env <env>
                                    run an app against the contract of its synthesised manifests, locally
                                    (from a checkout; \`ponyexpress check-app --help\`)

Flags:
  -n, --namespace <ns>      namespace of the Promotion (the production namespace); default: the kubeconfig's
  -A, --all-namespaces      status only: list Promotions in every namespace
      --context <name>      kubeconfig context to use
      --kubeconfig <path>   kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)
  -o, --output table|json   status only (default: table)
  -h, --help                show this help
`;

const VERBS = ['status', 'approve', 'hold', 'release', 'rollback'] as const;

export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        namespace: { type: 'string', short: 'n' },
        'all-namespaces': { type: 'boolean', short: 'A' },
        context: { type: 'string' },
        kubeconfig: { type: 'string' },
        output: { type: 'string', short: 'o' },
        reason: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [verb, ...rest] = positionals;
  if (values.help || verb === undefined || verb === 'help') return { verb: 'help', text: USAGE };
  if (!(VERBS as readonly string[]).includes(verb)) {
    throw new UsageError(`unknown command "${verb}"; expected one of: ${VERBS.join(', ')}`);
  }
  const target: Target = {
    namespace: values.namespace,
    allNamespaces: values['all-namespaces'] ?? false,
    context: values.context,
    kubeconfig: values.kubeconfig,
  };
  if (target.allNamespaces && verb !== 'status') throw new UsageError(`--all-namespaces only works with status`);
  if (target.allNamespaces && target.namespace) throw new UsageError(`use either --namespace or --all-namespaces`);
  if (values.output !== undefined && verb !== 'status') throw new UsageError(`--output only works with status`);
  if (values.reason !== undefined && verb !== 'hold') throw new UsageError(`--reason only works with hold`);

  switch (verb) {
    case 'status': {
      const output = values.output ?? 'table';
      if (output !== 'table' && output !== 'json')
        throw new UsageError(`--output must be table or json, not "${output}"`);
      expectCount(verb, rest, 0, 1, '[promotion]');
      return { verb, target, promotion: rest[0], output };
    }
    case 'approve':
    case 'rollback': {
      const [promotion, ref] = expectCount(verb, rest, 2, 2, '<promotion> <tag|digest>');
      return { verb, target, promotion, ref };
    }
    case 'hold': {
      const [promotion] = expectCount(verb, rest, 1, 1, '<promotion> --reason <text>');
      const reason = values.reason?.trim();
      // A hold stops production changes; a reason is what the next person on call will read.
      if (!reason) throw new UsageError(`hold needs --reason <text>, e.g. --reason "incident 123"`);
      return { verb, target, promotion, reason };
    }
    default: {
      const [promotion] = expectCount(verb, rest, 1, 1, '<promotion>');
      return { verb: 'release', target, promotion };
    }
  }
}

function expectCount(verb: string, args: string[], min: number, max: number, shape: string): string[] {
  if (args.length < min || args.length > max) {
    throw new UsageError(
      `${verb} takes ${shape}, got ${args.length ? args.map((a) => `"${a}"`).join(' ') : 'nothing'}`,
    );
  }
  return args;
}
