import type { Command } from './command.js';
import { exportCommand } from './export.js';
import { ledgerCommands } from './ledger-commands.js';
import { verifyExportCommand } from './verify-export.js';

/** Every `changeproof` command, in the order `--help` lists them. */
export const commands: Command[] = [exportCommand, verifyExportCommand, ...ledgerCommands];
