// Subcommands that do not talk to a Promotion live in their own modules, loaded only when named. Each adds one
// line here (the only file two of them share), so adding one never touches another's code.
export interface SubcommandIo {
  out(text: string): void;
  err(text: string): void;
}

export interface Subcommand {
  run(argv: readonly string[], io: SubcommandIo): Promise<number>;
}

export const SUBCOMMANDS: Readonly<Record<string, () => Promise<Subcommand>>> = {
  init: () => import('./init-ci.js'),
};
