// Kept apart from kube.ts so that printing help or a usage error never loads @kubernetes/client-node,
// which takes seconds to import.

/** A problem to print as one clear line (exit code 1), not a stack trace. */
export class CliError extends Error {}
