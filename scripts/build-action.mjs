#!/usr/bin/env node
// Bundles the Action (src/action/index.ts) into dist/action/index.js: one ESM
// file for Node 24 with every dependency inside, except better-sqlite3, which
// the Action must never contain (it reads the ledger as NDJSON or through the
// app's read API). `--check` builds into memory and fails when the committed
// dist/ differs: CI runs it through the test suite.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeOrCheck } from './bundle-output.mjs';

const root = new URL('..', import.meta.url).pathname;
const outfile = join(root, 'dist', 'action', 'index.js');

export async function bundleAction() {
  const result = await build({
    entryPoints: [join(root, 'src', 'action', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    write: false,
    outfile,
    metafile: true,
    legalComments: 'linked',
    logLevel: 'silent',
    absWorkingDir: root,
    define: { __CHANGEPROOF_VERSION__: JSON.stringify(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version) },
    // CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __changeproofRequire } from 'node:module';\nconst require = __changeproofRequire(import.meta.url);" },
  });
  const inputs = Object.keys(result.metafile.inputs);
  // Nor pg: the Action never opens a database (a PostgreSQL ledger reaches it as NDJSON or through the read API).
  const forbidden = inputs.filter((p) => /better-sqlite3|node_modules\/(probot|pg)\//.test(p));
  if (forbidden.length) throw new Error(`the Action bundle must not contain ${forbidden.join(', ')}`);
  return result.outputFiles.map((f) => ({ path: f.path, text: f.text }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeOrCheck(await bundleAction(), { root, label: 'dist/', command: 'npm run build:action', check: process.argv.includes('--check') });
}
