import type { Command } from './command.js';

/** Every `changeproof` command, in the order `--help` lists them. */
export const commands: Command[] = [];
