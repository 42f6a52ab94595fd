#!/usr/bin/env node
// Bundles the Action (src/action/index.ts) into dist/action/index.js: one ESM
// file for Node 24 with every dependency inside, except better-sqlite3, which
// the Action must never contain (it reads the ledger as NDJSON or through the
// app's read API). `--check` builds into memory and fails when the committed
// dist/ differs: CI runs it through the test suite.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
  const forbidden = inputs.filter((p) => /better-sqlite3|node_modules\/probot\//.test(p));
  if (forbidden.length) throw new Error(`the Action bundle must not contain ${forbidden.join(', ')}`);
  return result.outputFiles.map((f) => ({ path: f.path, text: f.text }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = await bundleAction();
  if (process.argv.includes('--check')) {
    const stale = files.filter((f) => {
      try {
        return readFileSync(f.path, 'utf8') !== f.text;
      } catch {
        return true;
      }
    });
    if (stale.length) {
      console.error(`dist/ is stale: ${stale.map((f) => f.path.slice(root.length)).join(', ')}. Run \`npm run build:action\` and commit dist/.`);
      process.exit(1);
    }
    console.error('dist/ is up to date.');
  } else {
    for (const f of files) {
      mkdirSync(dirname(f.path), { recursive: true });
      writeFileSync(f.path, f.text);
    }
    console.error(`wrote ${files.map((f) => `${f.path.slice(root.length)} (${(f.text.length / 1024).toFixed(0)} KiB)`).join(', ')}`);
  }
}
