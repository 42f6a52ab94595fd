import { readFileSync } from 'node:fs';

/** Set by the Action's bundler (scripts/build-action.mjs), which has no package.json beside it at run time. */
declare const __CHANGEPROOF_VERSION__: string | undefined;

/** The running version, from package.json (reported by the health route and recorded in exports). */
export const VERSION: string = typeof __CHANGEPROOF_VERSION__ === 'string'
  ? __CHANGEPROOF_VERSION__
  : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
