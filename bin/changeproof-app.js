#!/usr/bin/env node
// Entry point of the Changeproof app where the package is installed
// (`npx changeproof-app`): runs the compiled app in lib/, as `npm start` does in
// the repository. It reads `.env` of the working directory and keeps the
// ledger in ./data of it unless LEDGER_PATH says otherwise.
import { existsSync } from 'node:fs';

const entry = new URL('../lib/app/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('changeproof: not built yet; run `npm run build` (or `npm ci`) in the changeproof folder first.\n');
  process.exit(1);
}
await import(entry.href);
