import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The standalone verifier's name inside every export package. */
export const VERIFIER_FILE = 'changeproof-verify.mjs';

/**
 * Where this build's standalone verifier is (dist/verifier/changeproof-verify.mjs,
 * built by scripts/build-verifier.mjs). The sources (src/export), the compiled
 * CLI (lib/export) and the bundled Action (dist/action) all sit two levels
 * below the package root.
 */
export function verifierPath(): string {
  return fileURLToPath(new URL(`../../dist/verifier/${VERIFIER_FILE}`, import.meta.url));
}

let cached: { bytes: Buffer; sha256: string } | null = null;

/**
 * The verifier's bytes and their SHA-256, read once. Throws, saying how to
 * build it, when this installation has none.
 */
export function verifierFile(): { bytes: Buffer; sha256: string } {
  if (cached) return cached;
  const path = verifierPath();
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`the standalone verifier ${path} is missing (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): run \`npm run build:verifier\``);
  }
  cached = { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  return cached;
}
