// The shape of a CLI subcommand module (subcommands.ts loads them by name).
export interface SubcommandIo {
  out(text: string): void;
  err(text: string): void;
}

export interface Subcommand {
  run(argv: readonly string[], io: SubcommandIo): Promise<number>;
}
