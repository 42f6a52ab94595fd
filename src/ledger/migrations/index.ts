import { entries } from './001-entries.js';
import { inbox } from './002-inbox.js';
import { subjects } from './003-subjects.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

/** Every migration in order. Append new ones; never edit or reorder applied ones. */
export const MIGRATIONS: readonly Migration[] = [entries, inbox, subjects];
