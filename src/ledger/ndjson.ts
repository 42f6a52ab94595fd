import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { splitEntryLine } from './entry-text.js';
import type { StoredEntry } from './sqlite-reader.js';

/**
 * NDJSON interchange (SPEC §3): one entry per line, each line the RFC 8785
 * canonical JSON of the whole entry (hash included), UTF-8, `\n` after every
 * line. Removing the `hash` member from a line gives exactly the bytes that
 * were hashed.
 */
export interface NdjsonLine {
  text: string;
  /** 1-based line number. */
  number: number;
  /** False only for a last line without its newline: possibly cut short. */
  terminated: boolean;
}

/** A readable stream, or any (async) iterable of text or byte chunks. */
export type ChunkSource = AsyncIterable<string | Buffer> | Iterable<string | Buffer>;

/**
 * Splits a byte or text stream into lines without holding more than one
 * line (plus a chunk) in memory. Accepts `\r\n`; skips empty lines.
 *
 * @example
 * for await (const line of readNdjsonLines(createReadStream('ledger.ndjson'))) …
 */
export async function* readNdjsonLines(input: ChunkSource): AsyncGenerator<NdjsonLine> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let number = 0;
  for await (const chunk of input) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n', start)) {
      number += 1;
      const text = pending.charCodeAt(end - 1) === 13 ? pending.slice(start, end - 1) : pending.slice(start, end);
      start = end + 1;
      if (text.length > 0) yield { text, number, terminated: true };
    }
    pending = pending.slice(start);
  }
  pending += decoder.end();
  if (pending.length > 0) yield { text: pending, number: number + 1, terminated: false };
}

/**
 * The stored form (hashed body + hash) of an NDJSON line, cut textually: a
 * line is the RFC 8785 canonical JSON of its entry, which puts `hash`
 * between `data` and `kind`. Null when the line is not in that form — a
 * reformatted line is not re-canonicalised, because the ledger's text is what
 * was hashed and signed (whether the body is canonical throughout is checked
 * by the verifier).
 *
 * @example
 * storedFromLine('{"data":{},"hash":"ab…","kind":"push",…}') // { body: '{"data":{},"kind":"push",…}', hash: 'ab…' }
 */
export function storedFromLine(text: string): StoredEntry | null {
  return splitEntryLine(text);
}

/** A last line without its newline that is not JSON: the file was cut in the middle of an entry. */
export function isCutShort(line: NdjsonLine): boolean {
  if (line.terminated) return false;
  try {
    JSON.parse(line.text);
    return false;
  } catch {
    return true;
  }
}

/**
 * Writes each line and a `\n`, waiting for `drain` when the stream asks to,
 * so exporting a large ledger does not buffer it in memory. Returns the count.
 *
 * @example
 * await writeNdjsonLines(ledger.readLines(), process.stdout);
 */
export async function writeNdjsonLines(
  lines: AsyncIterable<string>,
  out: NodeJS.WritableStream,
  onLine?: (count: number) => void,
): Promise<number> {
  let count = 0;
  for await (const line of lines) {
    count += 1;
    if (!out.write(`${line}\n`)) await once(out, 'drain');
    onLine?.(count);
  }
  return count;
}
