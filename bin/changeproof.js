#!/usr/bin/env node
// Entry point of the `changeproof` CLI: runs the compiled CLI in lib/.
import { existsSync } from 'node:fs';

const entry = new URL('../lib/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('changeproof: not built yet; run `npm run build` (or `npm ci`) in the changeproof folder first.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
