import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { LedgerError } from '../ledger/errors.js';
import { readNdjsonLines, storedFromLine } from '../ledger/ndjson.js';
import type { StoredEntry } from '../ledger/sqlite-reader.js';
import type { EntryKind } from '../ledger/ledger.js';
import type { VerifiedLedger } from './verify-index.js';

/**
 * Where an export reads the ledger from: a SQLite file (CLI), an NDJSON file,
 * or the app's read API (downloaded once to a temporary NDJSON file, so both
 * passes of the export read the same bytes). This module imports nothing
 * from better-sqlite3: the Action bundles it.
 */
export interface LedgerSource {
  /** What was read, for the manifest: a path or a URL, never a token. */
  readonly description: string;
  /**
   * The stored entries in seq order, each as its hashed body and hash. May be
   * called again; `toSeq` bounds a later pass to what the first one saw.
   */
  stored(toSeq?: number): AsyncIterable<StoredEntry> | Iterable<StoredEntry>;
  /** The checkpoint verification key published beside the ledger, if the source has one. */
  publicKeyPem(): Promise<string | null>;
  /** Random access, for a store that has it (SQLite): the export then verifies in parallel and reads less. */
  parallel?: ParallelReader;
  close(): Promise<void>;
}

export interface ParallelReader {
  /** The last seq now: every read of this export stops there. */
  headSeq(): number;
  /** Verifies the chain up to `toSeq` and indexes the entries about population items (in a worker thread). */
  verifyAndIndex(publicKeyPem: string, toSeq: number): Promise<VerifiedLedger>;
  /** Only entries of these kinds, in seq order. */
  select(kinds: readonly EntryKind[], toSeq: number): Iterable<StoredEntry>;
  /** The first entry about each repository (up to `toSeq`): from when the ledger covers it. */
  firstOfEachRepo(toSeq: number): Iterable<StoredEntry>;
  bySeq(seqs: readonly number[]): Iterable<StoredEntry>;
}

/**
 * The source as the package names it: an http(s) address without its query, a
 * database URL without password or parameters, a file by its name alone (a local
 * path says nothing to an auditor and shows the exporter's machine). The ledger
 * itself is named exactly by its head hash and checkpoint beside this.
 */
export function publicSourceName(description: string): string {
  if (/^file [^/\\]+$/.test(description)) return description; // named so already
  try {
    const url = new URL(description);
    if (url.protocol === 'https:' || url.protocol === 'http:') return `${url.origin}${url.pathname}`;
    if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') {
      return `${url.protocol}//${url.host}${url.pathname}`;
    }
  } catch {
    // not a URL: a file path
  }
  return `file ${basename(description)}`;
}

/** Thrown for a source that cannot be read as a ledger (a bad line, a refused download). */
export class LedgerSourceError extends Error {
  override name = 'LedgerSourceError';
}

/**
 * An NDJSON ledger file (`changeproof ledger-export`, the read API's answer).
 *
 * @example const source = ndjsonFileSource('ledger.ndjson');
 */
export function ndjsonFileSource(path: string, options: { description?: string; publicKeyPem?: string | null; onClose?: () => Promise<void> } = {}): LedgerSource {
  return {
    description: options.description ?? path,
    async *stored(toSeq?: number) {
      let count = 0;
      for await (const line of readNdjsonLines(createReadStream(path, { highWaterMark: 1 << 20 }))) {
        const stored = storedFromLine(line.text);
        if (!stored) throw new LedgerSourceError(`${path}: line ${line.number} is not a ledger entry${line.terminated ? '' : ' (cut short: no newline)'}`);
        yield stored;
        if (toSeq !== undefined && ++count >= toSeq) return;
      }
    },
    publicKeyPem: async () => options.publicKeyPem ?? null,
    close: async () => options.onClose?.(),
  };
}

export interface ApiSourceOptions {
  /** The app's base URL (`https://changeproof.example.com`) or its ledger route. */
  url: string;
  /** `CHANGEPROOF_API_TOKEN` of the app. */
  token: string;
  fetch?: typeof fetch;
  /** Bytes downloaded so far, for progress. */
  onProgress?: (bytes: number) => void;
}

/**
 * Downloads the whole ledger from the app's read API
 * (`GET /api/changeproof/ledger`, bearer token) and its public key
 * (`GET /api/changeproof/public-key`) to a temporary file, removed on close.
 *
 * @example const source = await apiSource({ url: 'https://cp.example.com', token });
 */
export async function apiSource(options: ApiSourceOptions): Promise<LedgerSource> {
  const doFetch = options.fetch ?? fetch;
  const base = apiBase(options.url);
  const ledgerUrl = `${base}/api/changeproof/ledger`;
  const headers = { authorization: `Bearer ${options.token}`, accept: 'application/x-ndjson' };
  const response = await request(doFetch, ledgerUrl, headers);
  if (!response.ok || !response.body) {
    const text = await response.text().catch(() => '');
    const hint = response.status === 401 ? ' (check ledger-token / CHANGEPROOF_API_TOKEN)' : response.status === 404 ? ' (is the read API on? set CHANGEPROOF_API_TOKEN on the app)' : '';
    throw new LedgerSourceError(`${ledgerUrl} answered ${response.status}${hint}: ${text.slice(0, 200)}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'changeproof-ledger-'));
  const file = join(dir, 'ledger.ndjson');
  let bytes = 0;
  const body = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    options.onProgress?.(bytes);
  });
  try {
    await pipeline(body, createWriteStream(file));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new LedgerSourceError(`the download of ${ledgerUrl} failed after ${bytes} bytes: ${(error as Error).message}`);
  }
  const keyResponse = await request(doFetch, `${base}/api/changeproof/public-key`, {});
  const publicKeyPem = keyResponse.ok ? await keyResponse.text() : null;
  return ndjsonFileSource(file, { description: ledgerUrl, publicKeyPem, onClose: () => rm(dir, { recursive: true, force: true }) });
}

async function request(doFetch: typeof fetch, url: string, headers: Record<string, string>): Promise<Response> {
  try {
    return await doFetch(url, { headers });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new LedgerSourceError(`cannot reach ${url}: ${(error as Error).message}${cause ? ` (${cause})` : ''}`);
  }
}

/** The app's base URL from its address or one of its API routes; refuses what is not a URL. */
export function apiBase(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LedgerSourceError(`"${url}" is not a URL (expected the app's address, e.g. https://changeproof.example.com)`);
  }
  const path = parsed.pathname.replace(/\/+$/, '').replace(/\/api\/changeproof(\/ledger)?$/, '');
  return `${parsed.origin}${path}`;
}

/** True for values that name the read API rather than a file. */
export function isUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

/** Re-throws ledger read errors from a source as they are; wraps anything else with the source named. */
export function sourceError(source: LedgerSource, error: unknown): Error {
  if (error instanceof LedgerError || error instanceof LedgerSourceError) return error;
  return new LedgerSourceError(`reading ${source.description}: ${(error as Error).message}`);
}
