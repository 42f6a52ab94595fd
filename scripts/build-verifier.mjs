#!/usr/bin/env node
// Bundles the auditor's verifier (src/cli/standalone.ts) into
// dist/verifier/changeproof-verify.mjs: one ESM file, every dependency inside,
// for plain Node 18+. SQLite and PostgreSQL support and re-deriving a package from a ledger
// are left out (stubs that say to use the changeproof CLI): the file is copied
// into every export package. `--check` fails when the committed file differs.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeOrCheck } from './bundle-output.mjs';

const root = new URL('..', import.meta.url).pathname;
export const VERIFIER = join(root, 'dist', 'verifier', 'changeproof-verify.mjs');

const stubs = {
  'better-sqlite3': "export default class Database { constructor() { throw new Error('this standalone verifier reads NDJSON ledgers only: export a SQLite ledger with `changeproof ledger-export`, or use the changeproof CLI'); } }",
  postgres: "const refuse = async () => { throw new Error('this standalone verifier reads NDJSON ledgers only: export a PostgreSQL ledger with `changeproof ledger-export --ledger postgres://…`, or use the changeproof CLI'); };\nexport const verifyPostgres = refuse, exportPostgres = refuse, readCheckpointKeysPg = refuse, latestCheckpointPg = refuse;",
  rederive: "export class ExportClaimError extends Error {}\nexport async function rederiveExport() { throw new Error('re-deriving a package from a ledger needs the changeproof CLI: npx changeproof verify-export DIR --ledger LEDGER --public-key FILE'); }",
};

export async function bundleVerifier() {
  const result = await build({
    entryPoints: [join(root, 'src', 'cli', 'standalone.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    write: false,
    outfile: VERIFIER,
    metafile: true,
    legalComments: 'inline',
    logLevel: 'silent',
    absWorkingDir: root,
    define: { __CHANGEPROOF_VERSION__: JSON.stringify(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version) },
    banner: { js: "#!/usr/bin/env node\n// changeproof-verify: checks a Changeproof export package or ledger offline. Generated from the changeproof sources; do not edit.\nimport { createRequire as __changeproofRequire } from 'node:module';\nconst require = __changeproofRequire(import.meta.url);" },
    plugins: [{
      name: 'standalone-stubs',
      setup(b) {
        b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: 'better-sqlite3', namespace: 'stub' }));
        b.onResolve({ filter: /\/rederive\.js$/ }, () => ({ path: 'rederive', namespace: 'stub' }));
        b.onResolve({ filter: /\/postgres\/pg-read-only\.js$/ }, () => ({ path: 'postgres', namespace: 'stub' }));
        b.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({ contents: stubs[args.path], loader: 'js' }));
      },
    }],
  });
  const forbidden = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('stub:') && /better-sqlite3|node_modules\/(probot|exceljs|@octokit|pg)\//.test(p));
  if (forbidden.length) throw new Error(`the verifier must not contain ${forbidden.slice(0, 5).join(', ')}`);
  return result.outputFiles.map((f) => ({ path: f.path, text: f.text }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeOrCheck(await bundleVerifier(), { root, label: 'dist/verifier', command: 'npm run build:verifier', check: process.argv.includes('--check') });
}
