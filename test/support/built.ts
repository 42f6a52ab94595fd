import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** What `npm start` runs; emitted by the same build as the rest of lib/. */
export const MAIN = join(root, 'lib', 'app', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Compiles src/ to lib/ when lib/app/main.js is older than any source (as
 * `npm start` does). tsc still emits when a module the app does not load has
 * a type error, so the check is that lib/app/main.js is now current.
 */
export function ensureBuilt(): void {
  const fresh = () => existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestMtime(join(root, 'src'));
  if (fresh()) return;
  const build = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (!fresh()) throw new Error(`could not build lib/ (tsc exited ${build.status}):\n${build.stdout}${build.stderr}`);
}
