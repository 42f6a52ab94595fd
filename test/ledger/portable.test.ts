import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('src/ledger/portable.ts', () => {
  it('bundles without better-sqlite3, so the Action can verify NDJSON', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../../src/ledger/portable.ts', import.meta.url))],
      bundle: true, platform: 'node', format: 'esm', write: false, metafile: true, logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes('node_modules/canonicalize'))).toBe(true);
    expect(inputs.filter((path) => /better-sqlite3|sqlite-/.test(path))).toEqual([]);
  });
});
