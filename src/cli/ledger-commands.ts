import type { Command } from './command.js';
import { checkpointCommand } from './checkpoint.js';
import { ledgerExportCommand } from './ledger-export.js';
import { ledgerMigrateCommand } from './ledger-migrate.js';
import { publicKeyCommand } from './public-key.js';
import { verifyCommand } from './verify.js';

/** The ledger's commands, in the order `--help` lists them. */
export const ledgerCommands: Command[] = [verifyCommand, ledgerExportCommand, publicKeyCommand, checkpointCommand, ledgerMigrateCommand];
