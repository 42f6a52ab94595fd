import type { EntryKind, JsonValue, LedgerEntry } from './ledger.js';

/**
 * The hashed text of an entry (its "body") is the RFC 8785 canonical JSON of
 * the entry without `hash`, so its top-level members always come in this
 * order: data, kind, prev_hash, recorded_at, repo, seq, subject. The NDJSON
 * line is the canonical JSON of the whole entry, which puts `hash` between
 * data and kind. Every member after `data` holds a string, a number or null,
 * and inside a JSON string every `"` is escaped, so the text `,"kind":"` can
 * occur after `data` only as the real kind member: its last occurrence
 * locates it exactly. That lets export and verification move between body
 * and line, and read the header, without re-serialising `data`.
 */
const KIND_MEMBER = ',"kind":"';
const HASH_MEMBER = ',"hash":"';
/** `,"hash":"` + 64 hex + `"` */
const HASH_MEMBER_LENGTH = HASH_MEMBER.length + 64 + 1;
const BODY_START = '{"data":';
const HEX64 = /^[0-9a-f]{64}$/;
/** `Date.prototype.toISOString()` output: the only form the ledger writes. */
const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HEADER_KEYS = ['kind', 'prev_hash', 'recorded_at', 'repo', 'seq', 'subject'] as const;

/** An entry without `data` and `hash`: what the chain checks read. */
export type EntryHeader = Pick<LedgerEntry, 'seq' | 'recorded_at' | 'kind' | 'repo' | 'subject' | 'prev_hash'>;

/**
 * The NDJSON line (without newline) of a canonical body and its hash; equal
 * to `canonicalJson({...entry, hash})`.
 *
 * @example
 * entryLine('{"data":{},"kind":"push",…}', 'ab…') // '{"data":{},"hash":"ab…","kind":"push",…}'
 */
export function entryLine(body: string, hash: string): string {
  const k = body.lastIndexOf(KIND_MEMBER);
  if (!body.startsWith(BODY_START) || k < 0) throw new Error('not a canonical entry body');
  return `${body.slice(0, k)}${HASH_MEMBER}${hash}"${body.slice(k)}`;
}

/**
 * Splits a canonical NDJSON line into its body and hash without parsing
 * `data`; null when the line is not in canonical form (the caller then parses
 * and re-canonicalises it).
 */
export function splitEntryLine(line: string): { body: string; hash: string } | null {
  const k = line.lastIndexOf(KIND_MEMBER);
  const h = k - HASH_MEMBER_LENGTH;
  if (h < BODY_START.length || !line.startsWith(HASH_MEMBER, h) || line.charCodeAt(k - 1) !== 34) return null;
  const hash = line.slice(h + HASH_MEMBER.length, k - 1);
  if (!HEX64.test(hash)) return null;
  return { body: line.slice(0, h) + line.slice(k), hash };
}

/**
 * The members after `data` in a canonical body, as one sticky pattern: JSON
 * strings without escapes or control characters, the hash as lowercase hex,
 * the time as `toISOString()` prints it, seq as a positive integer. Anything
 * else (escapes included) takes the JSON.parse path, which is slower but exact.
 */
const HEADER_TAIL = new RegExp(
  String.raw`,"kind":"([^"\\\x00-\x1f]*)","prev_hash":"([0-9a-f]{64})","recorded_at":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)",` +
  String.raw`"repo":(?:null|"([^"\\\x00-\x1f]*)"),"seq":([1-9]\d{0,15}),"subject":"([^"\\\x00-\x1f]*)"}$`,
  'y',
);

/** Reads the header members of a canonical body without parsing `data`; null if it is not one. */
export function readEntryHeader(body: string): EntryHeader | null {
  if (!body.startsWith(BODY_START)) return null;
  const k = body.lastIndexOf(KIND_MEMBER);
  if (k < 0) return null;
  HEADER_TAIL.lastIndex = k;
  const m = HEADER_TAIL.exec(body);
  if (m) {
    const seq = Number(m[5]);
    if (!Number.isSafeInteger(seq)) return null;
    // m[4] is undefined exactly when the repo member is null.
    return { seq, recorded_at: m[3]!, kind: m[1] as EntryKind, repo: m[4] ?? null, subject: m[6]!, prev_hash: m[2]! };
  }
  try {
    return toEntryHeader(JSON.parse(`{${body.slice(k + 1)}`), HEADER_KEYS.length);
  } catch {
    return null;
  }
}

/** Parses a whole body (any JSON form); null unless it has exactly the entry's members, well typed. */
export function parseEntryBody(body: string): { header: EntryHeader; data: JsonValue } | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || !('data' in value)) return null;
  const header = toEntryHeader(value, HEADER_KEYS.length + 1);
  return header ? { header, data: (value as { data: JsonValue }).data } : null;
}

function toEntryHeader(value: unknown, keyCount: number): EntryHeader | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (Object.keys(v).length !== keyCount) return null;
  const { kind, prev_hash, recorded_at, repo, seq, subject } = v;
  if (typeof kind !== 'string' || typeof subject !== 'string') return null;
  if (typeof prev_hash !== 'string' || !HEX64.test(prev_hash)) return null;
  if (typeof recorded_at !== 'string' || !ISO_UTC_MS.test(recorded_at)) return null;
  if (repo !== null && typeof repo !== 'string') return null;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return null;
  // A kind this version does not know is kept as is: a newer writer may add kinds.
  return { seq, recorded_at, kind: kind as EntryKind, repo, subject, prev_hash };
}

/** True for a lowercase 64-hex-digit SHA-256. */
export function isHex64(text: string): boolean {
  return HEX64.test(text);
}
