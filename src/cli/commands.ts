import type { Command } from './command.js';

/**
 * Every `changeproof` command, in the order `--help` lists them: its name and
 * one-line summary here, its code loaded only when it runs (or shows its
 * help), so `changeproof --help` starts in a blink instead of loading SQLite,
 * exceljs and Octokit first. test/cli checks each summary against its command.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const commands: CommandEntry[] = [
  { name: 'export', summary: 'Export the auditor package for a period: population, sample, evidence, signed manifest', load: async () => (await import('./export.js')).exportCommand },
  { name: 'verify-export', summary: 'Verify an export against your key: signature, file hashes, the sample re-drawn from its seed', load: async () => (await import('./verify-export.js')).verifyExportCommand },
  { name: 'respond', summary: "Record management's response to a direct push's exception (through the app)", load: async () => (await import('./respond.js')).respondCommand },
  ...ledgerEntries(),
];

/** The ledger's commands (ledger-commands.ts), each loaded when used. */
function ledgerEntries(): CommandEntry[] {
  const load = (name: string) => async () => (await import('./ledger-commands.js')).ledgerCommands.find((c) => c.name === name)!;
  return [
    { name: 'verify', summary: 'Verify a ledger (SQLite or NDJSON) against your copy of its public key', load: load('verify') },
    { name: 'ledger-export', summary: 'Export the ledger as NDJSON (the interchange format)', load: load('ledger-export') },
    { name: 'public-key', summary: "Print the public key the ledger's checkpoints carry (PEM), to compare with the published one", load: load('public-key') },
    { name: 'checkpoint', summary: "Print the ledger's latest signed checkpoint (an anchor for verify --checkpoint)", load: load('checkpoint') },
    { name: 'ledger-migrate', summary: 'Move a ledger into PostgreSQL (chain and checkpoints intact, verified after)', load: load('ledger-migrate') },
  ];
}
