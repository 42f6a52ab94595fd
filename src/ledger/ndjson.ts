import { once } from 'node:events';
import { isUtf8 } from 'node:buffer';
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

/** Bytes of an NDJSON stream that are not valid UTF-8: `line` is the 1-based line holding them. */
export class InvalidUtf8Error extends Error {
  override name = 'InvalidUtf8Error';
  constructor(readonly line: number) {
    super(`line ${line} is not valid UTF-8 (a decoder would read some of its bytes as U+FFFD, so its text, hence its hash, would not be what its bytes say)`);
  }
}

/**
 * Splits a byte or text stream into lines without holding more than one
 * line (plus a chunk) in memory. Accepts `\r\n`; skips empty lines. Bytes
 * are decoded strictly: invalid UTF-8 throws {@link InvalidUtf8Error} once
 * every line before the one holding it has been yielded (a lenient decoder
 * would turn it into U+FFFD, which reads — and hashes — as a genuine U+FFFD).
 * A stream that ends inside a character yields its last line as read
 * (unterminated, so cut short).
 *
 * @example
 * for await (const line of readNdjsonLines(createReadStream('ledger.ndjson'))) …
 */
export async function* readNdjsonLines(input: ChunkSource): AsyncGenerator<NdjsonLine> {
  /** The bytes of a character split between two chunks. */
  let carry: Buffer | null = null;
  let pending = '';
  let number = 0;
  function* take(text: string): Generator<NdjsonLine> {
    pending += text;
    let start = 0;
    for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n', start)) {
      number += 1;
      const line = pending.charCodeAt(end - 1) === 13 ? pending.slice(start, end - 1) : pending.slice(start, end);
      start = end + 1;
      if (line.length > 0) yield { text: line, number, terminated: true };
    }
    pending = pending.slice(start);
  }
  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      yield* take(chunk);
      continue;
    }
    const data: Buffer = carry === null ? chunk : Buffer.concat([carry, chunk]);
    const cut = completeCharacters(data);
    carry = cut === data.length ? null : Buffer.from(data.subarray(cut));
    const bytes = data.subarray(0, cut);
    if (isUtf8(bytes)) {
      yield* take(bytes.toString('utf8'));
      continue;
    }
    // Yield the lines before the one holding the invalid bytes, then refuse.
    let lineStart = 0;
    for (let end = bytes.indexOf(10); ; end = bytes.indexOf(10, lineStart)) {
      const lineEnd = end < 0 ? bytes.length : end + 1;
      if (!isUtf8(bytes.subarray(lineStart, lineEnd))) break;
      lineStart = lineEnd;
    }
    yield* take(bytes.subarray(0, lineStart).toString('utf8'));
    throw new InvalidUtf8Error(number + 1);
  }
  if (carry !== null) pending += carry.toString('utf8');
  if (pending.length > 0) yield { text: pending, number: number + 1, terminated: false };
}

/** The length of `data` without a trailing, incomplete UTF-8 sequence (one the next chunk may complete). */
function completeCharacters(data: Buffer): number {
  for (let i = data.length - 1; i >= 0 && i >= data.length - 4; i--) {
    const byte = data[i]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return data.length - i < length ? i : data.length;
  }
  return data.length;
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
