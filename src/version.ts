import { readFileSync } from 'node:fs';

/** The running version, from package.json (reported by the health route and recorded in exports). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
