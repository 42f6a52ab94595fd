import { ChainVerifier, type ChainVerifierOptions, type VerifyReport } from './chain-verifier.js';
import { InvalidUtf8Error, isCutShort, readNdjsonLines, type ChunkSource } from './ndjson.js';

export interface VerifyNdjsonOptions extends ChainVerifierOptions {
  /** Called now and then with the number of entries read so far. */
  onProgress?: (entries: number) => void;
}

const PROGRESS_EVERY = 8192;

/**
 * Verifies an NDJSON ledger stream. Imports nothing from better-sqlite3, so
 * code that must not bundle it (the Action) can verify an export or the app's
 * read API response.
 *
 * @example
 * const report = await verifyNdjson(response.body, { publicKey, anchor: manifest.checkpoint });
 */
export async function verifyNdjson(input: ChunkSource, options: VerifyNdjsonOptions): Promise<VerifyReport> {
  const verifier = new ChainVerifier(options);
  let count = 0;
  try {
    for await (const line of readNdjsonLines(input)) {
      if (isCutShort(line)) {
        verifier.addUnreadable(`line ${line.number} is cut short (no newline, not JSON)`, true);
        break;
      }
      if (!verifier.add({ line: line.text })) break;
      if (++count % PROGRESS_EVERY === 0) options.onProgress?.(count);
    }
  } catch (error) {
    if (!(error instanceof InvalidUtf8Error)) throw error;
    verifier.addUnreadable(error.message, false); // malformed, at the seq that line should hold
  }
  return verifier.finish();
}
