import type { Command } from './command.js';
import { ledgerCommands } from './ledger-commands.js';

/** Every `changeproof` command, in the order `--help` lists them. */
export const commands: Command[] = [...ledgerCommands];
