// Subcommands that do not talk to a Promotion live in their own modules, loaded only when named. Each adds one
// line here (the only file two of them share), so adding one never touches another's code.
import type { Subcommand } from './subcommand.js';

export const SUBCOMMANDS: Readonly<Record<string, () => Promise<Subcommand>>> = {
  init: () => import('./init-ci.js'),
};
