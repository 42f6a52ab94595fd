import { checkCanonicalText } from './check-canonical-text.js';
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
/** The members of an entry's hashed body, in canonical (RFC 8785) order. */
export const BODY_MEMBERS: readonly string[] = ['data', ...HEADER_KEYS];
/** The members of an NDJSON line (the whole entry), in canonical order. */
export const LINE_MEMBERS: readonly string[] = ['data', 'hash', ...HEADER_KEYS];

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
  const header = matchHeaderTail(body, k);
  if (header) return header;
  try {
    return toEntryHeader(JSON.parse(`{${body.slice(k + 1)}`), HEADER_KEYS.length);
  } catch {
    return null;
  }
}

/** An entry's text that is exactly canonical, read in the same pass that checked it. */
export interface CanonicalEntry {
  header: EntryHeader;
  /**
   * In a line: where its `,"hash":"…"` member lies (the hashed body is the
   * line without it, see {@link bodyOf}), and where the 64 characters of its
   * value start (compare them in place, or see {@link storedHashOf}).
   */
  hashMember: { start: number; end: number; value: number } | null;
}

/** The hash a canonical line carries (64 characters, not yet known to be hex). */
export function storedHashOf(text: string, entry: CanonicalEntry): string | null {
  const member = entry.hashMember;
  return member === null ? null : text.slice(member.value, member.value + 64);
}

/** The hashed body of a text {@link readCanonicalEntry} accepted: the text itself, or the line without its hash member. */
export function bodyOf(text: string, entry: CanonicalEntry): string {
  const member = entry.hashMember;
  return member === null ? text : text.slice(0, member.start) + text.slice(member.end);
}

/** Value offsets of the top-level members, filled by the canonical check (reused: reading is synchronous). */
const spans = new Int32Array(2 * LINE_MEMBERS.length);

/**
 * Reads an entry's body (or its NDJSON line) if, and only if, the text is
 * exactly its RFC 8785 canonical form with exactly the entry's members, well
 * typed; else says why not. One pass over the text both checks it and
 * locates the members, so nothing is searched for or parsed twice.
 * `expectedPrevHash` (the previous entry's hash, a verified 64-hex string)
 * is returned as `prev_hash` when the text holds exactly it.
 *
 * @example
 * readCanonicalEntry('{"data":{},"kind":"push",…}', 'body')        // { header: {…}, hashMember: null }
 * readCanonicalEntry('{"data":{},"data":{},"kind":"push",…}', 'body') // { fault: 'at offset 11: member "data" appears twice …' }
 */
export function readCanonicalEntry(text: string, form: 'body' | 'line', expectedPrevHash?: string): CanonicalEntry | { fault: string } {
  const fault = checkCanonicalText(text, { members: form === 'line' ? LINE_MEMBERS : BODY_MEMBERS, spans });
  if (fault !== null) return { fault };
  // Member k's value lies at spans[2k], spans[2k + 1]; a line has `hash` (member 1) before the header members.
  const at = form === 'line' ? 4 : 2;
  const kind = stringAt(text, at);
  // Usually the previous entry's hash, given: then it need not be checked or copied out.
  const prev_hash = expectedPrevHash !== undefined && spans[at + 3]! - spans[at + 2]! === 66 && text.startsWith(expectedPrevHash, spans[at + 2]! + 1)
    ? expectedPrevHash
    : hexAt(text, at + 2);
  const recorded_at = stringAt(text, at + 4);
  const repo = text.charCodeAt(spans[at + 6]!) === 110 ? null : stringAt(text, at + 6); // n(ull)
  const seq = wholeNumberAt(text, at + 8);
  const subject = stringAt(text, at + 10);
  if (kind === null || repo === undefined || subject === null) return { fault: 'kind, repo or subject is not a string' };
  if (prev_hash === null) return { fault: 'prev_hash is not 64 lowercase hex digits' };
  if (recorded_at === null || !ISO_UTC_MS.test(recorded_at)) return { fault: 'recorded_at is not an ISO-8601 UTC time with milliseconds' };
  if (seq === null) return { fault: 'seq is not a whole number ≥ 1' };
  const header: EntryHeader = { seq, recorded_at, kind: kind as EntryKind, repo, subject, prev_hash };
  if (form === 'body') return { header, hashMember: null };
  // A string of 64 characters; whether they are the right hash (hence hex) is the verifier's comparison.
  if (spans[3]! - spans[2]! !== 66 || text.charCodeAt(spans[2]!) !== 34) return { fault: 'hash is not 64 lowercase hex digits' };
  // The member `,"hash":"…"` sits between data and kind: from the comma before its name to the end of its value.
  return { header, hashMember: { start: spans[2]! - HASH_MEMBER.length + 1, end: spans[3]!, value: spans[2]! + 1 } };
}

/** A JSON string of exactly 64 lowercase hex digits, matched in place (sticky). */
const HEX64_STRING = /"[0-9a-f]{64}"/y;

/** The value at spans[k], spans[k+1] if it is a string of 64 lowercase hex digits, else null. */
function hexAt(text: string, k: number): string | null {
  const start = spans[k]!;
  if (spans[k + 1]! - start !== 66) return null;
  HEX64_STRING.lastIndex = start;
  return HEX64_STRING.test(text) ? text.slice(start + 1, start + 65) : null;
}

/** The value at spans[k], spans[k+1] if it is a safe whole number ≥ 1 (canonical already), else null. */
function wholeNumberAt(text: string, k: number): number | null {
  const start = spans[k]!;
  const end = spans[k + 1]!;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return null; // a sign, a fraction or an exponent
    value = value * 10 + digit;
  }
  return value >= 1 && Number.isSafeInteger(value) ? value : null;
}

/** The string value at spans[k], [k+1]; null when the value is not a string. */
function stringAt(text: string, k: number): string | null {
  const start = spans[k]!;
  const end = spans[k + 1]!;
  if (text.charCodeAt(start) !== 34) return null;
  const escape = text.indexOf('\\', start);
  return escape < 0 || escape >= end ? text.slice(start + 1, end - 1) : (JSON.parse(text.slice(start, end)) as string);
}

function matchHeaderTail(text: string, k: number): EntryHeader | null {
  HEADER_TAIL.lastIndex = k;
  const m = HEADER_TAIL.exec(text);
  if (!m) return null;
  const seq = Number(m[5]);
  if (!Number.isSafeInteger(seq)) return null;
  // m[4] is undefined exactly when the repo member is null.
  return { seq, recorded_at: m[3]!, kind: m[1] as EntryKind, repo: m[4] ?? null, subject: m[6]!, prev_hash: m[2]! };
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

/** The header of an NDJSON line in any JSON form (the whole entry, `hash` included); null unless it is an entry. */
export function parseEntryLineHeader(line: string): EntryHeader | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || !('data' in value) || typeof (value as { hash?: unknown }).hash !== 'string') return null;
  return toEntryHeader(value, HEADER_KEYS.length + 2);
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
