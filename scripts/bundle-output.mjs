// The end of both bundle scripts (build-action.mjs, build-verifier.mjs): write
// the bundled files, or with `--check` fail when the committed ones differ.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * @param {{ path: string, text: string }[]} files the bundle, built into memory
 * @param {{ root: string, label: string, command: string, check: boolean }} options
 */
export function writeOrCheck(files, { root, label, command, check }) {
  if (check) {
    const stale = files.filter((f) => {
      try {
        return readFileSync(f.path, 'utf8') !== f.text;
      } catch {
        return true;
      }
    });
    if (stale.length) {
      console.error(`${label} is stale: ${stale.map((f) => f.path.slice(root.length)).join(', ')}. Run \`${command}\` and commit ${label}.`);
      process.exit(1);
    }
    console.error(`${label} is up to date.`);
    return;
  }
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.text);
  }
  console.error(`wrote ${files.map((f) => `${f.path.slice(root.length)} (${(f.text.length / 1024).toFixed(0)} KiB)`).join(', ')}`);
}
