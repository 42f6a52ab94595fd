#!/usr/bin/env node
// changeproof-verify: checks a Changeproof export package or ledger offline. Generated from the changeproof sources; do not edit.
import { createRequire as __changeproofRequire } from 'node:module';
const require = __changeproofRequire(import.meta.url);
var __defProp = Object.defineProperty;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __esm = (fn, res, err) => function __init() {
  if (err) throw err[0];
  try {
    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
  } catch (e) {
    throw err = [e], e;
  }
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};

// node_modules/canonicalize/lib/canonicalize.js
function hasLoneSurrogate(value) {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 55296 && code <= 56319) {
      if (i === value.length - 1) {
        return true;
      }
      const next = value.charCodeAt(i + 1);
      if (!(next >= 56320 && next <= 57343)) {
        return true;
      }
      i++;
    } else if (code >= 56320 && code <= 57343) {
      return true;
    }
  }
  return false;
}
function canonicalize(object, seen = /* @__PURE__ */ new Set()) {
  if (typeof object === "number" && isNaN(object)) {
    throw new Error("NaN is not allowed");
  }
  if (typeof object === "number" && !isFinite(object)) {
    throw new Error("Infinity is not allowed");
  }
  if (typeof object === "string" && hasLoneSurrogate(object)) {
    throw new Error("Lone surrogate is not allowed");
  }
  if (object === null || typeof object !== "object") {
    return JSON.stringify(object);
  }
  if (typeof object.toJSON === "function") {
    if (seen.has(object)) {
      throw new Error("Circular reference detected");
    }
    seen.add(object);
    const result2 = canonicalize(object.toJSON(), seen);
    seen.delete(object);
    return result2;
  }
  if (seen.has(object)) {
    throw new Error("Circular reference detected");
  }
  seen.add(object);
  let result;
  if (Array.isArray(object)) {
    const values = object.map((cv) => {
      const value = cv === void 0 || typeof cv === "symbol" ? null : cv;
      return canonicalize(value, seen);
    });
    result = `[${values.join(",")}]`;
  } else {
    const parts = [];
    for (const key of Object.keys(object).sort()) {
      if (object[key] === void 0 || typeof object[key] === "symbol") {
        continue;
      }
      parts.push(`${canonicalize(key)}:${canonicalize(object[key], seen)}`);
    }
    result = `{${parts.join(",")}}`;
  }
  seen.delete(object);
  return result;
}
var init_canonicalize = __esm({
  "node_modules/canonicalize/lib/canonicalize.js"() {
  }
});

// src/ledger/errors.ts
import { accessSync, constants } from "node:fs";
import { dirname } from "node:path";
function sqliteCode(error) {
  const code = error?.code;
  return typeof code === "string" ? code : "";
}
function writable(path) {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
function toLedgerError(error, path, doing) {
  if (error instanceof LedgerError) return error;
  const code = sqliteCode(error);
  const where = `Could not ${doing} the ledger at ${path}`;
  const cause = { cause: error };
  const detail = error instanceof Error ? error.message : String(error);
  if (code.startsWith("SQLITE_READONLY") || code === "EACCES" || code === "EROFS" || code === "EPERM") {
    return new LedgerError(
      "LEDGER_READ_ONLY",
      `${where}: it is read-only (${detail}).`,
      `Make the file and its folder writable by this process (SQLite also writes ${path}-wal and ${path}-shm beside it), or set LEDGER_PATH to a writable location.`,
      cause
    );
  }
  if (code === "SQLITE_FULL" || code === "ENOSPC" || code === "SQLITE_IOERR_WRITE" && /space/i.test(detail)) {
    return new LedgerError(
      "LEDGER_FULL",
      `${where}: the disk or the ledger's size limit is full; nothing was written.`,
      "Free disk space (or raise the size limit) and retry; unacknowledged webhooks will be redelivered.",
      cause
    );
  }
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) {
    return new LedgerError(
      "LEDGER_CORRUPT",
      `${where}: the file is not a readable SQLite database (${detail}).`,
      "Restore it from a backup or an NDJSON export (`changeproof ledger-export`), then run `changeproof verify`.",
      cause
    );
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new LedgerError(
      "LEDGER_UNAVAILABLE",
      `${where}: another process held its write lock past the busy timeout.`,
      "Retry; if it persists, look for a stuck process holding the file open.",
      cause
    );
  }
  if (code === "SQLITE_CANTOPEN" || code === "ENOENT" || code === "ENOTDIR") {
    const folderReadOnly = !writable(dirname(path));
    return new LedgerError(
      folderReadOnly ? "LEDGER_READ_ONLY" : "LEDGER_UNAVAILABLE",
      `${where}: SQLite cannot open it (${detail}).`,
      folderReadOnly ? `Make the folder ${dirname(path)} writable, or set LEDGER_PATH to a writable location.` : "Check that LEDGER_PATH names a file in an existing, accessible folder.",
      cause
    );
  }
  return new LedgerError(
    "LEDGER_UNAVAILABLE",
    `${where}: ${detail}.`,
    "Check the disk and the file, then retry; run `changeproof verify` if the file may be damaged.",
    cause
  );
}
function isoBound(value, name) {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new LedgerError(
      "LEDGER_INVALID_ENTRY",
      `The read bound ${name}=${JSON.stringify(value)} is not an ISO-8601 time.`,
      "Use a form such as 2026-03-01 or 2026-03-01T00:00:00Z."
    );
  }
  return new Date(ms).toISOString();
}
var LedgerError;
var init_errors = __esm({
  "src/ledger/errors.ts"() {
    "use strict";
    LedgerError = class extends Error {
      name = "LedgerError";
      code;
      hint;
      constructor(code, message, hint, options) {
        super(`${message} ${hint}`, options);
        this.code = code;
        this.hint = hint;
      }
    };
  }
});

// src/ledger/canonical.ts
function canonicalJson(value) {
  return canonicalWithValue(value).text;
}
function canonicalWithValue(value) {
  let text;
  try {
    text = canonicalize(value);
  } catch (error) {
    throw invalid(error.message, error);
  }
  if (text === void 0) throw invalid("the value is undefined");
  try {
    return { text, value: JSON.parse(text) };
  } catch (error) {
    throw invalid("it contains a value JSON cannot represent (a function?)", error);
  }
}
function invalid(reason, cause) {
  return new LedgerError(
    "LEDGER_INVALID_ENTRY",
    `Cannot record the entry as canonical JSON: ${reason}.`,
    "Pass plain JSON data (strings, finite numbers, booleans, null, arrays, objects).",
    { cause }
  );
}
var init_canonical = __esm({
  "src/ledger/canonical.ts"() {
    "use strict";
    init_canonicalize();
    init_errors();
  }
});

// src/ledger/check-canonical-text.ts
function checkCanonicalText(text, shape = {}) {
  try {
    refuseLoneSurrogates(text);
    const length = encode(text);
    const spans2 = shape.members ? shape.spans : void 0;
    scan(length, shape.members, spans2);
    if (spans2 && length !== text.length) toTextOffsets(spans2, 2 * shape.members.length);
    return null;
  } catch (error) {
    if (error instanceof CanonicalFault) return error.message;
    throw error;
  }
}
function fault(offset, what) {
  throw new CanonicalFault(`at byte ${offset}: ${what}`);
}
function encode(text) {
  const room = 3 * text.length + 8;
  if (room > state.bytes.length) {
    state.bytes = new Uint8Array(Math.ceil(room / 4) * 4 * 2);
    state.words = new Uint32Array(state.bytes.buffer);
  }
  const { written } = encoder.encodeInto(text, state.bytes);
  state.bytes.fill(0, written, written + 4);
  return written;
}
function scan(n2, members, spans2) {
  const b = state.bytes;
  let i = 0;
  let depth = 0;
  let topMembers = 0;
  if (members && b[0] !== OPEN_OBJECT) fault(0, "it is not a JSON object");
  value: for (; ; ) {
    const c = b[i];
    if (c === QUOTE) {
      i = scanString(i, n2);
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const object = c === OPEN_OBJECT;
      i += 1;
      if (b[i] === (object ? CLOSE_OBJECT : CLOSE_ARRAY)) {
        i += 1;
        if (object && depth === 0 && members && members.length > 0) fault(0, "it is an empty object");
      } else {
        if (depth === state.isObject.length) growStack();
        state.isObject[depth] = object ? 1 : 0;
        state.nameStart[depth] = -1;
        depth += 1;
        if (object) {
          i = scanName(i, n2, depth - 1);
          if (depth === 1 && members) {
            checkTopMember(members, topMembers);
            if (spans2) spans2[2 * topMembers] = i;
            topMembers += 1;
          }
        }
        continue value;
      }
    } else if (c === MINUS || c >= ZERO && c <= NINE) {
      i = scanNumber(i);
    } else if (c === 116 && b[i + 1] === 114 && b[i + 2] === 117 && b[i + 3] === 101) {
      i += 4;
    } else if (c === 102 && b[i + 1] === 97 && b[i + 2] === 108 && b[i + 3] === 115 && b[i + 4] === 101) {
      i += 5;
    } else if (c === 110 && b[i + 1] === 117 && b[i + 2] === 108 && b[i + 3] === 108) {
      i += 4;
    } else {
      fault(i, i >= n2 ? "the text ends where a value should start" : "expected a JSON value (no whitespace)");
    }
    for (; ; ) {
      if (depth === 0) {
        if (i !== n2) fault(i, "text after the end of the JSON value");
        return;
      }
      const d = b[i];
      const inObject = state.isObject[depth - 1] === 1;
      if (depth === 1 && spans2) spans2[2 * topMembers - 1] = i;
      if (d === COMMA) {
        i += 1;
        if (inObject) {
          i = scanName(i, n2, depth - 1);
          if (depth === 1 && members) {
            checkTopMember(members, topMembers);
            if (spans2) spans2[2 * topMembers] = i;
            topMembers += 1;
          }
        }
        continue value;
      }
      if (d !== (inObject ? CLOSE_OBJECT : CLOSE_ARRAY)) fault(i, inObject ? 'expected "," or "}" (no whitespace)' : 'expected "," or "]" (no whitespace)');
      i += 1;
      depth -= 1;
      if (depth === 0 && members && topMembers !== members.length) {
        fault(i - 1, `the object has ${topMembers} members where ${members.length} (${members.join(", ")}) are expected`);
      }
    }
  }
}
function growStack() {
  const grow = (a) => {
    const bigger = new a.constructor(a.length * 2);
    bigger.set(a);
    return bigger;
  };
  state.isObject = grow(state.isObject);
  state.nameStart = grow(state.nameStart);
  state.nameEnd = grow(state.nameEnd);
  state.nameEscaped = grow(state.nameEscaped);
}
function scanName(i, n2, d) {
  const b = state.bytes;
  if (b[i] !== QUOTE) fault(i, "expected a member name (no whitespace)");
  const start = i + 1;
  const after = scanString(i, n2);
  const end = after - 1;
  const escaped = state.escaped;
  if (b[after] !== COLON) fault(after, 'expected ":" (no whitespace)');
  const { nameStart, nameEnd, nameEscaped } = state;
  const previousStart = nameStart[d];
  if (previousStart >= 0) {
    const previousEnd = nameEnd[d];
    const previousEscaped = nameEscaped[d] === 1;
    const order = previousEscaped || escaped ? compareStrings(decodeName(previousStart, previousEnd, previousEscaped), decodeName(start, end, escaped)) : compareNames(previousStart, previousEnd, start, end);
    if (order >= 0) {
      const name = JSON.stringify(decodeName(start, end, escaped));
      fault(i, order === 0 ? `member ${name} appears twice in one object (two JSON parsers may read two different values)` : `member ${name} comes after ${JSON.stringify(decodeName(previousStart, previousEnd, previousEscaped))}: members must be sorted by UTF-16 code units`);
    }
  }
  nameStart[d] = start;
  nameEnd[d] = end;
  nameEscaped[d] = escaped ? 1 : 0;
  return after + 1;
}
function checkTopMember(members, k) {
  const b = state.bytes;
  const start = state.nameStart[0];
  const end = state.nameEnd[0];
  const escaped = state.nameEscaped[0] === 1;
  const expected = members[k];
  let same = expected !== void 0 && !escaped && end - start === expected.length;
  for (let j = 0; same && j < end - start; j++) same = b[start + j] === expected.charCodeAt(j);
  if (!same) fault(start - 1, `member ${JSON.stringify(decodeName(start, end, escaped))} is not one of ${members.join(", ")} in that order`);
}
function scanString(i, n2) {
  const b = state.bytes;
  const w = state.words;
  let escaped = false;
  let j = i + 1;
  for (; ; ) {
    let c = b[j];
    while ((j & 3) !== 0 && c !== QUOTE && c !== BACKSLASH && c >= 32) c = b[++j];
    if ((j & 3) === 0) {
      for (; ; ) {
        const x = w[j >>> 2];
        const quote = x ^ 572662306;
        const backslash = x ^ 1549556828;
        if ((quote - 16843009 & ~quote | backslash - 16843009 & ~backslash | x - 538976288 & ~x) & 2155905152) break;
        j += 4;
      }
      c = b[j];
      while (c !== QUOTE && c !== BACKSLASH && c >= 32) c = b[++j];
    }
    if (c === QUOTE) {
      state.escaped = escaped;
      return j + 1;
    }
    if (c === BACKSLASH) {
      const length = escapeLength(j);
      if (length === 0) {
        fault(j, `the escape ${JSON.stringify(latin1(j, Math.min(j + 6, n2)))} is not canonical (RFC 8785 \xA73.2.2.2: only \\" \\\\ \\b \\t \\n \\f \\r, and lowercase \\u00xx for other control characters; everything else is written raw)`);
      }
      escaped = true;
      j += length;
    } else {
      fault(j, j >= n2 ? "the text ends inside a string" : "a raw control character in a string (it must be escaped)");
    }
  }
}
function refuseLoneSurrogates(text) {
  if (HAS_IS_WELL_FORMED && text.isWellFormed()) return;
  for (let j = 0; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c < 55296 || c > 57343) continue;
    if (c <= 56319 && (text.charCodeAt(j + 1) & 64512) === 56320) j += 1;
    else throw new CanonicalFault(`at character ${j}: a lone surrogate (not Unicode text; RFC 8785 refuses it)`);
  }
}
function escapeLength(i) {
  const b = state.bytes;
  switch (b[i + 1]) {
    case QUOTE:
    case BACKSLASH:
    case 98:
    case 102:
    case 110:
    case 114:
    case 116:
      return 2;
    // \" \\ \b \f \n \r \t
    case 117: {
      if (b[i + 2] !== ZERO || b[i + 3] !== ZERO) return 0;
      const high = b[i + 4] - ZERO;
      const low = lowercaseHex(b[i + 5]);
      if (high !== 0 && high !== 1 || low < 0) return 0;
      const code = high * 16 + low;
      return code === 8 || code === 9 || code === 10 || code === 12 || code === 13 ? 0 : 6;
    }
    default:
      return 0;
  }
}
function lowercaseHex(c) {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  if (c >= 97 && c <= 102) return c - 97 + 10;
  return -1;
}
function scanNumber(i) {
  const b = state.bytes;
  let j = i;
  if (b[j] === MINUS) j += 1;
  const intStart = j;
  while (isDigit(b[j])) j += 1;
  const intDigits = j - intStart;
  let plain = true;
  if (b[j] === 46) {
    plain = false;
    const from = ++j;
    while (isDigit(b[j])) j += 1;
    if (j === from) numberFault(i, j);
  }
  const e = b[j];
  if (e === 101 || e === 69) {
    plain = false;
    j += 1;
    const sign3 = b[j];
    if (sign3 === 43 || sign3 === MINUS) j += 1;
    const from = j;
    while (isDigit(b[j])) j += 1;
    if (j === from) numberFault(i, j);
  }
  const leadingZero = b[intStart] === ZERO;
  if (intDigits === 0 || leadingZero && intDigits > 1) numberFault(i, j);
  if (plain && intDigits <= EXACT_DIGITS && !(leadingZero && i !== intStart)) return j;
  const token = latin1(i, j);
  if (String(Number(token)) !== token) numberFault(i, j);
  return j;
}
function numberFault(i, j) {
  const token = latin1(i, Math.max(j, i + 1));
  const value = Number(token);
  return fault(i, `the number ${token} is not in canonical form${Number.isFinite(value) ? ` (canonical: ${String(value)})` : ""}`);
}
function isDigit(c) {
  return c >= ZERO && c <= NINE;
}
function compareNames(aStart, aEnd, bStart, bEnd) {
  const b = state.bytes;
  const common = Math.min(aEnd - aStart, bEnd - bStart);
  for (let k = 0; k < common; k++) {
    const x = b[aStart + k];
    const y = b[bStart + k];
    if (x === y) continue;
    if ((x === 238 || x === 239) && y >= 240) return 1;
    if ((y === 238 || y === 239) && x >= 240) return -1;
    return x - y;
  }
  return aEnd - aStart - (bEnd - bStart);
}
function compareStrings(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
function decodeName(start, end, escaped) {
  const text = decoder.decode(state.bytes.subarray(escaped ? start - 1 : start, escaped ? end + 1 : end));
  return escaped ? JSON.parse(text) : text;
}
function latin1(from, to) {
  let text = "";
  for (let k = from; k < to; k++) text += String.fromCharCode(state.bytes[k]);
  return text;
}
function toTextOffsets(spans2, count2) {
  const b = state.bytes;
  let units = 0;
  let k = 0;
  for (let j = 0; k < count2; j++) {
    while (k < count2 && spans2[k] === j) spans2[k++] = units;
    const c = b[j];
    if ((c & 192) !== 128) units += c >= 240 ? 2 : 1;
  }
}
var CanonicalFault, QUOTE, BACKSLASH, COMMA, COLON, MINUS, ZERO, NINE, OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY, EXACT_DIGITS, encoder, decoder, state, HAS_IS_WELL_FORMED;
var init_check_canonical_text = __esm({
  "src/ledger/check-canonical-text.ts"() {
    "use strict";
    CanonicalFault = class extends Error {
    };
    QUOTE = 34;
    BACKSLASH = 92;
    COMMA = 44;
    COLON = 58;
    MINUS = 45;
    ZERO = 48;
    NINE = 57;
    OPEN_OBJECT = 123;
    CLOSE_OBJECT = 125;
    OPEN_ARRAY = 91;
    CLOSE_ARRAY = 93;
    EXACT_DIGITS = 15;
    encoder = new TextEncoder();
    decoder = new TextDecoder();
    state = {
      bytes: new Uint8Array(4096),
      words: new Uint32Array(1024),
      isObject: new Uint8Array(64),
      nameStart: new Int32Array(64),
      nameEnd: new Int32Array(64),
      nameEscaped: new Uint8Array(64),
      /** Set by scanString: whether the string just scanned contains an escape. */
      escaped: false
    };
    state.words = new Uint32Array(state.bytes.buffer);
    HAS_IS_WELL_FORMED = typeof String.prototype.isWellFormed === "function";
  }
});

// src/ledger/entry-text.ts
function splitEntryLine(line) {
  const k = line.lastIndexOf(KIND_MEMBER);
  const h = k - HASH_MEMBER_LENGTH;
  if (h < BODY_START.length || !line.startsWith(HASH_MEMBER, h) || line.charCodeAt(k - 1) !== 34) return null;
  const hash2 = line.slice(h + HASH_MEMBER.length, k - 1);
  if (!HEX64.test(hash2)) return null;
  return { body: line.slice(0, h) + line.slice(k), hash: hash2 };
}
function readEntryHeader(body) {
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
function bodyOf(text, entry) {
  const member = entry.hashMember;
  return member === null ? text : text.slice(0, member.start) + text.slice(member.end);
}
function readCanonicalEntry(text, form, expectedPrevHash) {
  const fault2 = checkCanonicalText(text, { members: form === "line" ? LINE_MEMBERS : BODY_MEMBERS, spans });
  if (fault2 !== null) return { fault: fault2 };
  const at = form === "line" ? 4 : 2;
  const kind = stringAt(text, at);
  const prev_hash = expectedPrevHash !== void 0 && spans[at + 3] - spans[at + 2] === 66 && text.startsWith(expectedPrevHash, spans[at + 2] + 1) ? expectedPrevHash : hexAt(text, at + 2);
  const recorded_at = stringAt(text, at + 4);
  const repo = text.charCodeAt(spans[at + 6]) === 110 ? null : stringAt(text, at + 6);
  const seq = wholeNumberAt(text, at + 8);
  const subject = stringAt(text, at + 10);
  if (kind === null || repo === void 0 || subject === null) return { fault: "kind, repo or subject is not a string" };
  if (prev_hash === null) return { fault: "prev_hash is not 64 lowercase hex digits" };
  if (recorded_at === null || !ISO_UTC_MS.test(recorded_at)) return { fault: "recorded_at is not an ISO-8601 UTC time with milliseconds" };
  if (seq === null) return { fault: "seq is not a whole number \u2265 1" };
  const header = { seq, recorded_at, kind, repo, subject, prev_hash };
  if (form === "body") return { header, hashMember: null };
  if (spans[3] - spans[2] !== 66 || text.charCodeAt(spans[2]) !== 34) return { fault: "hash is not 64 lowercase hex digits" };
  return { header, hashMember: { start: spans[2] - HASH_MEMBER.length + 1, end: spans[3], value: spans[2] + 1 } };
}
function hexAt(text, k) {
  const start = spans[k];
  if (spans[k + 1] - start !== 66) return null;
  HEX64_STRING.lastIndex = start;
  return HEX64_STRING.test(text) ? text.slice(start + 1, start + 65) : null;
}
function wholeNumberAt(text, k) {
  const start = spans[k];
  const end = spans[k + 1];
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  return value >= 1 && Number.isSafeInteger(value) ? value : null;
}
function stringAt(text, k) {
  const start = spans[k];
  const end = spans[k + 1];
  if (text.charCodeAt(start) !== 34) return null;
  const escape = text.indexOf("\\", start);
  return escape < 0 || escape >= end ? text.slice(start + 1, end - 1) : JSON.parse(text.slice(start, end));
}
function matchHeaderTail(text, k) {
  HEADER_TAIL.lastIndex = k;
  const m = HEADER_TAIL.exec(text);
  if (!m) return null;
  const seq = Number(m[5]);
  if (!Number.isSafeInteger(seq)) return null;
  return { seq, recorded_at: m[3], kind: m[1], repo: m[4] ?? null, subject: m[6], prev_hash: m[2] };
}
function parseEntryBody(body) {
  let value;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || !("data" in value)) return null;
  const header = toEntryHeader(value, HEADER_KEYS.length + 1);
  return header ? { header, data: value.data } : null;
}
function parseEntryLineHeader(line) {
  let value;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || !("data" in value) || typeof value.hash !== "string") return null;
  return toEntryHeader(value, HEADER_KEYS.length + 2);
}
function toEntryHeader(value, keyCount) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const v = value;
  if (Object.keys(v).length !== keyCount) return null;
  const { kind, prev_hash, recorded_at, repo, seq, subject } = v;
  if (typeof kind !== "string" || typeof subject !== "string") return null;
  if (typeof prev_hash !== "string" || !HEX64.test(prev_hash)) return null;
  if (typeof recorded_at !== "string" || !ISO_UTC_MS.test(recorded_at)) return null;
  if (repo !== null && typeof repo !== "string") return null;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) return null;
  return { seq, recorded_at, kind, repo, subject, prev_hash };
}
function isHex64(text) {
  return HEX64.test(text);
}
var KIND_MEMBER, HASH_MEMBER, HASH_MEMBER_LENGTH, BODY_START, HEX64, ISO_UTC_MS, HEADER_KEYS, BODY_MEMBERS, LINE_MEMBERS, HEADER_TAIL, spans, HEX64_STRING;
var init_entry_text = __esm({
  "src/ledger/entry-text.ts"() {
    "use strict";
    init_check_canonical_text();
    KIND_MEMBER = ',"kind":"';
    HASH_MEMBER = ',"hash":"';
    HASH_MEMBER_LENGTH = HASH_MEMBER.length + 64 + 1;
    BODY_START = '{"data":';
    HEX64 = /^[0-9a-f]{64}$/;
    ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    HEADER_KEYS = ["kind", "prev_hash", "recorded_at", "repo", "seq", "subject"];
    BODY_MEMBERS = ["data", ...HEADER_KEYS];
    LINE_MEMBERS = ["data", "hash", ...HEADER_KEYS];
    HEADER_TAIL = new RegExp(
      String.raw`,"kind":"([^"\\\x00-\x1f]*)","prev_hash":"([0-9a-f]{64})","recorded_at":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)",` + String.raw`"repo":(?:null|"([^"\\\x00-\x1f]*)"),"seq":([1-9]\d{0,15}),"subject":"([^"\\\x00-\x1f]*)"}$`,
      "y"
    );
    spans = new Int32Array(2 * LINE_MEMBERS.length);
    HEX64_STRING = /"[0-9a-f]{64}"/y;
  }
});

// src/ledger/checkpoint.ts
import { createHash, createPublicKey, sign, verify } from "node:crypto";
function checkpointStatement(c) {
  return Buffer.from(canonicalJson({ format: c.format, head_hash: c.head_hash, size: c.size, time: c.time }), "utf8");
}
function readCarriedKey(c) {
  if (c.public_key === void 0) return null;
  const der = Buffer.from(c.public_key, "base64");
  let key;
  try {
    key = createPublicKey({ key: der, format: "der", type: "spki" });
  } catch {
    return { problem: "its public_key is not a DER SubjectPublicKeyInfo in base64" };
  }
  if (key.asymmetricKeyType !== "ed25519") return { problem: `its public_key is ${key.asymmetricKeyType ?? "an unknown kind of"} key, not Ed25519` };
  if (der.toString("base64") !== c.public_key || !der.equals(key.export({ type: "spki", format: "der" }))) {
    return { problem: "its public_key is not in the one canonical encoding (base64 of the DER SubjectPublicKeyInfo)" };
  }
  const id = createHash("sha256").update(der).digest("hex");
  if (id !== c.key_id) return { problem: `it carries the public key with id ${id.slice(0, 16)}\u2026, but names key_id ${c.key_id.slice(0, 16)}\u2026` };
  return { key };
}
function checkpointSignatureValid(publicKey, c) {
  try {
    return verify(null, checkpointStatement(c), publicKey, Buffer.from(c.signature, "base64"));
  } catch {
    return false;
  }
}
function parseSignedCheckpoint(value) {
  if (typeof value !== "object" || value === null) return null;
  const v = value;
  const ok = v.format === CHECKPOINT_FORMAT && typeof v.size === "number" && Number.isSafeInteger(v.size) && v.size >= 0 && typeof v.head_hash === "string" && isHex64(v.head_hash) && typeof v.time === "string" && typeof v.key_id === "string" && isHex64(v.key_id) && typeof v.signature === "string" && /^[A-Za-z0-9+/]{86}==$/.test(v.signature) && (v.public_key === void 0 || typeof v.public_key === "string" && /^[A-Za-z0-9+/]{1,1000}={0,2}$/.test(v.public_key));
  if (!ok) return null;
  const { format, size, head_hash, time, key_id, signature, public_key } = v;
  return public_key === void 0 ? { format, size, head_hash, time, key_id, signature } : { format, size, head_hash, time, key_id, signature, public_key };
}
var CHECKPOINT_FORMAT, DEFAULT_CHECKPOINT_POLICY;
var init_checkpoint = __esm({
  "src/ledger/checkpoint.ts"() {
    "use strict";
    init_canonical();
    init_entry_text();
    CHECKPOINT_FORMAT = "changeproof-checkpoint/v1";
    DEFAULT_CHECKPOINT_POLICY = { everyEntries: 1e3, everyMs: 10 * 60 * 1e3 };
  }
});

// stub:better-sqlite3
var Database;
var init_better_sqlite3 = __esm({
  "stub:better-sqlite3"() {
    Database = class {
      constructor() {
        throw new Error("this standalone verifier reads NDJSON ledgers only: export a SQLite ledger with `changeproof ledger-export`, or use the changeproof CLI");
      }
    };
  }
});

// src/ledger/file-mode.ts
import { chmodSync, statSync } from "node:fs";
function tightenMode(file) {
  try {
    const { mode } = statSync(file);
    if ((mode & 63) !== 0) chmodSync(file, mode & 448);
  } catch {
  }
}
var init_file_mode = __esm({
  "src/ledger/file-mode.ts"() {
    "use strict";
  }
});

// src/ledger/migrations/001-entries.ts
var entries;
var init_entries = __esm({
  "src/ledger/migrations/001-entries.ts"() {
    "use strict";
    entries = {
      version: 1,
      name: "entries",
      sql: `
    CREATE TABLE entries (
      seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
      recorded_at TEXT NOT NULL,
      kind        TEXT NOT NULL,
      repo        TEXT,
      hash        TEXT NOT NULL,
      body        TEXT NOT NULL
    ) STRICT;
    CREATE INDEX entries_by_repo ON entries (repo, seq);
    CREATE INDEX entries_checkpoints ON entries (seq) WHERE kind = 'checkpoint';
    CREATE TRIGGER entries_refuse_update BEFORE UPDATE ON entries
      BEGIN SELECT RAISE(ABORT, 'changeproof ledger entries are append-only: UPDATE refused'); END;
    CREATE TRIGGER entries_refuse_delete BEFORE DELETE ON entries
      BEGIN SELECT RAISE(ABORT, 'changeproof ledger entries are append-only: DELETE refused'); END;

    -- Which entries a webhook delivery produced: idempotency, not evidence,
    -- so it stays outside the hashed entry (which keeps SPEC \xA73's shape).
    CREATE TABLE deliveries (
      delivery_id TEXT NOT NULL,
      seq         INTEGER NOT NULL REFERENCES entries (seq),
      PRIMARY KEY (delivery_id, seq)
    ) STRICT, WITHOUT ROWID;
    CREATE TRIGGER deliveries_refuse_update BEFORE UPDATE ON deliveries
      BEGIN SELECT RAISE(ABORT, 'changeproof ledger deliveries are append-only: UPDATE refused'); END;
    CREATE TRIGGER deliveries_refuse_delete BEFORE DELETE ON deliveries
      BEGIN SELECT RAISE(ABORT, 'changeproof ledger deliveries are append-only: DELETE refused'); END;
  `
    };
  }
});

// src/ledger/migrations/002-inbox.ts
var inbox;
var init_inbox = __esm({
  "src/ledger/migrations/002-inbox.ts"() {
    "use strict";
    inbox = {
      version: 2,
      name: "inbox",
      sql: `
    CREATE TABLE inbox (
      delivery_id  TEXT PRIMARY KEY,
      event        TEXT NOT NULL,
      payload      TEXT,
      accepted_at  TEXT NOT NULL,
      completed_at TEXT,
      attempts     INTEGER NOT NULL DEFAULT 0,
      last_error   TEXT
    ) STRICT;
    CREATE INDEX inbox_pending ON inbox (accepted_at) WHERE completed_at IS NULL;
  `
    };
  }
});

// src/ledger/migrations/003-subjects.ts
var subjects;
var init_subjects = __esm({
  "src/ledger/migrations/003-subjects.ts"() {
    "use strict";
    subjects = {
      version: 3,
      name: "subjects",
      sql: `
    CREATE TABLE entry_subjects (
      repo    TEXT NOT NULL,
      subject TEXT NOT NULL,
      seq     INTEGER NOT NULL REFERENCES entries (seq),
      PRIMARY KEY (repo, subject, seq)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO entry_subjects (repo, subject, seq)
      SELECT repo, json_extract(body, '$.subject'), seq FROM entries WHERE repo IS NOT NULL;
    CREATE TRIGGER entry_subjects_refuse_update BEFORE UPDATE ON entry_subjects
      BEGIN SELECT RAISE(ABORT, 'changeproof ledger subject index is append-only: UPDATE refused'); END;
    CREATE TRIGGER entry_subjects_refuse_delete BEFORE DELETE ON entry_subjects
      BEGIN SELECT RAISE(ABORT, 'changeproof ledger subject index is append-only: DELETE refused'); END;
  `
    };
  }
});

// src/ledger/migrations/index.ts
var MIGRATIONS;
var init_migrations = __esm({
  "src/ledger/migrations/index.ts"() {
    "use strict";
    init_entries();
    init_inbox();
    init_subjects();
    MIGRATIONS = [entries, inbox, subjects];
  }
});

// src/ledger/migrate.ts
function migrate(db, path, migrations = MIGRATIONS) {
  const from = db.pragma("user_version", { simple: true });
  const appId = db.pragma("application_id", { simple: true });
  const latest = migrations.at(-1)?.version ?? 0;
  if (appId !== LEDGER_APPLICATION_ID && (appId !== 0 || from !== 0 || hasTables(db))) {
    throw new LedgerError(
      "LEDGER_CORRUPT",
      `${path} is a SQLite database, but not a changeproof ledger.`,
      "Point LEDGER_PATH at a changeproof ledger, or at a path where a new one can be created."
    );
  }
  if (from > latest) {
    throw new LedgerError(
      "LEDGER_TOO_NEW",
      `The ledger at ${path} has schema version ${from}; this changeproof knows up to ${latest}.`,
      "Upgrade changeproof; never open a ledger with an older version than the one that wrote it."
    );
  }
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    db.transaction(() => {
      const current = db.pragma("user_version", { simple: true });
      if (current >= migration.version) return;
      if (current !== migration.version - 1) throw new Error(`migration ${migration.version} found schema version ${current}`);
      db.exec(migration.sql);
      if (migration.version === 1) db.pragma(`application_id = ${LEDGER_APPLICATION_ID}`);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return { from, to: Math.max(from, latest) };
}
function hasTables(db) {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' LIMIT 1").get() !== void 0;
}
var LEDGER_APPLICATION_ID;
var init_migrate = __esm({
  "src/ledger/migrate.ts"() {
    "use strict";
    init_errors();
    init_migrations();
    LEDGER_APPLICATION_ID = 1129335879;
  }
});

// src/ledger/sqlite-connection.ts
var sqlite_connection_exports = {};
__export(sqlite_connection_exports, {
  openReadOnly: () => openReadOnly,
  openWritable: () => openWritable
});
import { accessSync as accessSync2, closeSync, constants as constants2, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname as dirname2 } from "node:path";
function openWritable(path, options = {}) {
  const memory = path === ":memory:";
  let db;
  try {
    if (!memory) {
      mkdirSync(dirname2(path), { recursive: true });
      if (existsSync(path)) accessSync2(path, constants2.R_OK | constants2.W_OK);
      keepOwnerOnly(path);
    }
    db = new Database(path, { timeout: options.busyTimeoutMs ?? 5e3 });
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${options.synchronous ?? "FULL"}`);
    migrate(db, path);
    if (options.maxSizeBytes !== void 0) {
      const pageSize = db.pragma("page_size", { simple: true });
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxSizeBytes / pageSize))}`);
    }
    db.exec("BEGIN IMMEDIATE; ROLLBACK");
    return db;
  } catch (error) {
    db?.close();
    throw toLedgerError(error, path, "open");
  }
}
function keepOwnerOnly(path) {
  try {
    closeSync(openSync(path, "wx", 384));
  } catch (error) {
    if (error.code !== "EEXIST") throw error;
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) tightenMode(file);
}
function openReadOnly(path, options = {}) {
  let db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: options.busyTimeoutMs ?? 5e3 });
    const appId = db.pragma("application_id", { simple: true });
    if (appId !== LEDGER_APPLICATION_ID) {
      throw new LedgerError(
        "LEDGER_CORRUPT",
        `${path} is a SQLite database, but not a changeproof ledger.`,
        "Pass the ledger file (LEDGER_PATH of the app) or an NDJSON export."
      );
    }
    const version = db.pragma("user_version", { simple: true });
    const latest = MIGRATIONS.at(-1)?.version ?? 0;
    if (version > latest) {
      throw new LedgerError(
        "LEDGER_TOO_NEW",
        `The ledger at ${path} has schema version ${version}; this changeproof knows up to ${latest}.`,
        "Upgrade changeproof to read it."
      );
    }
    return db;
  } catch (error) {
    db?.close();
    throw toLedgerError(error, path, "read");
  }
}
var init_sqlite_connection = __esm({
  "src/ledger/sqlite-connection.ts"() {
    "use strict";
    init_better_sqlite3();
    init_errors();
    init_file_mode();
    init_migrate();
    init_migrations();
  }
});

// stub:postgres
var postgres_exports = {};
__export(postgres_exports, {
  exportPostgres: () => exportPostgres,
  latestCheckpointPg: () => latestCheckpointPg,
  readCheckpointKeysPg: () => readCheckpointKeysPg,
  verifyPostgres: () => verifyPostgres
});
var refuse, verifyPostgres, exportPostgres, readCheckpointKeysPg, latestCheckpointPg;
var init_postgres = __esm({
  "stub:postgres"() {
    refuse = async () => {
      throw new Error("this standalone verifier reads NDJSON ledgers only: export a PostgreSQL ledger with `changeproof ledger-export --ledger postgres://\u2026`, or use the changeproof CLI");
    };
    verifyPostgres = refuse;
    exportPostgres = refuse;
    readCheckpointKeysPg = refuse;
    latestCheckpointPg = refuse;
  }
});

// src/ledger/signing-key.ts
import { createHash as createHash2, createPrivateKey, createPublicKey as createPublicKey2, generateKeyPairSync } from "node:crypto";
import { basename, dirname as dirname3, extname, join } from "node:path";
function defaultSigningKeyPath(ledgerPath) {
  return join(dirname3(ledgerPath), `${basename(ledgerPath, extname(ledgerPath))}-signing-key.pem`);
}
function publicKeyPathFor(privateKeyPath) {
  return privateKeyPath.replace(/(\.pem)?$/, ".pub.pem");
}
function keyIdOf(publicKey) {
  return createHash2("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex");
}
function publicKeyPem(publicKey) {
  return publicKey.export({ type: "spki", format: "pem" }).toString();
}
function publicKeyFromPem(pem) {
  const key = pem.includes("PRIVATE KEY") ? createPublicKey2(createPrivateKey(pem)) : createPublicKey2(pem);
  if (key.asymmetricKeyType !== "ed25519") {
    throw new Error(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? "an unknown key type"}`);
  }
  return key;
}
var init_signing_key = __esm({
  "src/ledger/signing-key.ts"() {
    "use strict";
    init_errors();
    init_file_mode();
  }
});

// src/core/format.ts
function plural(n2, singular, pluralForm = `${singular}s`) {
  return `${n2} ${n2 === 1 ? singular : pluralForm}`;
}
var init_format = __esm({
  "src/core/format.ts"() {
    "use strict";
  }
});

// stub:rederive
var rederive_exports = {};
__export(rederive_exports, {
  ExportClaimError: () => ExportClaimError,
  rederiveExport: () => rederiveExport
});
async function rederiveExport() {
  throw new Error("re-deriving a package from a ledger needs the changeproof CLI: npx changeproof verify-export DIR --ledger LEDGER --public-key FILE");
}
var ExportClaimError;
var init_rederive = __esm({
  "stub:rederive"() {
    ExportClaimError = class extends Error {
    };
  }
});

// src/ledger/sqlite-reader.ts
function* iterateStored(db, query = {}) {
  const ownTransaction = !db.inTransaction;
  if (ownTransaction) db.exec("BEGIN");
  try {
    const bounds = resolveBounds(db, query);
    if (!bounds || bounds.lo > bounds.hi) return;
    const order = query.order === "desc" ? "DESC" : "ASC";
    const sql = bounds.subject !== null ? `SELECT e.body, e.hash FROM entry_subjects s JOIN entries e ON e.seq = s.seq
         WHERE s.repo = @repo AND s.subject = @subject AND s.seq BETWEEN @lo AND @hi AND ${KINDS} ORDER BY s.seq ${order} LIMIT @limit` : bounds.repo === null ? `${SELECT} WHERE seq BETWEEN @lo AND @hi AND ${KINDS} ORDER BY seq ${order} LIMIT @limit` : `${SELECT} WHERE repo = @repo AND seq BETWEEN @lo AND @hi AND ${KINDS} ORDER BY seq ${order} LIMIT @limit`;
    yield* cached(db, sql).iterate(bounds);
  } finally {
    if (ownTransaction && db.open && db.inTransaction) db.exec("COMMIT");
  }
}
function cached(db, sql) {
  let byText = statements.get(db);
  if (!byText) statements.set(db, byText = /* @__PURE__ */ new Map());
  const known = byText.get(sql);
  if (known && !known.busy) return known;
  const statement = db.prepare(sql);
  if (!known) byText.set(sql, statement);
  return statement;
}
function resolveBounds(db, query) {
  let lo = Math.max(1, query.fromSeq ?? 1);
  let hi = query.toSeq ?? Number.MAX_SAFE_INTEGER;
  if (query.from !== void 0) {
    const first = firstSeqAtOrAfter(db, isoBound(query.from, "from"));
    if (first === null) return null;
    lo = Math.max(lo, first);
  }
  if (query.to !== void 0) {
    const first = firstSeqAtOrAfter(db, isoBound(query.to, "to"));
    if (first !== null) hi = Math.min(hi, first - 1);
  }
  const kinds = query.kinds === void 0 ? null : JSON.stringify(query.kinds);
  if (query.subject !== void 0 && query.repo === void 0) {
    throw new LedgerError("LEDGER_INVALID_ENTRY", "A read by subject needs the repository too.", "Pass { repo, subject }.");
  }
  return { lo, hi, repo: query.repo ?? null, subject: query.subject ?? null, kinds, limit: query.limit ?? -1 };
}
function firstSeqAtOrAfter(db, time) {
  const at = cached(db, "SELECT seq, recorded_at FROM entries WHERE seq >= ? ORDER BY seq LIMIT 1");
  const last = cached(db, "SELECT max(seq) AS seq FROM entries").get()?.seq ?? null;
  if (last === null) return null;
  let lo = 1;
  let hi = last + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row2 = at.get(mid);
    if (row2 && row2.recorded_at < time) lo = row2.seq + 1;
    else hi = mid;
  }
  const row = at.get(lo);
  return row && row.recorded_at >= time ? row.seq : null;
}
var SELECT, KINDS, statements;
var init_sqlite_reader = __esm({
  "src/ledger/sqlite-reader.ts"() {
    "use strict";
    init_entry_text();
    init_errors();
    init_checkpoint();
    SELECT = "SELECT body, hash FROM entries";
    KINDS = "(@kinds IS NULL OR kind IN (SELECT value FROM json_each(@kinds)))";
    statements = /* @__PURE__ */ new WeakMap();
  }
});

// src/export/subject-index.ts
function subjectKey(repo, subject) {
  return `${repo} ${subject}`;
}
function indexSubject(index, repo, subject, seq) {
  if (repo === null || !ITEM_SUBJECT.test(subject)) return;
  const key = subjectKey(repo, subject);
  const seqs = index.get(key);
  if (seqs) seqs.push(seq);
  else index.set(key, [seq]);
}
function localLookup(index) {
  return async (keys) => new Map(keys.map((k) => [k, index.get(k) ?? []]));
}
var ITEM_SUBJECT;
var init_subject_index = __esm({
  "src/export/subject-index.ts"() {
    "use strict";
    ITEM_SUBJECT = /^(?:pull|deployment)\//;
  }
});

// src/ledger/hash.ts
import * as crypto from "node:crypto";
function entryHash(prevHash, body) {
  if (oneShot) return oneShot("sha256", prevHash + body, "hex");
  return crypto.createHash("sha256").update(prevHash + body).digest("hex");
}
var oneShot, GENESIS_HASH;
var init_hash = __esm({
  "src/ledger/hash.ts"() {
    "use strict";
    oneShot = crypto.hash;
    GENESIS_HASH = "0".repeat(64);
  }
});

// src/ledger/chain-verifier.ts
function locate(input) {
  if ("line" in input) return parseEntryLineHeader(input.line);
  return readEntryHeader(input.body) ?? parseEntryBody(input.body)?.header ?? null;
}
function sameHeader(a, b) {
  return a.seq === b.seq && a.recorded_at === b.recorded_at && a.kind === b.kind && a.repo === b.repo;
}
var ChainVerifier;
var init_chain_verifier = __esm({
  "src/ledger/chain-verifier.ts"() {
    "use strict";
    init_canonical();
    init_checkpoint();
    init_entry_text();
    init_hash();
    init_signing_key();
    init_format();
    ChainVerifier = class {
      constructor(options) {
        this.options = options;
        this.trustedKeyId = options.publicKey ? keyIdOf(options.publicKey) : options.keyId?.toLowerCase() ?? null;
        const anchor = options.anchor;
        if (anchor) {
          this.anchorMatched = false;
          const problem = this.anchorProblem(anchor);
          if (problem) this.fail(anchor.size, "bad_signature", `the supplied checkpoint ${problem}`);
        }
      }
      options;
      /** The id of the key the caller trusts, or null. */
      trustedKeyId;
      /** The key id the first checkpoint named: a ledger is signed by one key. */
      claimedKeyId = null;
      /** The last public key a checkpoint carried (its text, the key_id it was checked against, the key). */
      carried = null;
      failure = null;
      /** After a jump forward in seq: the seq that was skipped, to tell a gap from a reorder. */
      missing = null;
      next = null;
      prevHash = GENESIS_HASH;
      lastTime = null;
      entries = 0;
      firstSeq = null;
      checkpoints = 0;
      lastCheckpoint = null;
      /** Checkpoints since the last one verified with a trusted key whose signature could not be checked with one. */
      unchecked = 0;
      anchorMatched = null;
      /** True once a fault was found (further entries are only used to classify it). */
      get failed() {
        return this.failure !== null;
      }
      /** Checks one entry; false once there is no point in feeding more. */
      add(input) {
        if (this.failure) return this.classify(input);
        const line = "line" in input ? input.line : null;
        const text = line ?? input.body;
        const entry = readCanonicalEntry(text, line === null ? "body" : "line", this.prevHash);
        const header = "fault" in entry ? locate(input) : entry.header;
        const expected = this.next ?? (this.options.partial && header ? header.seq : 1);
        if (!header) return this.fail(expected, "malformed", "not a ledger entry (unparseable, or members missing or mistyped)");
        if (header.seq !== expected) return this.outOfOrder(header.seq, expected);
        if (this.next === null && this.options.partial) this.prevHash = header.prev_hash;
        const seq = header.seq;
        const columns = "columns" in input ? input.columns : void 0;
        if (columns && !sameHeader(columns, header)) {
          return this.fail(seq, "index_mismatch", "a column of the entries table disagrees with the hashed entry (filtered reads would be wrong)");
        }
        if (this.lastTime !== null && header.recorded_at < this.lastTime) {
          return this.fail(seq, "reorder", `recorded_at ${header.recorded_at} is earlier than seq ${seq - 1}'s ${this.lastTime}`);
        }
        const notCanonical = "fault" in entry ? entry.fault : this.crossCheck(text);
        if (notCanonical !== null) {
          return this.fail(seq, "malformed", `the entry's text is not exactly its RFC 8785 canonical JSON (${notCanonical}), so JSON readers could disagree on what it says`);
        }
        const canonical = entry;
        const hash2 = entryHash(header.prev_hash, line === null ? text : bodyOf(line, canonical));
        const matches = line === null ? hash2 === input.hash : line.startsWith(hash2, canonical.hashMember.value);
        if (!matches) return this.fail(seq, "hash_mismatch", "the entry's contents do not match its hash: it was altered");
        if (header.prev_hash !== this.prevHash) {
          return this.fail(seq, "hash_mismatch", `prev_hash does not equal the hash of seq ${seq - 1}: the chain is broken here`);
        }
        if (header.kind === "checkpoint" && !this.checkCheckpoint(header, text)) return false;
        if (this.options.anchor?.size === seq) {
          if (hash2 !== this.options.anchor.head_hash) {
            return this.fail(
              seq,
              "checkpoint_inconsistent",
              `the supplied checkpoint (signed ${this.options.anchor.time}) says seq ${seq} has hash ${this.options.anchor.head_hash.slice(0, 16)}\u2026; the data has ${hash2.slice(0, 16)}\u2026: history was rewritten`
            );
          }
          this.anchorMatched = true;
        }
        this.entries += 1;
        this.firstSeq ??= seq;
        this.next = seq + 1;
        this.prevHash = hash2;
        this.lastTime = header.recorded_at;
        return true;
      }
      /** Records a record that could not even be split into body and hash (e.g. a line cut short). */
      addUnreadable(message, cutShort) {
        if (this.failure) return;
        this.fail(this.next ?? 1, cutShort ? "truncated" : "malformed", message);
      }
      finish() {
        if (this.missing !== null) this.missing = null;
        const lastSeq = (this.next ?? 1) - 1;
        const anchor = this.options.anchor;
        if (!this.failure && anchor && anchor.size > lastSeq) {
          this.fail(
            lastSeq + 1,
            "truncated",
            `the supplied checkpoint (signed ${anchor.time}) covers seq 1\u2013${anchor.size}, but the data ends at seq ${lastSeq}: the tail was removed`
          );
        }
        const unsignedTail = lastSeq === 0 ? 0 : lastSeq - (this.lastCheckpoint?.seq ?? (this.firstSeq ?? 1) - 1);
        if (!this.failure && this.options.requireFinalCheckpoint && unsignedTail > 0) {
          this.fail(
            lastSeq - unsignedTail + 1,
            "unsigned_tail",
            `${unsignedTail === 1 ? "1 entry follows" : `${unsignedTail} entries follow`} the last checkpoint; a cleanly closed ledger ends with one (entries may have been cut after it, or the writer stopped abruptly)`
          );
        }
        const warnings = [];
        if (!this.failure && lastSeq === 0) warnings.push("the ledger is empty");
        if (!this.failure && anchor && !this.anchorMatched) {
          warnings.push(`the supplied checkpoint (size ${anchor.size}) lies before this segment, so it was not checked`);
        }
        if (!this.failure && unsignedTail > 0) {
          warnings.push(`${plural(unsignedTail, "entry", "entries")} after the last checkpoint ${unsignedTail === 1 ? "is" : "are"} protected by the hash chain only: whoever can write the file could cut or rewrite them without trace`);
        }
        return {
          ok: this.failure === null,
          failure: this.failure,
          entries: this.entries,
          firstSeq: this.firstSeq,
          lastSeq,
          headHash: this.prevHash,
          checkpoints: this.checkpoints,
          lastCheckpoint: this.lastCheckpoint,
          unsignedTail,
          signatures: this.failure?.reason === "bad_signature" ? "invalid" : this.trustedKeyId !== null && this.unchecked === 0 ? "verified" : "unverified",
          keyId: this.trustedKeyId,
          claimedKeyId: this.claimedKeyId,
          uncheckedCheckpoints: this.unchecked,
          anchorMatched: this.anchorMatched,
          warnings
        };
      }
      /**
       * With `canonical`, an independent cross-check of a text the built-in
       * check accepted: re-serialising it with the `canonicalize` package must
       * give the very same text. Null when it does (or without `canonical`).
       */
      crossCheck(text) {
        if (!this.options.canonical) return null;
        try {
          return canonicalJson(JSON.parse(text)) === text ? null : "it differs from its re-serialisation by the canonicalize package";
        } catch (error) {
          return `it cannot be re-serialised: ${error.message}`;
        }
      }
      /** `text` is the checkpoint entry's canonical text (its body or its line). */
      checkCheckpoint(header, text) {
        const seq = header.seq;
        const checkpoint = parseSignedCheckpoint(JSON.parse(text).data);
        if (!checkpoint) return this.fail(seq, "malformed", "a checkpoint entry whose data is not a signed checkpoint");
        if (header.repo !== null || header.subject !== `checkpoint/${checkpoint.size}`) {
          return this.fail(
            seq,
            "malformed",
            `a checkpoint entry has repo null and subject "checkpoint/${checkpoint.size}" (its size); this one has repo ${JSON.stringify(header.repo)} and subject ${JSON.stringify(header.subject)}`
          );
        }
        const carried = this.carriedKey(checkpoint);
        if (typeof carried === "string") return this.fail(seq, "malformed", `the checkpoint contradicts itself: ${carried}`);
        const since = (this.lastCheckpoint?.seq ?? (this.firstSeq ?? seq) - 1) + 1;
        if (checkpoint.size !== seq - 1 || checkpoint.head_hash !== this.prevHash) {
          const range = [Math.min(since, seq - 1), seq - 1];
          return this.fail(
            seq,
            "checkpoint_inconsistent",
            `the checkpoint signs size ${checkpoint.size} with head ${checkpoint.head_hash.slice(0, 16)}\u2026, but the entries before it give size ${seq - 1} with head ${this.prevHash.slice(0, 16)}\u2026: an entry in seq ${range[0]}\u2013${range[1]} was changed and the chain re-hashed`,
            range
          );
        }
        if (checkpoint.time !== header.recorded_at) {
          return this.fail(seq, "checkpoint_inconsistent", `the checkpoint signs time ${checkpoint.time}, but the entry was recorded at ${header.recorded_at}`);
        }
        if (this.trustedKeyId !== null && checkpoint.key_id !== this.trustedKeyId) {
          return this.fail(seq, "bad_signature", `the checkpoint is signed by key ${checkpoint.key_id.slice(0, 16)}\u2026, not by the given key ${this.trustedKeyId.slice(0, 16)}\u2026`);
        }
        if (this.claimedKeyId !== null && checkpoint.key_id !== this.claimedKeyId) {
          return this.fail(
            seq,
            "bad_signature",
            `the checkpoint names key ${checkpoint.key_id.slice(0, 16)}\u2026, but earlier checkpoints name key ${this.claimedKeyId.slice(0, 16)}\u2026: a ledger is signed by one key`
          );
        }
        this.claimedKeyId = checkpoint.key_id;
        const key = this.options.publicKey ?? carried ?? this.carried?.key ?? null;
        if (key && !checkpointSignatureValid(key, checkpoint)) {
          return this.fail(seq, "bad_signature", "the checkpoint signature is not valid for its statement: it was forged or altered");
        }
        this.unchecked = key && this.trustedKeyId !== null ? 0 : this.unchecked + 1;
        this.checkpoints += 1;
        this.lastCheckpoint = { seq, size: checkpoint.size, time: checkpoint.time };
        return true;
      }
      /** The key a checkpoint carries (read once while it stays the same), null for none, or what is wrong with it. */
      carriedKey(checkpoint) {
        if (checkpoint.public_key === void 0) return null;
        if (this.carried?.text !== checkpoint.public_key || this.carried.keyId !== checkpoint.key_id) {
          const read = readCarriedKey(checkpoint);
          if (!read?.key) return read?.problem ?? null;
          this.carried = { text: checkpoint.public_key, keyId: checkpoint.key_id, key: read.key };
        }
        return this.carried.key;
      }
      /** What is wrong with a checkpoint supplied from outside (`--checkpoint`), or null. */
      anchorProblem(anchor) {
        if (this.trustedKeyId !== null && anchor.key_id !== this.trustedKeyId) {
          return `is signed by key ${anchor.key_id.slice(0, 16)}\u2026, not by the given key ${this.trustedKeyId.slice(0, 16)}\u2026`;
        }
        const carried = readCarriedKey(anchor);
        if (carried?.problem) return `contradicts itself: ${carried.problem}`;
        const key = this.options.publicKey ?? carried?.key ?? null;
        return key && !checkpointSignatureValid(key, anchor) ? "is not validly signed by the given public key" : null;
      }
      outOfOrder(seq, expected) {
        if (seq < expected) return this.fail(expected, "reorder", `seq ${seq} appears again where seq ${expected} belongs`);
        this.missing = expected;
        this.fail(expected, "gap", `seq ${expected} is missing (the next entry is seq ${seq})`);
        return true;
      }
      classify(input) {
        if (this.missing === null || !this.failure) return false;
        const seq = locate(input)?.seq;
        if (seq !== this.missing) return true;
        this.failure = { seq: this.missing, reason: "reorder", message: `seq ${this.missing} is out of order: it appears after later entries` };
        this.missing = null;
        return false;
      }
      fail(seq, reason, message, range) {
        this.failure ??= range ? { seq, reason, message, range } : { seq, reason, message };
        return false;
      }
    };
  }
});

// src/export/verify-index.ts
function verifyAndIndexSqlite(path, publicKeyPem2, toSeq) {
  const verifier = new ChainVerifier({ publicKey: publicKeyFromPem(publicKeyPem2) });
  const subjects2 = /* @__PURE__ */ new Map();
  const db = openReadOnly(path);
  try {
    db.exec("BEGIN");
    const page = db.prepare(
      `SELECT seq, recorded_at, kind, repo, hash, body FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ${PAGE}`
    ).raw();
    pages: for (let after = 0, rows = page.all(after, toSeq); rows.length > 0; after = rows.at(-1)[0], rows = page.all(after, toSeq)) {
      for (const [seq, recorded_at, kind, repo, hash2, body] of rows) {
        if (!verifier.add({ body, hash: hash2, columns: { seq, recorded_at, kind, repo } })) break pages;
        const header = readEntryHeader(body);
        if (header) indexSubject(subjects2, header.repo, header.subject, header.seq);
      }
    }
  } finally {
    if (db.open && db.inTransaction) db.exec("COMMIT");
    db.close();
  }
  return { report: verifier.finish(), subjects: subjects2 };
}
var PAGE;
var init_verify_index = __esm({
  "src/export/verify-index.ts"() {
    "use strict";
    init_chain_verifier();
    init_entry_text();
    init_signing_key();
    init_sqlite_connection();
    init_subject_index();
    PAGE = 1e3;
  }
});

// src/export/sqlite-source.ts
var sqlite_source_exports = {};
__export(sqlite_source_exports, {
  sqliteSource: () => sqliteSource
});
import { existsSync as existsSync3, readFileSync as readFileSync3 } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
function sqliteSource(path, env = process.env, options = {}) {
  const db = openReadOnly(path);
  const bound = (toSeq) => options.toSeq === void 0 ? toSeq : Math.min(toSeq ?? options.toSeq, options.toSeq);
  const guard = function* (rows) {
    try {
      yield* rows();
    } catch (error) {
      throw toLedgerError(error, path, "read");
    }
  };
  return {
    description: path,
    stored: (toSeq) => guard(() => iterateStored(db, bound(toSeq) === void 0 ? {} : { toSeq: bound(toSeq) })),
    async publicKeyPem() {
      if (options.publicKeyPem) return options.publicKeyPem;
      const keyPath = publicKeyPathFor(env["CHANGEPROOF_SIGNING_KEY_PATH"] || defaultSigningKeyPath(path));
      return existsSync3(keyPath) ? readFileSync3(keyPath, "utf8") : null;
    },
    parallel: {
      headSeq: () => bound(db.prepare("SELECT max(seq) AS seq FROM entries").get()?.seq ?? 0),
      verifyAndIndex: (publicKeyPem2, toSeq) => verifyInWorker(path, publicKeyPem2, bound(toSeq)),
      select: (kinds, toSeq) => guard(() => iterateStored(db, { kinds, toSeq: bound(toSeq) })),
      // Through the (repo, seq) index: one step per repository.
      firstOfEachRepo: (toSeq) => guard(() => db.prepare(
        "SELECT e.body, e.hash FROM entries e JOIN (SELECT repo, min(seq) AS seq FROM entries WHERE repo IS NOT NULL AND seq <= ? GROUP BY repo) f ON e.seq = f.seq ORDER BY e.seq"
      ).iterate(bound(toSeq))),
      *bySeq(seqs) {
        const one = db.prepare("SELECT body, hash FROM entries WHERE seq = ?");
        for (const seq of seqs) {
          if (options.toSeq !== void 0 && seq > options.toSeq) continue;
          const row = one.get(seq);
          if (row) yield row;
        }
      }
    },
    async close() {
      db.close();
    }
  };
}
function verifyInWorker(path, publicKeyPem2, toSeq) {
  const script = new URL("./verify-worker.js", import.meta.url);
  if (!existsSync3(fileURLToPath(script))) {
    return new Promise((resolve2, reject) => setImmediate(() => {
      try {
        const { report, subjects: subjects2 } = verifyAndIndexSqlite(path, publicKeyPem2, toSeq);
        resolve2({ report, lookup: localLookup(subjects2), release: async () => void 0 });
      } catch (error) {
        reject(toLedgerError(error, path, "verify"));
      }
    }));
  }
  return new Promise((resolve2, reject) => {
    const worker = new Worker(script, { workerData: { path, publicKeyPem: publicKeyPem2, toSeq }, execArgv: [] });
    const failed = (error) => reject(toLedgerError(error, path, "verify"));
    worker.once("error", failed);
    worker.once("message", (m) => {
      if (!m.ok) {
        failed(Object.assign(new Error(m.message), { code: m.code }));
        void worker.terminate();
        return;
      }
      let asked = false;
      const release = async () => {
        asked = true;
        await worker.terminate();
      };
      const lookup = (keys) => new Promise((answer, refuse2) => {
        if (asked) return answer(/* @__PURE__ */ new Map());
        asked = true;
        worker.off("error", failed);
        worker.once("error", refuse2);
        worker.once("message", (seqs) => {
          answer(new Map(keys.map((k, i) => [k, seqs[i] ?? []])));
          void worker.terminate();
        });
        worker.postMessage(keys);
      });
      resolve2({ report: m.report, lookup, release });
    });
  });
}
var init_sqlite_source = __esm({
  "src/export/sqlite-source.ts"() {
    "use strict";
    init_errors();
    init_signing_key();
    init_sqlite_connection();
    init_sqlite_reader();
    init_subject_index();
    init_verify_index();
  }
});

// src/cli/standalone.ts
import { createHash as createHash8 } from "node:crypto";
import { readFileSync as readFileSync6 } from "node:fs";
import { dirname as dirname4 } from "node:path";
import { fileURLToPath as fileURLToPath2 } from "node:url";

// src/version.ts
var VERSION = true ? "0.1.0" : JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

// src/cli/command.ts
var UsageError = class extends Error {
  name = "UsageError";
};

// src/cli/public-key.ts
import { existsSync as existsSync2, readFileSync as readFileSync2 } from "node:fs";

// src/ledger/checkpoint-keys.ts
init_checkpoint();
init_entry_text();
init_errors();
import { createReadStream } from "node:fs";

// src/ledger/ledger-format.ts
init_errors();
import { open } from "node:fs/promises";

// src/ledger/ledger-location.ts
function isDatabaseUrl(location) {
  return /^postgres(ql)?:\/\//i.test(location);
}
function printableLocation(location) {
  if (!isDatabaseUrl(location)) return location;
  try {
    const url = new URL(location);
    if (url.password) url.password = "***";
    url.search = "";
    return url.toString();
  } catch {
    return "postgres://(unparseable URL)";
  }
}

// src/ledger/ledger-format.ts
var SQLITE_MAGIC = "SQLite format 3\0";
async function detectLedgerFormat(path) {
  if (isDatabaseUrl(path)) return "postgres";
  try {
    const handle = await open(path, "r");
    try {
      const head = Buffer.alloc(SQLITE_MAGIC.length);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return head.toString("latin1", 0, bytesRead) === SQLITE_MAGIC ? "sqlite" : "ndjson";
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new LedgerError(
      "LEDGER_UNAVAILABLE",
      `Cannot read ${path}: ${error.message}.`,
      "Pass the ledger file (SQLite) or an NDJSON export.",
      { cause: error }
    );
  }
}

// src/ledger/ndjson.ts
init_entry_text();
import { isUtf8 } from "node:buffer";
var InvalidUtf8Error = class extends Error {
  constructor(line) {
    super(`line ${line} is not valid UTF-8 (a decoder would read some of its bytes as U+FFFD, so its text, hence its hash, would not be what its bytes say)`);
    this.line = line;
  }
  line;
  name = "InvalidUtf8Error";
};
async function* readNdjsonLines(input) {
  let carry = null;
  let pending = "";
  let number = 0;
  function* take(text) {
    pending += text;
    let start = 0;
    for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n", start)) {
      number += 1;
      const line = pending.charCodeAt(end - 1) === 13 ? pending.slice(start, end - 1) : pending.slice(start, end);
      start = end + 1;
      if (line.length > 0) yield { text: line, number, terminated: true };
    }
    pending = pending.slice(start);
  }
  for await (const chunk of input) {
    if (typeof chunk === "string") {
      yield* take(chunk);
      continue;
    }
    const data = carry === null ? chunk : Buffer.concat([carry, chunk]);
    const cut = completeCharacters(data);
    carry = cut === data.length ? null : Buffer.from(data.subarray(cut));
    const bytes = data.subarray(0, cut);
    if (isUtf8(bytes)) {
      yield* take(bytes.toString("utf8"));
      continue;
    }
    let lineStart = 0;
    for (let end = bytes.indexOf(10); ; end = bytes.indexOf(10, lineStart)) {
      const lineEnd = end < 0 ? bytes.length : end + 1;
      if (!isUtf8(bytes.subarray(lineStart, lineEnd))) break;
      lineStart = lineEnd;
    }
    yield* take(bytes.subarray(0, lineStart).toString("utf8"));
    throw new InvalidUtf8Error(number + 1);
  }
  if (carry !== null) pending += carry.toString("utf8");
  if (pending.length > 0) yield { text: pending, number: number + 1, terminated: false };
}
function completeCharacters(data) {
  for (let i = data.length - 1; i >= 0 && i >= data.length - 4; i--) {
    const byte = data[i];
    if ((byte & 192) === 128) continue;
    const length = byte >= 240 ? 4 : byte >= 224 ? 3 : byte >= 192 ? 2 : 1;
    return data.length - i < length ? i : data.length;
  }
  return data.length;
}
function storedFromLine(text) {
  return splitEntryLine(text);
}
function isCutShort(line) {
  if (line.terminated) return false;
  try {
    JSON.parse(line.text);
    return false;
  } catch {
    return true;
  }
}

// src/ledger/checkpoint-keys.ts
init_sqlite_connection();
async function readCheckpointKeys(path) {
  const claims = [];
  const add = (seq, data) => {
    const checkpoint = parseSignedCheckpoint(data);
    if (checkpoint && typeof seq === "number") claims.push({ seq, keyId: checkpoint.key_id, publicKey: checkpoint.public_key ?? null });
  };
  const format = await detectLedgerFormat(path);
  if (format === "postgres") {
    const { readCheckpointKeysPg: readCheckpointKeysPg2 } = await Promise.resolve().then(() => (init_postgres(), postgres_exports));
    return readCheckpointKeysPg2(path);
  }
  if (format === "ndjson") {
    for await (const line of readNdjsonLines(createReadStream(path))) {
      if (!line.text.includes(',"kind":"checkpoint"')) continue;
      const entry = parseJson(line.text);
      add(entry?.seq, entry?.data);
    }
    return claims.reverse();
  }
  const db = openReadOnly(path);
  try {
    for (const row of db.prepare("SELECT seq, body FROM entries WHERE kind = 'checkpoint' ORDER BY seq DESC").iterate()) {
      add(row.seq, parseEntryBody(row.body)?.data);
    }
  } catch (error) {
    throw toLedgerError(error, path, "read");
  } finally {
    db.close();
  }
  return claims;
}
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
function ledgerKeyFrom(claims) {
  const keyIds = [...new Set(claims.map((c) => c.keyId))];
  if (claims.length === 0) return { found: false, why: "no-checkpoint", message: "the ledger has no checkpoint yet", keyIds };
  if (keyIds.length > 1) {
    const named = keyIds.map((id) => `${id} (seq ${claims.filter((c) => c.keyId === id).map((c) => c.seq).reverse().join(", ")})`);
    return {
      found: false,
      why: "several-keys",
      keyIds,
      message: `its checkpoints name ${keyIds.length} different keys: ${named.join("; ")}. A ledger is signed by one key, so it was altered or pieced together, and nothing in it says which key is right`
    };
  }
  let newest = null;
  for (const claim of claims) {
    if (claim.publicKey === null) continue;
    const carried = readCarriedKey({ key_id: claim.keyId, public_key: claim.publicKey });
    if (!carried?.key) return { found: false, why: "inconsistent", keyIds, message: `the checkpoint at seq ${claim.seq} contradicts itself: ${carried?.problem}` };
    newest ??= { key: carried.key, seq: claim.seq };
  }
  if (!newest) {
    return {
      found: false,
      why: "not-carried",
      keyIds,
      message: `its checkpoints name key ${keyIds[0]} but do not carry it (they were written before checkpoints carried their key)`
    };
  }
  return { found: true, key: newest.key, keyId: keyIds[0], seq: newest.seq, checkpoints: claims.length };
}

// src/cli/public-key.ts
init_errors();

// src/ledger/ledger-path.ts
import { resolve } from "node:path";
function defaultLedgerPath(env = process.env) {
  return resolve(env.LEDGER_PATH || "./data/ledger.db");
}

// src/cli/public-key.ts
init_signing_key();

// src/cli/ledger-cli.ts
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
init_signing_key();

// src/cli/progress.ts
function progressReporter(io, prefix, options = {}) {
  const now = options.now ?? Date.now;
  const every = io.stderr.isTTY ? 100 : options.plainEveryMs ?? 5e3;
  let last = now();
  let shown = false;
  return {
    update(stage, done, total) {
      const t = now();
      if (t - last < every) return;
      last = t;
      const text = `${stage}${done || total ? `: ${describeCount(done, total)}` : ""}`;
      if (io.stderr.isTTY) {
        shown = true;
        io.stderr.write(`\r\x1B[K${text}\u2026`);
      } else {
        io.stderr.write(`${prefix}: ${text}
`);
      }
    },
    done() {
      if (shown) io.stderr.write("\r\x1B[K");
      shown = false;
    }
  };
}
function describeCount(done, total) {
  const n2 = (v) => v.toLocaleString("en-US");
  if (!total) return n2(done);
  return `${n2(done)} of ${n2(total)} (${Math.floor(done / total * 100)}%)`;
}

// src/cli/ledger-cli.ts
function ledgerPathFrom(value, io) {
  return value ?? defaultLedgerPath(io.env);
}
function resolveTrustedKey(publicKeyPath, keyIdText) {
  let keyId = null;
  if (keyIdText !== void 0) {
    if (!/^[0-9a-fA-F]{64}$/.test(keyIdText)) {
      throw new UsageError(`--key-id must be the key's id: 64 hex digits (the SHA-256 of its DER public key), got "${keyIdText}"`);
    }
    keyId = keyIdText.toLowerCase();
  }
  if (publicKeyPath === void 0) return { key: null, keyId, source: keyId === null ? "none" : "key-id", path: null };
  const read = readKey(publicKeyPath);
  if (keyId !== null && keyId !== read.keyId) {
    throw new UsageError(`--public-key ${publicKeyPath} is the key with id ${read.keyId}, but --key-id says ${keyId}: they name different keys`);
  }
  return { key: read.key, keyId: read.keyId, source: "public-key-file", path: publicKeyPath };
}
function readKey(path) {
  let pem;
  try {
    pem = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the public key ${path}: ${error.message}`);
  }
  try {
    const key = publicKeyFromPem(pem);
    return { key, keyId: keyIdOf(key) };
  } catch (error) {
    throw new UsageError(`${path} is not an Ed25519 key in PEM form (${error.message})`);
  }
}
function progressLine(io, label, command = "changeproof") {
  const progress = progressReporter(io, command);
  return {
    update: (count2, total) => progress.update(`${label} (entries)`, count2, total),
    done: () => progress.done()
  };
}
async function sqliteEntryCount(path) {
  try {
    const { openReadOnly: openReadOnly2 } = await Promise.resolve().then(() => (init_sqlite_connection(), sqlite_connection_exports));
    const db = openReadOnly2(path);
    try {
      return db.prepare("SELECT max(seq) AS n FROM entries").get().n ?? 0;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}
function parseOptions(argv, options) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error.message);
  }
}
function count(value, one, many) {
  return `${value.toLocaleString("en-US")} ${value === 1 ? one : many}`;
}

// src/cli/public-key.ts
var HELP = `Usage: changeproof public-key [--ledger PATH|URL] [--json]

Prints the public key (SPKI PEM, after a line naming its id) that the
ledger's checkpoints are signed with, read from the ledger alone (SQLite, PostgreSQL or an NDJSON export): every
checkpoint carries it. No key file is needed, and the private key is never
read. Checkpoints that name different keys are refused.

A key read from the ledger is what the ledger claims, not proof: whoever can
rewrite the ledger can put another key in it. The ledger's operator runs this
and publishes the key (or its id) somewhere the ledger's writer cannot change;
an auditor compares the id printed here with the one obtained from the
operator, then runs \`changeproof verify --key-id ID\` (or --public-key FILE).

A ledger whose checkpoints do not carry their key yet (no checkpoint so far,
or written by an older version) falls back to the public key file the app
keeps beside the ledger (\u2026-signing-key.pub.pem), and says so.

Options:
  --ledger PATH|URL the ledger: SQLite, NDJSON or postgres:// URL (default: $LEDGER_PATH,
                    else ./data/ledger.db)
  --json            print {keyId, pem, source, seq, note}
  -h, --help        show this help`;
var publicKeyCommand = {
  name: "public-key",
  summary: "Print the public key the ledger's checkpoints carry (PEM), to compare with the published one",
  help: HELP,
  async run(argv, io) {
    const values = parseOptions(argv, { ledger: { type: "string" }, json: { type: "boolean" } });
    const path = ledgerPathFrom(values.ledger, io);
    let found;
    try {
      found = ledgerKeyFrom(await readCheckpointKeys(path));
    } catch (error) {
      if (error instanceof LedgerError) throw new UsageError(error.message);
      throw error;
    }
    if (!found.found && (found.why === "several-keys" || found.why === "inconsistent")) {
      io.stderr.write(`changeproof public-key: ${path}: ${found.message}. Ask the ledger's operator for the published key, then run \`changeproof verify --public-key FILE\`.
`);
      return 1;
    }
    let key;
    let source;
    let seq = null;
    if (found.found) {
      ({ key, seq } = found);
      source = `the ledger's checkpoint at seq ${seq} (${found.checkpoints === 1 ? "its only checkpoint" : `all ${found.checkpoints} checkpoints name this key`})`;
    } else {
      const keyHome = isDatabaseUrl(path) ? defaultLedgerPath(io.env) : path;
      const beside = publicKeyPathFor(io.env.CHANGEPROOF_SIGNING_KEY_PATH || defaultSigningKeyPath(keyHome));
      key = readKeyBeside(beside, path, found.message);
      if (found.keyIds.length === 1 && keyIdOf(key) !== found.keyIds[0]) {
        io.stderr.write(`changeproof public-key: ${beside} is the key with id ${keyIdOf(key)}, but the ledger's checkpoints name ${found.keyIds[0]}: it is not the ledger's key.
`);
        return 1;
      }
      source = `${beside}, the public key file beside the ledger (${found.message})`;
    }
    const keyId = keyIdOf(key);
    const note = `This is the key the ledger claims, not proof: compare its id ${keyId} with the one obtained from the ledger's operator, then run \`changeproof verify --key-id ${keyId}\`.`;
    const pem = publicKeyPem(key);
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ keyId, pem, source, seq, note })}
`);
    } else {
      io.stdout.write(`Key id ${keyId} (SHA-256 of the DER public key), as the ledger claims it
${pem}`);
      io.stderr.write(`Read from ${source}.
${note}
`);
    }
    return 0;
  }
};
function readKeyBeside(beside, ledgerPath, why) {
  if (!existsSync2(beside)) {
    throw new UsageError(`${ledgerPath} names no public key (${why}), and there is no public key file at ${beside}; ask the ledger's operator for it`);
  }
  try {
    return publicKeyFromPem(readFileSync2(beside, "utf8"));
  } catch (error) {
    throw new UsageError(`${beside} is not an Ed25519 public key in PEM form (${error.message})`);
  }
}

// src/cli/verify-export.ts
import { existsSync as existsSync4, readFileSync as readFileSync4 } from "node:fs";
import { parseArgs as parseArgs2 } from "node:util";

// src/export/ledger-source.ts
import { createReadStream as createReadStream2, createWriteStream } from "node:fs";
init_errors();
var LedgerSourceError = class extends Error {
  name = "LedgerSourceError";
};
function ndjsonFileSource(path, options = {}) {
  return {
    description: options.description ?? path,
    async *stored(toSeq) {
      let count2 = 0;
      for await (const line of readNdjsonLines(createReadStream2(path, { highWaterMark: 1 << 20 }))) {
        const stored = storedFromLine(line.text);
        if (!stored) throw new LedgerSourceError(`${path}: line ${line.number} is not a ledger entry${line.terminated ? "" : " (cut short: no newline)"}`);
        yield stored;
        if (toSeq !== void 0 && ++count2 >= toSeq) return;
      }
    },
    publicKeyPem: async () => options.publicKeyPem ?? null,
    close: async () => options.onClose?.()
  };
}

// src/export/verify-export.ts
import { createHash as createHash6 } from "node:crypto";
import { createReadStream as createReadStream3 } from "node:fs";
import { lstat, open as open2, stat } from "node:fs/promises";
import { isAbsolute, join as join3 } from "node:path";

// node_modules/csv-parse/lib/index.js
import { Transform } from "stream";

// node_modules/csv-parse/lib/utils/is_object.js
var is_object = function(obj) {
  return typeof obj === "object" && obj !== null && !Array.isArray(obj);
};

// node_modules/csv-parse/lib/api/CsvError.js
var CsvError = class _CsvError extends Error {
  constructor(code, message, options, ...contexts) {
    if (Array.isArray(message)) message = message.join(" ").trim();
    super(message);
    if (Error.captureStackTrace !== void 0) {
      Error.captureStackTrace(this, _CsvError);
    }
    this.code = code;
    for (const context of contexts) {
      for (const key in context) {
        const value = context[key];
        this[key] = Buffer.isBuffer(value) ? value.toString(options.encoding) : value == null ? value : JSON.parse(JSON.stringify(value));
      }
    }
  }
};

// node_modules/csv-parse/lib/api/normalize_columns_array.js
var normalize_columns_array = function(columns) {
  const normalizedColumns = [];
  for (let i = 0, l = columns.length; i < l; i++) {
    const column = columns[i];
    if (column === void 0 || column === null || column === false) {
      normalizedColumns[i] = { disabled: true };
    } else if (typeof column === "string" || typeof column === "number") {
      normalizedColumns[i] = { name: `${column}` };
    } else if (is_object(column)) {
      if (typeof column.name !== "string") {
        throw new CsvError("CSV_OPTION_COLUMNS_MISSING_NAME", [
          "Option columns missing name:",
          `property "name" is required at position ${i}`,
          "when column is an object literal"
        ]);
      }
      normalizedColumns[i] = column;
    } else {
      throw new CsvError("CSV_INVALID_COLUMN_DEFINITION", [
        "Invalid column definition:",
        "expect a string or a literal object,",
        `got ${JSON.stringify(column)} at position ${i}`
      ]);
    }
  }
  return normalizedColumns;
};

// node_modules/csv-parse/lib/utils/ResizeableBuffer.js
var ResizeableBuffer = class {
  constructor(size = 100) {
    this.size = size;
    this.length = 0;
    this.buf = Buffer.allocUnsafe(size);
  }
  prepend(val) {
    if (Buffer.isBuffer(val)) {
      const length = this.length + val.length;
      if (length >= this.size) {
        this.resize();
        if (length >= this.size) {
          throw Error("INVALID_BUFFER_STATE");
        }
      }
      const buf = this.buf;
      this.buf = Buffer.allocUnsafe(this.size);
      val.copy(this.buf, 0);
      buf.copy(this.buf, val.length);
      this.length += val.length;
    } else {
      const length = this.length++;
      if (length === this.size) {
        this.resize();
      }
      const buf = this.clone();
      this.buf[0] = val;
      buf.copy(this.buf, 1, 0, length);
    }
  }
  append(val) {
    const length = this.length++;
    if (length === this.size) {
      this.resize();
    }
    this.buf[length] = val;
  }
  clone() {
    return Buffer.from(this.buf.slice(0, this.length));
  }
  resize() {
    const length = this.length;
    this.size = this.size * 2;
    const buf = Buffer.allocUnsafe(this.size);
    this.buf.copy(buf, 0, 0, length);
    this.buf = buf;
  }
  toString(encoding) {
    if (encoding) {
      return this.buf.toString(encoding, 0, this.length);
    } else {
      return Uint8Array.prototype.slice.call(this.buf.slice(0, this.length));
    }
  }
  toJSON() {
    return this.toString("utf8");
  }
  reset() {
    this.length = 0;
  }
};
var ResizeableBuffer_default = ResizeableBuffer;

// node_modules/csv-parse/lib/api/init_state.js
var init_state = function(options) {
  const timchars = [
    // Basic Latin
    32,
    // [Space](https://www.fileformat.info/info/unicode/char/0020/index.htm)
    9,
    // [CHARACTER TABULATION (HT)](https://www.fileformat.info/info/unicode/char/0009/index.htm)
    10,
    // [LINE FEED (LF)](https://www.fileformat.info/info/unicode/char/000a/index.htm)
    13,
    // [CARRIAGE RETURN (CR)](https://www.fileformat.info/info/unicode/char/000d/index.htm)
    12,
    // [FORM FEED (FF)](https://www.fileformat.info/info/unicode/char/000c/index.htm)
    11,
    // [LINE TABULATION (VT)](https://www.fileformat.info/info/unicode/char/000b/index.htm)
    // Latin-1 Supplement
    160,
    // [NO-BREAK SPACE (NBSP)](https://www.fileformat.info/info/unicode/char/00a0/index.htm)
    // Ogham
    5760,
    // [OGHAM SPACE MARK](https://www.fileformat.info/info/unicode/char/1680/index.htm)
    // General Punctuation
    8192,
    // [EN QUAD](https://www.fileformat.info/info/unicode/char/2000/index.htm)
    8193,
    // [EM QUAD](https://www.fileformat.info/info/unicode/char/2001/index.htm)
    8194,
    // [EN SPACE](https://www.fileformat.info/info/unicode/char/2002/index.htm)
    8195,
    // [EM SPACE](https://www.fileformat.info/info/unicode/char/2003/index.htm)
    8196,
    // [THREE-PER-EM SPACE](https://www.fileformat.info/info/unicode/char/2004/index.htm)
    8197,
    // [FOUR-PER-EM SPACE](https://www.fileformat.info/info/unicode/char/2005/index.htm)
    8198,
    // [SIX-PER-EM SPACE](https://www.fileformat.info/info/unicode/char/2006/index.htm)
    8199,
    // [FIGURE SPACE](https://www.fileformat.info/info/unicode/char/2007/index.htm)
    8200,
    // [PUNCTUATION SPACE](https://www.fileformat.info/info/unicode/char/2008/index.htm)
    8201,
    // [THIN SPACE](https://www.fileformat.info/info/unicode/char/2009/index.htm)
    8202,
    // [HAIR SPACE](https://www.fileformat.info/info/unicode/char/200a/index.htm)
    8232,
    // [LINE SEPARATOR](https://www.fileformat.info/info/unicode/char/2028/index.htm)
    8233,
    // [PARAGRAPH SEPARATOR](https://www.fileformat.info/info/unicode/char/2029/index.htm)
    8239,
    // [NARROW NO-BREAK SPACE (NNBSP)](https://www.fileformat.info/info/unicode/char/202f/index.htm)
    8287,
    // [MEDIUM MATHEMATICAL SPACE (MMSP)](https://www.fileformat.info/info/unicode/char/205f/index.htm)
    12288,
    // [IDEOGRAPHIC SPACE](https://www.fileformat.info/info/unicode/char/3000/index.htm)
    65279
    // [ZERO WIDTH NO-BREAK SPACE (BOM)](https://www.fileformat.info/info/unicode/char/feff/index.htm)
  ].reduce((acc, codepoint) => {
    const encoded = Buffer.from(
      String.fromCharCode(codepoint),
      options.encoding
    );
    if (codepoint !== 63 && encoded.length === 1 && encoded[0] === 63) {
      return acc;
    }
    acc.push(encoded);
    return acc;
  }, []);
  const timcharFirstBytes = new Uint8Array(256);
  for (const t of timchars) timcharFirstBytes[t[0]] = 1;
  return {
    bomSkipped: false,
    bufBytesStart: 0,
    castField: options.cast_function,
    commenting: false,
    delimiterBufPrevious: void 0,
    delimiterDiscovered: false,
    // Current error encountered by a record
    error: void 0,
    enabled: options.from_line === 1,
    escaping: false,
    escapeIsQuote: Buffer.isBuffer(options.escape) && Buffer.isBuffer(options.quote) && Buffer.compare(options.escape, options.quote) === 0,
    // columns can be `false`, `true`, `Array`
    expectedRecordLength: Array.isArray(options.columns) ? options.columns.length : void 0,
    field: new ResizeableBuffer_default(20),
    firstLineToHeaders: options.cast_first_line_to_header,
    needMoreDataSize: Math.max(
      // Skip if the remaining buffer smaller than comment
      options.comment !== null ? options.comment.length : 0,
      ...options.delimiter ? options.delimiter.map((delimiter) => delimiter.length) : [],
      // Auto discovery of delimiter is limited to 1 character
      options.delimiter_auto ? 1 : 0,
      // Skip if the remaining buffer can be escape sequence
      options.quote !== null ? options.quote.length : 0,
      ...timchars.map((t) => t.length)
    ),
    previousBuf: void 0,
    quoting: false,
    stop: false,
    rawBuffer: new ResizeableBuffer_default(100),
    record: [],
    recordHasError: false,
    record_length: 0,
    recordDelimiterMaxLength: options.record_delimiter.length === 0 ? 0 : Math.max(...options.record_delimiter.map((v) => v.length)),
    trimChars: [
      Buffer.from(" ", options.encoding)[0],
      Buffer.from("	", options.encoding)[0]
    ],
    wasQuoting: false,
    wasRowDelimiter: false,
    timchars,
    timcharFirstBytes
  };
};

// node_modules/csv-parse/lib/utils/underscore.js
var underscore = function(str) {
  return str.replace(/([A-Z])/g, function(_, match) {
    return "_" + match.toLowerCase();
  });
};

// node_modules/csv-parse/lib/api/normalize_options.js
var normalize_options = function(opts) {
  const options = {};
  for (const opt in opts) {
    options[underscore(opt)] = opts[opt];
  }
  if (options.encoding === void 0 || options.encoding === true) {
    options.encoding = "utf8";
  } else if (options.encoding === null || options.encoding === false) {
    options.encoding = null;
  } else if (typeof options.encoding !== "string" && options.encoding !== null) {
    throw new CsvError(
      "CSV_INVALID_OPTION_ENCODING",
      [
        "Invalid option encoding:",
        "encoding must be a string or null to return a buffer,",
        `got ${JSON.stringify(options.encoding)}`
      ],
      options
    );
  }
  if (options.bom === void 0 || options.bom === null || options.bom === false) {
    options.bom = false;
  } else if (options.bom !== true) {
    throw new CsvError(
      "CSV_INVALID_OPTION_BOM",
      [
        "Invalid option bom:",
        "bom must be true,",
        `got ${JSON.stringify(options.bom)}`
      ],
      options
    );
  }
  options.cast_function = null;
  if (options.cast === void 0 || options.cast === null || options.cast === false || options.cast === "") {
    options.cast = void 0;
  } else if (typeof options.cast === "function") {
    options.cast_function = options.cast;
    options.cast = true;
  } else if (options.cast !== true) {
    throw new CsvError(
      "CSV_INVALID_OPTION_CAST",
      [
        "Invalid option cast:",
        "cast must be true or a function,",
        `got ${JSON.stringify(options.cast)}`
      ],
      options
    );
  }
  if (options.cast_date === void 0 || options.cast_date === null || options.cast_date === false || options.cast_date === "") {
    options.cast_date = false;
  } else if (options.cast_date === true) {
    options.cast_date = function(value) {
      const date = Date.parse(value);
      return !isNaN(date) ? new Date(date) : value;
    };
  } else if (typeof options.cast_date !== "function") {
    throw new CsvError(
      "CSV_INVALID_OPTION_CAST_DATE",
      [
        "Invalid option cast_date:",
        "cast_date must be true or a function,",
        `got ${JSON.stringify(options.cast_date)}`
      ],
      options
    );
  }
  options.cast_first_line_to_header = void 0;
  if (options.columns === true) {
    options.cast_first_line_to_header = void 0;
  } else if (typeof options.columns === "function") {
    options.cast_first_line_to_header = options.columns;
    options.columns = true;
  } else if (Array.isArray(options.columns)) {
    options.columns = normalize_columns_array(options.columns);
  } else if (options.columns === void 0 || options.columns === null || options.columns === false) {
    options.columns = false;
  } else {
    throw new CsvError(
      "CSV_INVALID_OPTION_COLUMNS",
      [
        "Invalid option columns:",
        "expect an array, a function or true,",
        `got ${JSON.stringify(options.columns)}`
      ],
      options
    );
  }
  if (options.group_columns_by_name === void 0 || options.group_columns_by_name === null || options.group_columns_by_name === false) {
    options.group_columns_by_name = false;
  } else if (options.group_columns_by_name !== true) {
    throw new CsvError(
      "CSV_INVALID_OPTION_GROUP_COLUMNS_BY_NAME",
      [
        "Invalid option group_columns_by_name:",
        "expect an boolean,",
        `got ${JSON.stringify(options.group_columns_by_name)}`
      ],
      options
    );
  } else if (options.columns === false) {
    throw new CsvError(
      "CSV_INVALID_OPTION_GROUP_COLUMNS_BY_NAME",
      [
        "Invalid option group_columns_by_name:",
        "the `columns` mode must be activated."
      ],
      options
    );
  }
  if (options.comment === void 0 || options.comment === null || options.comment === false || options.comment === "") {
    options.comment = null;
  } else {
    if (typeof options.comment === "string") {
      options.comment = Buffer.from(options.comment, options.encoding);
    }
    if (!Buffer.isBuffer(options.comment)) {
      throw new CsvError(
        "CSV_INVALID_OPTION_COMMENT",
        [
          "Invalid option comment:",
          "comment must be a buffer or a string,",
          `got ${JSON.stringify(options.comment)}`
        ],
        options
      );
    }
  }
  if (options.comment_no_infix === void 0 || options.comment_no_infix === null || options.comment_no_infix === false) {
    options.comment_no_infix = false;
  } else if (options.comment_no_infix !== true) {
    throw new CsvError(
      "CSV_INVALID_OPTION_COMMENT",
      [
        "Invalid option comment_no_infix:",
        "value must be a boolean,",
        `got ${JSON.stringify(options.comment_no_infix)}`
      ],
      options
    );
  }
  if (options.delimiter_auto === void 0 || options.delimiter_auto === null || options.delimiter_auto === false) {
    options.delimiter_auto = false;
  } else if (options.delimiter_auto === true) {
    options.delimiter_auto = {};
  } else if (!is_object(options.delimiter_auto)) {
    throw new CsvError(
      "CSV_INVALID_OPTION_DELIMITER_AUTO",
      [
        "Invalid option delimiter_auto:",
        "delimiter_auto must be a boolean or a configuration object,",
        `got ${JSON.stringify(options.delimiter_auto)}`
      ],
      options
    );
  }
  if (options.delimiter_auto) {
    if (options.delimiter_auto.preferred === void 0)
      options.delimiter_auto.preferred = {
        [",".charCodeAt(0)]: 1.8,
        ["	".charCodeAt(0)]: 1.8,
        [";".charCodeAt(0)]: 1.6,
        [" ".charCodeAt(0)]: 1.6,
        [":".charCodeAt(0)]: 1.5,
        [".".charCodeAt(0)]: 1.4,
        ["/".charCodeAt(0)]: 1.4
      };
    else if (!is_object(options.delimiter_auto.preferred)) {
      throw new CsvError(
        "CSV_INVALID_OPTION_DELIMITER_AUTO",
        [
          "Invalid option delimiter_auto:",
          "preferred must be an object,",
          `got ${JSON.stringify(options.delimiter_auto.preferred)}`
        ],
        options
      );
    }
    if (options.delimiter_auto.score === void 0)
      options.delimiter_auto.score = (info, options2) => {
        return (info.total - info.std) * (options2.preferred[info.char_code] || 1);
      };
    else if (typeof options.delimiter_auto.score !== "function") {
      throw new CsvError(
        "CSV_INVALID_OPTION_DELIMITER_AUTO",
        [
          "Invalid option delimiter_auto:",
          "score must be a function,",
          `got ${JSON.stringify(options.delimiter_auto.score)}`
        ],
        options
      );
    }
    if (options.delimiter_auto.size === void 0)
      options.delimiter_auto.size = 2048;
    else if (typeof options.delimiter_auto.size !== "number") {
      throw new CsvError(
        "CSV_INVALID_OPTION_DELIMITER_AUTO",
        [
          "Invalid option delimiter_auto:",
          "size must be a number,",
          `got ${JSON.stringify(options.delimiter_auto.size)}`
        ],
        options
      );
    }
  }
  const delimiter_json = JSON.stringify(options.delimiter);
  if (options.delimiter_auto !== false) {
    options.delimiter = [];
  }
  if (!Array.isArray(options.delimiter)) {
    if (options.delimiter === void 0 || options.delimiter === null || options.delimiter === false) {
      options.delimiter = Buffer.from(",", options.encoding);
    }
    options.delimiter = [options.delimiter];
  }
  options.delimiter = options.delimiter.map(function(delimiter) {
    if (typeof delimiter === "string") {
      delimiter = Buffer.from(delimiter, options.encoding);
    }
    if (!Buffer.isBuffer(delimiter) || delimiter.length === 0) {
      throw new CsvError(
        "CSV_INVALID_OPTION_DELIMITER",
        [
          "Invalid option delimiter:",
          "delimiter must be a non empty string or buffer or array of string|buffer,",
          `got ${delimiter_json}`
        ],
        options
      );
    }
    return delimiter;
  });
  if (options.escape === void 0 || options.escape === true) {
    options.escape = Buffer.from('"', options.encoding);
  } else if (typeof options.escape === "string") {
    options.escape = Buffer.from(options.escape, options.encoding);
  } else if (options.escape === null || options.escape === false) {
    options.escape = null;
  }
  if (options.escape !== null) {
    if (!Buffer.isBuffer(options.escape)) {
      throw new Error(
        `Invalid Option: escape must be a buffer, a string or a boolean, got ${JSON.stringify(options.escape)}`
      );
    }
  }
  if (options.from === void 0 || options.from === null) {
    options.from = 1;
  } else {
    if (typeof options.from === "string" && /\d+/.test(options.from)) {
      options.from = parseInt(options.from);
    }
    if (Number.isInteger(options.from)) {
      if (options.from < 0) {
        throw new Error(
          `Invalid Option: from must be a positive integer, got ${JSON.stringify(opts.from)}`
        );
      }
    } else {
      throw new Error(
        `Invalid Option: from must be an integer, got ${JSON.stringify(options.from)}`
      );
    }
  }
  if (options.from_line === void 0 || options.from_line === null) {
    options.from_line = 1;
  } else {
    if (typeof options.from_line === "string" && /\d+/.test(options.from_line)) {
      options.from_line = parseInt(options.from_line);
    }
    if (Number.isInteger(options.from_line)) {
      if (options.from_line <= 0) {
        throw new Error(
          `Invalid Option: from_line must be a positive integer greater than 0, got ${JSON.stringify(opts.from_line)}`
        );
      }
    } else {
      throw new Error(
        `Invalid Option: from_line must be an integer, got ${JSON.stringify(opts.from_line)}`
      );
    }
  }
  if (options.ignore_last_delimiters === void 0 || options.ignore_last_delimiters === null) {
    options.ignore_last_delimiters = false;
  } else if (typeof options.ignore_last_delimiters === "number") {
    options.ignore_last_delimiters = Math.floor(options.ignore_last_delimiters);
    if (options.ignore_last_delimiters === 0) {
      options.ignore_last_delimiters = false;
    }
  } else if (typeof options.ignore_last_delimiters !== "boolean") {
    throw new CsvError(
      "CSV_INVALID_OPTION_IGNORE_LAST_DELIMITERS",
      [
        "Invalid option `ignore_last_delimiters`:",
        "the value must be a boolean value or an integer,",
        `got ${JSON.stringify(options.ignore_last_delimiters)}`
      ],
      options
    );
  }
  if (options.ignore_last_delimiters === true && options.columns === false) {
    throw new CsvError(
      "CSV_IGNORE_LAST_DELIMITERS_REQUIRES_COLUMNS",
      [
        "The option `ignore_last_delimiters`",
        "requires the activation of the `columns` option"
      ],
      options
    );
  }
  if (options.info === void 0 || options.info === null || options.info === false) {
    options.info = false;
  } else if (options.info !== true) {
    throw new Error(
      `Invalid Option: info must be true, got ${JSON.stringify(options.info)}`
    );
  }
  if (options.max_record_size === void 0 || options.max_record_size === null || options.max_record_size === false) {
    options.max_record_size = 0;
  } else if (Number.isInteger(options.max_record_size) && options.max_record_size >= 0) {
  } else if (typeof options.max_record_size === "string" && /\d+/.test(options.max_record_size)) {
    options.max_record_size = parseInt(options.max_record_size);
  } else {
    throw new Error(
      `Invalid Option: max_record_size must be a positive integer, got ${JSON.stringify(options.max_record_size)}`
    );
  }
  if (options.objname === void 0 || options.objname === null || options.objname === false) {
    options.objname = void 0;
  } else if (Buffer.isBuffer(options.objname)) {
    if (options.objname.length === 0) {
      throw new Error(`Invalid Option: objname must be a non empty buffer`);
    }
    if (options.encoding === null) {
    } else {
      options.objname = options.objname.toString(options.encoding);
    }
  } else if (typeof options.objname === "string") {
    if (options.objname.length === 0) {
      throw new Error(`Invalid Option: objname must be a non empty string`);
    }
  } else if (typeof options.objname === "number") {
  } else {
    throw new Error(
      `Invalid Option: objname must be a string or a buffer, got ${options.objname}`
    );
  }
  if (options.objname !== void 0) {
    if (typeof options.objname === "number") {
      if (options.columns !== false) {
        throw Error(
          "Invalid Option: objname index cannot be combined with columns or be defined as a field"
        );
      }
    } else {
      if (options.columns === false) {
        throw Error(
          "Invalid Option: objname field must be combined with columns or be defined as an index"
        );
      }
    }
  }
  if (options.on_record === void 0 || options.on_record === null) {
    options.on_record = void 0;
  } else if (typeof options.on_record !== "function") {
    throw new CsvError(
      "CSV_INVALID_OPTION_ON_RECORD",
      [
        "Invalid option `on_record`:",
        "expect a function,",
        `got ${JSON.stringify(options.on_record)}`
      ],
      options
    );
  }
  if (options.on_skip !== void 0 && options.on_skip !== null && typeof options.on_skip !== "function") {
    throw new Error(
      `Invalid Option: on_skip must be a function, got ${JSON.stringify(options.on_skip)}`
    );
  }
  if (options.quote === null || options.quote === false || options.quote === "") {
    options.quote = null;
  } else {
    if (options.quote === void 0 || options.quote === true) {
      options.quote = Buffer.from('"', options.encoding);
    } else if (typeof options.quote === "string") {
      options.quote = Buffer.from(options.quote, options.encoding);
    }
    if (!Buffer.isBuffer(options.quote)) {
      throw new Error(
        `Invalid Option: quote must be a buffer or a string, got ${JSON.stringify(options.quote)}`
      );
    }
  }
  if (options.raw === void 0 || options.raw === null || options.raw === false) {
    options.raw = false;
  } else if (options.raw !== true) {
    throw new Error(
      `Invalid Option: raw must be true, got ${JSON.stringify(options.raw)}`
    );
  }
  if (options.record_delimiter === void 0) {
    options.record_delimiter = [];
  } else if (typeof options.record_delimiter === "string" || Buffer.isBuffer(options.record_delimiter)) {
    if (options.record_delimiter.length === 0) {
      throw new CsvError(
        "CSV_INVALID_OPTION_RECORD_DELIMITER",
        [
          "Invalid option `record_delimiter`:",
          "value must be a non empty string or buffer,",
          `got ${JSON.stringify(options.record_delimiter)}`
        ],
        options
      );
    }
    options.record_delimiter = [options.record_delimiter];
  } else if (!Array.isArray(options.record_delimiter)) {
    throw new CsvError(
      "CSV_INVALID_OPTION_RECORD_DELIMITER",
      [
        "Invalid option `record_delimiter`:",
        "value must be a string, a buffer or array of string|buffer,",
        `got ${JSON.stringify(options.record_delimiter)}`
      ],
      options
    );
  }
  options.record_delimiter = options.record_delimiter.map(function(rd, i) {
    if (typeof rd !== "string" && !Buffer.isBuffer(rd)) {
      throw new CsvError(
        "CSV_INVALID_OPTION_RECORD_DELIMITER",
        [
          "Invalid option `record_delimiter`:",
          "value must be a string, a buffer or array of string|buffer",
          `at index ${i},`,
          `got ${JSON.stringify(rd)}`
        ],
        options
      );
    } else if (rd.length === 0) {
      throw new CsvError(
        "CSV_INVALID_OPTION_RECORD_DELIMITER",
        [
          "Invalid option `record_delimiter`:",
          "value must be a non empty string or buffer",
          `at index ${i},`,
          `got ${JSON.stringify(rd)}`
        ],
        options
      );
    }
    if (typeof rd === "string") {
      rd = Buffer.from(rd, options.encoding);
    }
    return rd;
  });
  if (typeof options.relax_column_count === "boolean") {
  } else if (options.relax_column_count === void 0 || options.relax_column_count === null) {
    options.relax_column_count = false;
  } else {
    throw new Error(
      `Invalid Option: relax_column_count must be a boolean, got ${JSON.stringify(options.relax_column_count)}`
    );
  }
  if (typeof options.relax_column_count_less === "boolean") {
  } else if (options.relax_column_count_less === void 0 || options.relax_column_count_less === null) {
    options.relax_column_count_less = false;
  } else {
    throw new Error(
      `Invalid Option: relax_column_count_less must be a boolean, got ${JSON.stringify(options.relax_column_count_less)}`
    );
  }
  if (typeof options.relax_column_count_more === "boolean") {
  } else if (options.relax_column_count_more === void 0 || options.relax_column_count_more === null) {
    options.relax_column_count_more = false;
  } else {
    throw new Error(
      `Invalid Option: relax_column_count_more must be a boolean, got ${JSON.stringify(options.relax_column_count_more)}`
    );
  }
  if (typeof options.relax_quotes === "boolean") {
  } else if (options.relax_quotes === void 0 || options.relax_quotes === null) {
    options.relax_quotes = false;
  } else {
    throw new Error(
      `Invalid Option: relax_quotes must be a boolean, got ${JSON.stringify(options.relax_quotes)}`
    );
  }
  if (typeof options.skip_empty_lines === "boolean") {
  } else if (options.skip_empty_lines === void 0 || options.skip_empty_lines === null) {
    options.skip_empty_lines = false;
  } else {
    throw new Error(
      `Invalid Option: skip_empty_lines must be a boolean, got ${JSON.stringify(options.skip_empty_lines)}`
    );
  }
  if (typeof options.skip_records_with_empty_values === "boolean") {
  } else if (options.skip_records_with_empty_values === void 0 || options.skip_records_with_empty_values === null) {
    options.skip_records_with_empty_values = false;
  } else {
    throw new Error(
      `Invalid Option: skip_records_with_empty_values must be a boolean, got ${JSON.stringify(options.skip_records_with_empty_values)}`
    );
  }
  if (typeof options.skip_records_with_error === "boolean") {
  } else if (options.skip_records_with_error === void 0 || options.skip_records_with_error === null) {
    options.skip_records_with_error = false;
  } else {
    throw new Error(
      `Invalid Option: skip_records_with_error must be a boolean, got ${JSON.stringify(options.skip_records_with_error)}`
    );
  }
  if (options.rtrim === void 0 || options.rtrim === null || options.rtrim === false) {
    options.rtrim = false;
  } else if (options.rtrim !== true) {
    throw new Error(
      `Invalid Option: rtrim must be a boolean, got ${JSON.stringify(options.rtrim)}`
    );
  }
  if (options.ltrim === void 0 || options.ltrim === null || options.ltrim === false) {
    options.ltrim = false;
  } else if (options.ltrim !== true) {
    throw new Error(
      `Invalid Option: ltrim must be a boolean, got ${JSON.stringify(options.ltrim)}`
    );
  }
  if (options.trim === void 0 || options.trim === null || options.trim === false) {
    options.trim = false;
  } else if (options.trim !== true) {
    throw new Error(
      `Invalid Option: trim must be a boolean, got ${JSON.stringify(options.trim)}`
    );
  }
  if (options.trim === true && opts.ltrim !== false) {
    options.ltrim = true;
  } else if (options.ltrim !== true) {
    options.ltrim = false;
  }
  if (options.trim === true && opts.rtrim !== false) {
    options.rtrim = true;
  } else if (options.rtrim !== true) {
    options.rtrim = false;
  }
  if (options.to === void 0 || options.to === null) {
    options.to = -1;
  } else if (options.to !== -1) {
    if (typeof options.to === "string" && /\d+/.test(options.to)) {
      options.to = parseInt(options.to);
    }
    if (Number.isInteger(options.to)) {
      if (options.to <= 0) {
        throw new Error(
          `Invalid Option: to must be a positive integer greater than 0, got ${JSON.stringify(opts.to)}`
        );
      }
    } else {
      throw new Error(
        `Invalid Option: to must be an integer, got ${JSON.stringify(opts.to)}`
      );
    }
  }
  if (options.to_line === void 0 || options.to_line === null) {
    options.to_line = -1;
  } else if (options.to_line !== -1) {
    if (typeof options.to_line === "string" && /\d+/.test(options.to_line)) {
      options.to_line = parseInt(options.to_line);
    }
    if (Number.isInteger(options.to_line)) {
      if (options.to_line <= 0) {
        throw new Error(
          `Invalid Option: to_line must be a positive integer greater than 0, got ${JSON.stringify(opts.to_line)}`
        );
      }
    } else {
      throw new Error(
        `Invalid Option: to_line must be an integer, got ${JSON.stringify(opts.to_line)}`
      );
    }
  }
  return options;
};

// node_modules/csv-parse/lib/utils/delimiter_discover.js
var delimiter_discover = function(records, options) {
  if (!options) {
    ({ delimiter_auto: options } = normalize_options({ delimiter_auto: true }));
  }
  if (typeof records === "string") {
    records = Buffer.from(records);
  }
  if (Buffer.isBuffer(records)) {
    records = ((data) => {
      const records2 = [];
      const parser = transform({ delimiter: [] });
      const push = (record) => records2.push(record);
      const close = () => {
      };
      const error = parser.parse(data, true, push, close);
      if (error !== void 0) throw error;
      return records2;
    })(records);
  }
  const info = Array(127).fill().map(() => ({ lines: [] }));
  records.map(([record], line) => {
    for (let i = 0, l = record.length; i < l; i++) {
      const code = record.charCodeAt(i);
      if (info[code].lines[line] === void 0) info[code].lines[line] = 0;
      info[code].lines[line]++;
    }
  });
  info.map((info2, i) => {
    info2.char_code = i;
    info2.std = std(info2.lines);
    info2.total = info2.lines.reduce((acc, val) => acc + val, 0);
    info2.preferred = !!options.preferred[i];
    info2.score = options.score(info2, options);
  });
  const result = info.reduce(
    (acc, info2) => acc.score > info2.score ? acc : info2,
    {}
  );
  return String.fromCharCode(result.char_code);
};
var std = function(array) {
  const n2 = array.length;
  if (n2 === 0) return 0;
  const mean = array.reduce((a, b) => a + b) / n2;
  return Math.sqrt(
    array.map((x) => Math.pow(x - mean, 2)).reduce((a, b) => a + b) / n2
  );
};

// node_modules/csv-parse/lib/api/index.js
var isRecordEmpty = function(record) {
  return record.every(
    (field) => field == null || field.toString && field.toString().trim() === ""
  );
};
var cr = 13;
var nl = 10;
var boms = {
  // Note, the following are equals:
  // Buffer.from("\ufeff")
  // Buffer.from([239, 187, 191])
  // Buffer.from('EFBBBF', 'hex')
  utf8: Buffer.from([239, 187, 191]),
  // Note, the following are equals:
  // Buffer.from "\ufeff", 'utf16le
  // Buffer.from([255, 254])
  utf16le: Buffer.from([255, 254])
};
var transform = function(original_options = {}) {
  const info = {
    bytes: 0,
    bytes_records: 0,
    comment_lines: 0,
    empty_lines: 0,
    invalid_field_length: 0,
    lines: 1,
    records: 0
  };
  const options = normalize_options(original_options);
  return {
    info,
    original_options,
    options,
    state: init_state(options),
    __needMoreData: function(i, bufLen, end) {
      if (end) return false;
      const { encoding, escape, quote } = this.options;
      const { quoting, needMoreDataSize, recordDelimiterMaxLength } = this.state;
      const numOfCharLeft = bufLen - i - 1;
      const requiredLength = Math.max(
        needMoreDataSize,
        // Skip if the remaining buffer smaller than record delimiter
        // If "record_delimiter" is yet to be discovered:
        // 1. It is equals to `[]` and "recordDelimiterMaxLength" equals `0`
        // 2. We set the length to windows line ending in the current encoding
        // Note, that encoding is known from user or bom discovery at that point
        // recordDelimiterMaxLength,
        recordDelimiterMaxLength === 0 ? Buffer.from("\r\n", encoding).length : recordDelimiterMaxLength,
        // Skip if remaining buffer can be an escaped quote
        quoting ? (escape === null ? 0 : escape.length) + quote.length : 0,
        // Skip if remaining buffer can be record delimiter following the closing quote
        quoting ? quote.length + recordDelimiterMaxLength : 0
      );
      return numOfCharLeft < requiredLength;
    },
    // Central parser implementation
    parse: function(nextBuf, end, push, close) {
      const {
        bom,
        comment_no_infix,
        delimiter_auto,
        encoding,
        from_line,
        ltrim,
        max_record_size,
        raw,
        relax_quotes,
        rtrim,
        skip_empty_lines,
        to,
        to_line
      } = this.options;
      let { comment, escape, quote, record_delimiter } = this.options;
      const {
        bomSkipped,
        delimiterDiscovered,
        delimiterBufPrevious,
        rawBuffer,
        escapeIsQuote
      } = this.state;
      if (!delimiterDiscovered && delimiter_auto) {
        let delimiterBuf;
        if (delimiterBufPrevious === void 0) {
          delimiterBuf = nextBuf;
        } else if (delimiterBufPrevious !== void 0 && nextBuf === void 0) {
          delimiterBuf = delimiterBufPrevious;
        } else {
          delimiterBuf = Buffer.concat([delimiterBufPrevious, nextBuf]);
        }
        nextBuf = void 0;
        if (end || delimiterBuf.length > delimiter_auto.size) {
          this.options.delimiter = [
            Buffer.from(
              delimiter_discover(delimiterBuf, this.options.delimiter_auto)
            )
          ];
          this.state.previousBuf = delimiterBuf;
          this.state.delimiterBufPrevious = void 0;
          this.state.delimiterDiscovered = true;
        } else {
          this.state.delimiterBufPrevious = delimiterBuf;
          return;
        }
      }
      const { previousBuf } = this.state;
      let buf;
      if (previousBuf === void 0) {
        if (nextBuf === void 0) {
          close();
          return;
        } else {
          buf = nextBuf;
        }
      } else if (previousBuf !== void 0 && nextBuf === void 0) {
        buf = previousBuf;
      } else {
        buf = Buffer.concat([previousBuf, nextBuf]);
      }
      if (bomSkipped === false) {
        if (bom === false) {
          this.state.bomSkipped = true;
        } else if (buf.length < 3) {
          if (end === false) {
            this.state.previousBuf = buf;
            return;
          }
        } else {
          for (const encoding2 in boms) {
            if (boms[encoding2].compare(buf, 0, boms[encoding2].length) === 0) {
              const bomLength = boms[encoding2].length;
              this.state.bufBytesStart += bomLength;
              buf = buf.slice(bomLength);
              const options2 = normalize_options({
                ...this.original_options,
                encoding: encoding2
              });
              for (const key in options2) {
                this.options[key] = options2[key];
              }
              ({ comment, escape, quote } = this.options);
              break;
            }
          }
          this.state.bomSkipped = true;
        }
      }
      const bufLen = buf.length;
      let pos;
      for (pos = 0; pos < bufLen; pos++) {
        if (this.__needMoreData(pos, bufLen, end)) {
          break;
        }
        if (this.state.wasRowDelimiter === true) {
          this.info.lines++;
          this.state.wasRowDelimiter = false;
        }
        if (to_line !== -1 && this.info.lines > to_line) {
          this.state.stop = true;
          close();
          return;
        }
        if (this.state.quoting === false && record_delimiter.length === 0) {
          const record_delimiterCount = this.__autoDiscoverRecordDelimiter(
            buf,
            pos
          );
          if (record_delimiterCount) {
            record_delimiter = this.options.record_delimiter;
          }
        }
        const chr = buf[pos];
        if (raw === true) {
          rawBuffer.append(chr);
        }
        if ((chr === cr || chr === nl) && this.state.wasRowDelimiter === false) {
          this.state.wasRowDelimiter = true;
        }
        if (this.state.escaping === true) {
          this.state.escaping = false;
        } else {
          if (escape !== null && this.state.quoting === true && this.__isEscape(buf, pos, chr) && pos + escape.length < bufLen) {
            if (escapeIsQuote) {
              if (this.__isQuote(buf, pos + escape.length)) {
                this.state.escaping = true;
                pos += escape.length - 1;
                continue;
              }
            } else {
              this.state.escaping = true;
              pos += escape.length - 1;
              continue;
            }
          }
          if (this.state.commenting === false && this.__isQuote(buf, pos)) {
            if (this.state.quoting === true) {
              const nextChr = buf[pos + quote.length];
              const isNextChrTrimable = rtrim && this.__isCharTrimable(buf, pos + quote.length);
              const isNextChrComment = comment !== null && this.__compareBytes(comment, buf, pos + quote.length, nextChr);
              const isNextChrDelimiter = this.__isDelimiter(
                buf,
                pos + quote.length,
                nextChr
              );
              const isNextChrRecordDelimiter = record_delimiter.length === 0 ? this.__autoDiscoverRecordDelimiter(buf, pos + quote.length) : this.__isRecordDelimiter(nextChr, buf, pos + quote.length);
              if (escape !== null && this.__isEscape(buf, pos, chr) && this.__isQuote(buf, pos + escape.length)) {
                pos += escape.length - 1;
              } else if (!nextChr || isNextChrDelimiter || isNextChrRecordDelimiter || isNextChrComment || isNextChrTrimable) {
                this.state.quoting = false;
                this.state.wasQuoting = true;
                pos += quote.length - 1;
                continue;
              } else if (relax_quotes === false) {
                const err = this.__error(
                  new CsvError(
                    "CSV_INVALID_CLOSING_QUOTE",
                    [
                      "Invalid Closing Quote:",
                      `got "${String.fromCharCode(nextChr)}"`,
                      `at line ${this.info.lines}`,
                      "instead of delimiter, record delimiter, trimable character",
                      "(if activated) or comment"
                    ],
                    this.options,
                    this.__infoField()
                  )
                );
                if (err !== void 0) return err;
              } else {
                this.state.quoting = false;
                this.state.wasQuoting = true;
                this.state.field.prepend(quote);
                pos += quote.length - 1;
              }
            } else {
              if (this.state.field.length !== 0) {
                if (relax_quotes === false) {
                  const info2 = this.__infoField();
                  const bom2 = Object.keys(boms).map(
                    (b) => boms[b].equals(this.state.field.toString()) ? b : false
                  ).filter(Boolean)[0];
                  const err = this.__error(
                    new CsvError(
                      "INVALID_OPENING_QUOTE",
                      [
                        "Invalid Opening Quote:",
                        `a quote is found on field ${JSON.stringify(info2.column)} at line ${info2.lines}, value is ${JSON.stringify(this.state.field.toString(encoding))}`,
                        bom2 ? `(${bom2} bom)` : void 0
                      ],
                      this.options,
                      info2,
                      {
                        field: this.state.field
                      }
                    )
                  );
                  if (err !== void 0) return err;
                }
              } else {
                this.state.quoting = true;
                pos += quote.length - 1;
                continue;
              }
            }
          }
          if (this.state.quoting === false) {
            const recordDelimiterLength = this.__isRecordDelimiter(
              chr,
              buf,
              pos
            );
            if (recordDelimiterLength !== 0) {
              const skipCommentLine = this.state.commenting && this.state.wasQuoting === false && this.state.record.length === 0 && this.state.field.length === 0;
              if (skipCommentLine) {
                this.info.comment_lines++;
              } else {
                if (this.state.enabled === false && this.info.lines + (this.state.wasRowDelimiter === true ? 1 : 0) >= from_line) {
                  this.state.enabled = true;
                  this.__resetField();
                  this.__resetRecord();
                  pos += recordDelimiterLength - 1;
                  continue;
                }
                if (skip_empty_lines === true && this.state.wasQuoting === false && this.state.record.length === 0 && this.state.field.length === 0) {
                  this.info.empty_lines++;
                  pos += recordDelimiterLength - 1;
                  continue;
                }
                this.info.bytes = this.state.bufBytesStart + pos;
                const errField = this.__onField();
                if (errField !== void 0) return errField;
                this.info.bytes = this.state.bufBytesStart + pos + recordDelimiterLength;
                const errRecord = this.__onRecord(push);
                if (errRecord !== void 0) return errRecord;
                if (to !== -1 && this.info.records >= to) {
                  this.state.stop = true;
                  close();
                  return;
                }
              }
              this.state.commenting = false;
              pos += recordDelimiterLength - 1;
              continue;
            }
            if (this.state.commenting) {
              continue;
            }
            if (comment !== null && (comment_no_infix === false || this.state.record.length === 0 && this.state.field.length === 0)) {
              const commentCount = this.__compareBytes(comment, buf, pos, chr);
              if (commentCount !== 0) {
                this.state.commenting = true;
                continue;
              }
            }
            const delimiterLength = this.__isDelimiter(buf, pos, chr);
            if (delimiterLength !== 0) {
              this.info.bytes = this.state.bufBytesStart + pos;
              const errField = this.__onField();
              if (errField !== void 0) return errField;
              pos += delimiterLength - 1;
              continue;
            }
          }
        }
        if (this.state.commenting === false) {
          if (max_record_size !== 0 && this.state.record_length + this.state.field.length > max_record_size) {
            return this.__error(
              new CsvError(
                "CSV_MAX_RECORD_SIZE",
                [
                  "Max Record Size:",
                  "record exceed the maximum number of tolerated bytes",
                  `of ${max_record_size}`,
                  `at line ${this.info.lines}`
                ],
                this.options,
                this.__infoField()
              )
            );
          }
        }
        const lappend = ltrim === false || this.state.quoting === true || this.state.field.length !== 0 || !this.__isCharTrimable(buf, pos);
        const rappend = rtrim === false || this.state.wasQuoting === false;
        if (lappend === true && rappend === true) {
          this.state.field.append(chr);
        } else if (rtrim === true && !this.__isCharTrimable(buf, pos)) {
          return this.__error(
            new CsvError(
              "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE",
              [
                "Invalid Closing Quote:",
                "found non trimable byte after quote",
                `at line ${this.info.lines}`
              ],
              this.options,
              this.__infoField()
            )
          );
        } else {
          if (lappend === false) {
            pos += this.__isCharTrimable(buf, pos) - 1;
          }
          continue;
        }
      }
      if (end === true) {
        if (this.state.quoting === true) {
          const err = this.__error(
            new CsvError(
              "CSV_QUOTE_NOT_CLOSED",
              [
                "Quote Not Closed:",
                `the parsing is finished with an opening quote at line ${this.info.lines}`
              ],
              this.options,
              this.__infoField()
            )
          );
          if (err !== void 0) return err;
        } else {
          if (this.state.wasQuoting === true || this.state.record.length !== 0 || this.state.field.length !== 0) {
            this.info.bytes = this.state.bufBytesStart + pos;
            const errField = this.__onField();
            if (errField !== void 0) return errField;
            const errRecord = this.__onRecord(push);
            if (errRecord !== void 0) return errRecord;
          } else if (this.state.wasRowDelimiter === true) {
            this.info.empty_lines++;
          } else if (this.state.commenting === true) {
            this.info.comment_lines++;
          }
        }
      } else {
        this.state.bufBytesStart += pos;
        this.state.previousBuf = buf.slice(pos);
      }
      if (this.state.wasRowDelimiter === true) {
        this.info.lines++;
        this.state.wasRowDelimiter = false;
      }
    },
    __onRecord: function(push) {
      const {
        columns,
        group_columns_by_name,
        encoding,
        info: info2,
        from,
        relax_column_count,
        relax_column_count_less,
        relax_column_count_more,
        raw,
        skip_records_with_empty_values
      } = this.options;
      const { enabled, record } = this.state;
      if (enabled === false) {
        return this.__resetRecord();
      }
      const recordLength = record.length;
      if (columns === true) {
        if (skip_records_with_empty_values === true && isRecordEmpty(record)) {
          this.__resetRecord();
          return;
        }
        return this.__firstLineToColumns(record);
      }
      if (columns === false && this.info.records === 0) {
        this.state.expectedRecordLength = recordLength;
      }
      if (recordLength !== this.state.expectedRecordLength) {
        const err = columns === false ? new CsvError(
          "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH",
          [
            "Invalid Record Length:",
            `expect ${this.state.expectedRecordLength},`,
            `got ${recordLength} on line ${this.info.lines}`
          ],
          this.options,
          this.__infoField(),
          {
            record
          }
        ) : new CsvError(
          "CSV_RECORD_INCONSISTENT_COLUMNS",
          [
            "Invalid Record Length:",
            `columns length is ${columns.length},`,
            // rename columns
            `got ${recordLength} on line ${this.info.lines}`
          ],
          this.options,
          this.__infoField(),
          {
            record
          }
        );
        if (relax_column_count === true || relax_column_count_less === true && recordLength < this.state.expectedRecordLength || relax_column_count_more === true && recordLength > this.state.expectedRecordLength) {
          this.info.invalid_field_length++;
          this.state.error = err;
        } else {
          const finalErr = this.__error(err);
          if (finalErr) return finalErr;
        }
      }
      if (skip_records_with_empty_values === true && isRecordEmpty(record)) {
        this.__resetRecord();
        return;
      }
      if (this.state.recordHasError === true) {
        this.__resetRecord();
        this.state.recordHasError = false;
        return;
      }
      this.info.records++;
      if (from === 1 || this.info.records >= from) {
        const { objname } = this.options;
        if (columns !== false) {
          const obj = {};
          for (let i = 0, l = record.length; i < l; i++) {
            if (columns[i] === void 0 || columns[i].disabled) continue;
            if (group_columns_by_name === true && Object.hasOwn(obj, columns[i].name)) {
              if (Array.isArray(obj[columns[i].name])) {
                obj[columns[i].name] = obj[columns[i].name].concat(record[i]);
              } else {
                obj[columns[i].name] = [obj[columns[i].name], record[i]];
              }
            } else {
              Object.defineProperty(obj, columns[i].name, {
                value: record[i],
                enumerable: true,
                writable: true,
                configurable: true
              });
            }
          }
          if (raw === true || info2 === true) {
            const extRecord = Object.assign(
              { record: obj },
              raw === true ? { raw: this.state.rawBuffer.toString(encoding) } : {},
              info2 === true ? { info: this.__infoRecord() } : {}
            );
            const err = this.__push(
              objname === void 0 ? extRecord : [obj[objname], extRecord],
              push
            );
            if (err) {
              return err;
            }
          } else {
            const err = this.__push(
              objname === void 0 ? obj : [obj[objname], obj],
              push
            );
            if (err) {
              return err;
            }
          }
        } else {
          if (raw === true || info2 === true) {
            const extRecord = Object.assign(
              { record },
              raw === true ? { raw: this.state.rawBuffer.toString(encoding) } : {},
              info2 === true ? { info: this.__infoRecord() } : {}
            );
            const err = this.__push(
              objname === void 0 ? extRecord : [record[objname], extRecord],
              push
            );
            if (err) {
              return err;
            }
          } else {
            const err = this.__push(
              objname === void 0 ? record : [record[objname], record],
              push
            );
            if (err) {
              return err;
            }
          }
        }
      }
      this.__resetRecord();
    },
    __firstLineToColumns: function(record) {
      const { firstLineToHeaders } = this.state;
      try {
        const headers = firstLineToHeaders === void 0 ? record : firstLineToHeaders.call(null, record);
        if (!Array.isArray(headers)) {
          return this.__error(
            new CsvError(
              "CSV_INVALID_COLUMN_MAPPING",
              [
                "Invalid Column Mapping:",
                "expect an array from column function,",
                `got ${JSON.stringify(headers)}`
              ],
              this.options,
              this.__infoField(),
              {
                headers
              }
            )
          );
        }
        const normalizedHeaders = normalize_columns_array(headers);
        this.state.expectedRecordLength = normalizedHeaders.length;
        this.options.columns = normalizedHeaders;
        this.__resetRecord();
        return;
      } catch (err) {
        return err;
      }
    },
    __resetRecord: function() {
      if (this.options.raw === true) {
        this.state.rawBuffer.reset();
      }
      this.state.error = void 0;
      this.state.record = [];
      this.state.record_length = 0;
    },
    __onField: function() {
      const { cast, encoding, rtrim, max_record_size } = this.options;
      const { enabled, wasQuoting } = this.state;
      if (enabled === false) {
        return this.__resetField();
      }
      let field = this.state.field.toString(encoding);
      if (rtrim === true && wasQuoting === false) {
        field = field.trimRight();
      }
      if (cast === true) {
        const [err, f] = this.__cast(field);
        if (err !== void 0) return err;
        field = f;
      }
      this.state.record.push(field);
      if (max_record_size !== 0 && typeof field === "string") {
        this.state.record_length += field.length;
      }
      this.__resetField();
    },
    __resetField: function() {
      this.state.field.reset();
      this.state.wasQuoting = false;
    },
    __push: function(record, push) {
      const { on_record } = this.options;
      if (on_record !== void 0) {
        const info2 = this.__infoRecord();
        try {
          record = on_record.call(null, record, info2);
        } catch (err) {
          return err;
        }
        if (record === void 0 || record === null) {
          return;
        }
      }
      this.info.bytes_records += this.info.bytes;
      push(record);
    },
    // Return a tuple with the error and the casted value
    __cast: function(field) {
      const { columns, relax_column_count } = this.options;
      const isColumns = Array.isArray(columns);
      if (isColumns === true && relax_column_count && this.options.columns.length <= this.state.record.length) {
        return [void 0, void 0];
      }
      if (this.state.castField !== null) {
        try {
          const info2 = this.__infoField();
          return [void 0, this.state.castField.call(null, field, info2)];
        } catch (err) {
          return [err];
        }
      }
      if (this.__isFloat(field)) {
        return [void 0, parseFloat(field)];
      } else if (this.options.cast_date !== false) {
        const info2 = this.__infoField();
        return [void 0, this.options.cast_date.call(null, field, info2)];
      }
      return [void 0, field];
    },
    __compareBytes: function(sourceBuf, targetBuf, targetPos, firstByte) {
      if (sourceBuf[0] !== firstByte) return 0;
      const sourceLength = sourceBuf.length;
      for (let i = 1; i < sourceLength; i++) {
        if (sourceBuf[i] !== targetBuf[targetPos + i]) return 0;
      }
      return sourceLength;
    },
    // Helper to test if a character is trimable
    __isCharTrimable: function(buf, pos) {
      const { timchars, timcharFirstBytes } = this.state;
      const first = buf[pos];
      if (first === void 0 || timcharFirstBytes[first] === 0) return 0;
      loop1: for (let i = 0; i < timchars.length; i++) {
        const timchar = timchars[i];
        for (let j = 0; j < timchar.length; j++) {
          if (timchar[j] !== buf[pos + j]) continue loop1;
        }
        return timchar.length;
      }
      return 0;
    },
    __isDelimiter: function(buf, pos, chr) {
      const { delimiter, ignore_last_delimiters } = this.options;
      if (ignore_last_delimiters === true && this.state.record.length === this.options.columns.length - 1) {
        return 0;
      } else if (ignore_last_delimiters !== false && typeof ignore_last_delimiters === "number" && this.state.record.length === ignore_last_delimiters - 1) {
        return 0;
      }
      loop1: for (let i = 0; i < delimiter.length; i++) {
        const del = delimiter[i];
        if (del[0] === chr) {
          for (let j = 1; j < del.length; j++) {
            if (del[j] !== buf[pos + j]) continue loop1;
          }
          return del.length;
        }
      }
      return 0;
    },
    __isEscape: function(buf, pos, chr) {
      const { escape } = this.options;
      if (escape === null) return false;
      const l = escape.length;
      if (escape[0] === chr) {
        for (let i = 0; i < l; i++) {
          if (escape[i] !== buf[pos + i]) {
            return false;
          }
        }
        return true;
      }
      return false;
    },
    __isFloat: function(value) {
      return value - parseFloat(value) + 1 >= 0;
    },
    // Keep it in case we implement the `cast_int` option
    // __isInt(value){
    //   // return Number.isInteger(parseInt(value))
    //   // return !isNaN( parseInt( obj ) );
    //   return /^(\-|\+)?[1-9][0-9]*$/.test(value)
    // }
    __isQuote: function(buf, pos) {
      const { quote } = this.options;
      if (quote === null) return false;
      const l = quote.length;
      for (let i = 0; i < l; i++) {
        if (quote[i] !== buf[pos + i]) {
          return false;
        }
      }
      return true;
    },
    __isRecordDelimiter: function(chr, buf, pos) {
      const { record_delimiter } = this.options;
      const recordDelimiterLength = record_delimiter.length;
      loop1: for (let i = 0; i < recordDelimiterLength; i++) {
        const rd = record_delimiter[i];
        const rdLength = rd.length;
        if (rd[0] !== chr) {
          continue;
        }
        for (let j = 1; j < rdLength; j++) {
          if (rd[j] !== buf[pos + j]) {
            continue loop1;
          }
        }
        return rd.length;
      }
      return 0;
    },
    __autoDiscoverRecordDelimiter: function(buf, pos) {
      const { encoding } = this.options;
      const rds = [
        // Important, the windows line ending must be before mac os 9
        Buffer.from("\r\n", encoding),
        Buffer.from("\n", encoding),
        Buffer.from("\r", encoding)
      ];
      loop: for (let i = 0; i < rds.length; i++) {
        const l = rds[i].length;
        for (let j = 0; j < l; j++) {
          if (rds[i][j] !== buf[pos + j]) {
            continue loop;
          }
        }
        this.options.record_delimiter.push(rds[i]);
        this.state.recordDelimiterMaxLength = rds[i].length;
        return rds[i].length;
      }
      return 0;
    },
    __error: function(msg) {
      const { encoding, raw, skip_records_with_error } = this.options;
      const err = typeof msg === "string" ? new Error(msg) : msg;
      if (skip_records_with_error) {
        this.state.recordHasError = true;
        if (this.options.on_skip !== void 0) {
          try {
            this.options.on_skip(
              err,
              raw ? this.state.rawBuffer.toString(encoding) : void 0
            );
          } catch (err2) {
            return err2;
          }
        }
        return void 0;
      } else {
        return err;
      }
    },
    __infoDataSet: function() {
      return {
        ...this.info,
        columns: this.options.columns
      };
    },
    __infoRecord: function() {
      const { columns, raw, encoding } = this.options;
      return {
        ...this.__infoDataSet(),
        bytes_records: this.info.bytes,
        error: this.state.error,
        header: columns === true,
        index: this.state.record.length,
        raw: raw ? this.state.rawBuffer.toString(encoding) : void 0
      };
    },
    __infoField: function() {
      const { columns } = this.options;
      const isColumns = Array.isArray(columns);
      const bytes_records = this.info.bytes_records;
      return {
        ...this.__infoRecord(),
        bytes_records,
        column: isColumns === true ? columns.length > this.state.record.length ? columns[this.state.record.length].name : null : this.state.record.length,
        quoting: this.state.wasQuoting
      };
    }
  };
};

// node_modules/csv-parse/lib/index.js
var Parser = class extends Transform {
  constructor(opts = {}) {
    super({ ...{ readableObjectMode: true }, ...opts, encoding: null });
    this.api = transform({
      on_skip: (err, chunk) => {
        this.emit("skip", err, chunk);
      },
      ...opts
    });
    this.state = this.api.state;
    this.options = this.api.options;
    this.info = this.api.info;
  }
  // Implementation of `Transform._transform`
  _transform(buf, _, callback) {
    if (this.state.stop === true) {
      return;
    }
    const err = this.api.parse(
      buf,
      false,
      (record) => {
        this.push(record);
      },
      () => {
        this.push(null);
        this.end();
        this.on("end", this.destroy);
      }
    );
    if (err !== void 0) {
      this.state.stop = true;
    }
    callback(err);
  }
  // Implementation of `Transform._flush`
  _flush(callback) {
    if (this.state.stop === true) {
      return;
    }
    const err = this.api.parse(
      void 0,
      true,
      (record) => {
        this.push(record);
      },
      () => {
        this.push(null);
        this.on("end", this.destroy);
      }
    );
    callback(err);
  }
};
var parse = function() {
  let data, options, callback;
  for (const i in arguments) {
    const argument = arguments[i];
    const type = typeof argument;
    if (data === void 0 && (typeof argument === "string" || Buffer.isBuffer(argument))) {
      data = argument;
    } else if (options === void 0 && is_object(argument)) {
      options = argument;
    } else if (callback === void 0 && type === "function") {
      callback = argument;
    } else {
      throw new CsvError(
        "CSV_INVALID_ARGUMENT",
        ["Invalid argument:", `got ${JSON.stringify(argument)} at index ${i}`],
        options || {}
      );
    }
  }
  const parser = new Parser(options);
  if (callback) {
    const records = options === void 0 || options.objname === void 0 ? [] : /* @__PURE__ */ Object.create(null);
    parser.on("readable", function() {
      let record;
      while ((record = this.read()) !== null) {
        if (options === void 0 || options.objname === void 0) {
          records.push(record);
        } else {
          Object.assign(records, {
            [record[0]]: record[1]
            // writable: true,
            // enumerable: true,
            // configurable: true
          });
        }
      }
    });
    parser.on("error", function(err) {
      callback(err, void 0, parser.api.__infoDataSet());
    });
    parser.on("end", function() {
      callback(void 0, records, parser.api.__infoDataSet());
    });
  }
  if (data !== void 0) {
    const writer = function() {
      parser.write(data);
      parser.end();
    };
    if (typeof setImmediate === "function") {
      setImmediate(writer);
    } else {
      setTimeout(writer, 0);
    }
  }
  return parser;
};

// src/export/verify-export.ts
init_checkpoint();
init_signing_key();

// src/sampling/allocate.ts
var RAISE_REASON = "at least one item per stratum";
function allocateStrata(strata, requested) {
  const names = /* @__PURE__ */ new Set();
  for (const s of strata) {
    if (!Number.isSafeInteger(s.population) || s.population < 0) throw new RangeError(`stratum ${s.stratum}: population must be a whole number \u2265 0, got ${s.population}`);
    if (names.has(s.stratum)) throw new RangeError(`stratum ${s.stratum} is given twice`);
    names.add(s.stratum);
  }
  if (!Number.isSafeInteger(requested) || requested < 0) throw new RangeError(`the sample size must be a whole number \u2265 0, got ${requested}`);
  const total = strata.reduce((sum, s) => sum + s.population, 0);
  if (!Number.isSafeInteger(total)) throw new RangeError(`the strata hold ${total} items in all: too many to count exactly`);
  const nonEmpty = strata.filter((s) => s.population > 0).length;
  const size = Math.min(total, Math.max(requested, nonEmpty));
  const raised = size > requested ? { from: requested, to: size, strata: nonEmpty, reason: RAISE_REASON } : null;
  const seats = largestRemainder(strata.filter((s) => s.population > 0), size, total);
  const allocation = strata.map((s) => ({ stratum: s.stratum, population: s.population, sample: seats.get(s.stratum) ?? 0 }));
  return { requested, size, raised, allocation };
}
function largestRemainder(strata, size, total) {
  const N = BigInt(total);
  const rows = strata.map((s) => {
    const quota = BigInt(s.population) * BigInt(size);
    const seats = Math.max(1, Number(quota / N));
    return { stratum: s.stratum, seats, gap: quota - BigInt(seats) * N };
  });
  const assigned = rows.reduce((sum, r) => sum + r.seats, 0);
  if (assigned < size) {
    const order = [...rows].sort((a, b) => compareBig(b.gap, a.gap) || compareNames2(a.stratum, b.stratum));
    for (const row of order.slice(0, size - assigned)) row.seats += 1;
  } else if (assigned > size) {
    takeBack(rows, assigned - size, N);
  }
  return new Map(rows.map((r) => [r.stratum, r.seats]));
}
function takeBack(rows, count2, N) {
  const keys = [];
  for (const row of rows) {
    for (let j = row.seats; j >= 2 && row.seats - j < count2; j--) keys.push({ row, key: row.gap + BigInt(row.seats - j) * N });
  }
  keys.sort((a, b) => compareBig(a.key, b.key) || compareNames2(b.row.stratum, a.row.stratum));
  for (const { row } of keys.slice(0, count2)) row.seats -= 1;
}
function compareBig(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
function compareNames2(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// src/sampling/allocate-v1.ts
function allocateV1(strata, size) {
  const total = strata.reduce((s, x) => s + x.population, 0);
  if (total === 0) return [];
  const target = Math.max(size, Math.min(strata.length, total));
  const rows = strata.map((s) => {
    const exact = s.population * target / total;
    return { ...s, sample: Math.min(s.population, Math.max(1, Math.floor(exact))), remainder: exact - Math.floor(exact) };
  });
  let assigned = rows.reduce((s, r) => s + r.sample, 0);
  const byRemainder = [...rows].sort((a, b) => b.remainder - a.remainder || compare(a.stratum, b.stratum));
  while (assigned < target) {
    const next = byRemainder.find((r) => r.sample < r.population);
    if (!next) break;
    next.sample++;
    next.remainder = -1;
    assigned++;
    byRemainder.sort((a, b) => b.remainder - a.remainder || compare(a.stratum, b.stratum));
  }
  while (assigned > target) {
    const largest = [...rows].filter((r) => r.sample > 1).sort((a, b) => b.sample - a.sample || compare(a.stratum, b.stratum))[0];
    if (!largest) break;
    largest.sample--;
    assigned--;
  }
  return rows.map(({ stratum, population, sample }) => ({ stratum, population, sample }));
}
function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// src/sampling/prng.ts
import { createHash as createHash3 } from "node:crypto";
var PRNG_NAME = "sha256-ctr-v1";
var RANGE = 2 ** 48;
var SeededRandom = class {
  /** @param stream separates independent draws from one seed (e.g. one per stratum) */
  constructor(seed, stream = "main") {
    this.seed = seed;
    this.stream = stream;
  }
  seed;
  stream;
  block = 0;
  digest = null;
  /** The next 48-bit value's index in `digest` (0–3); 4 when it is used up. */
  next = 4;
  /** A uniform integer in [0, n). */
  below(n2) {
    if (!Number.isSafeInteger(n2) || n2 < 1 || n2 > RANGE) throw new RangeError(`below(n) needs 1 \u2264 n \u2264 2^48, got ${n2}`);
    const limit = RANGE - RANGE % n2;
    for (; ; ) {
      const v = this.next48();
      if (v < limit) return v % n2;
    }
  }
  next48() {
    if (this.next === 4) {
      this.digest = createHash3("sha256").update(`${this.seed}:${this.stream}:${this.block++}`, "utf8").digest();
      this.next = 0;
    }
    return this.digest.readUIntBE(6 * this.next++, 6);
  }
};
function shuffle(items, random) {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// src/sampling/select-sample.ts
var SELECTION_ALGORITHM = "fisher-yates-sorted-by-id-v2";
var SELECTION_ALGORITHM_V1 = "fisher-yates-sorted-by-id-v1";
var SELECTION_ALGORITHMS = [SELECTION_ALGORITHM, SELECTION_ALGORITHM_V1];
function selectSample(items, size, seed, strata, algorithm = SELECTION_ALGORITHM) {
  if (!SELECTION_ALGORITHMS.includes(algorithm)) throw new RangeError(`unknown selection algorithm ${JSON.stringify(algorithm)} (this version knows ${SELECTION_ALGORITHMS.join(", ")})`);
  const sorted = [...items].sort((a, b) => compareIds(a.id, b.id));
  if (strata === "none") {
    const n2 = Math.min(size, sorted.length);
    const ids2 = shuffle(sorted, new SeededRandom(seed, "main")).slice(0, n2).map((i) => i.id).sort(compareIds);
    return { method: "random", prng: PRNG_NAME, algorithm, seed, strata, allocation: [{ stratum: "all", population: sorted.length, sample: n2 }], raised: null, ids: ids2 };
  }
  const groups = groupByStratum(sorted, strata);
  const { allocation, raised } = algorithm === SELECTION_ALGORITHM_V1 ? { allocation: allocateV1(countsOf(groups), Math.min(size, sorted.length)), raised: null } : allocateStrata(countsOf(groups), Math.min(size, sorted.length));
  const ids = allocation.flatMap((a) => shuffle(groups.get(a.stratum), new SeededRandom(seed, `stratum:${a.stratum}`)).slice(0, a.sample)).map((i) => i.id).sort(compareIds);
  return { method: "stratified", prng: PRNG_NAME, algorithm, seed, strata, allocation, raised, ids };
}
function countStrata(items, strata) {
  const counts = /* @__PURE__ */ new Map();
  for (const item of items) {
    const key = strata === "month" ? item.month : item.repo;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([stratum, population]) => ({ stratum, population })).sort((a, b) => compareIds(a.stratum, b.stratum));
}
function groupByStratum(sorted, strata) {
  const groups = /* @__PURE__ */ new Map();
  for (const item of sorted) {
    const key = strata === "month" ? item.month : item.repo;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
function countsOf(groups) {
  return [...groups].map(([stratum, group]) => ({ stratum, population: group.length })).sort((a, b) => compareIds(a.stratum, b.stratum));
}
function compareIds(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// src/sampling/sample-size.ts
init_format();
var FREQUENCY_TABLE = [
  { atLeastPerYear: 250, size: 25, frequency: "daily or more often" },
  { atLeastPerYear: 52, size: 10, frequency: "weekly" },
  { atLeastPerYear: 12, size: 3, frequency: "monthly" },
  { atLeastPerYear: 4, size: 2, frequency: "quarterly" },
  { atLeastPerYear: 0, size: 1, frequency: "less than quarterly" }
];
function sampleSize(rule, population, days, stratified = null) {
  const sized = sizeByRule(rule, population, days);
  if (!stratified || stratified.strata === "none") return { ...sized, ruleSize: sized.size, raised: null, allocation: null };
  const strata = stratified.strata;
  const { size, raised, allocation } = allocateStrata(countStrata(stratified.items, strata), sized.size);
  const derivation = raised ? `${sized.derivation}; ${describeRaise(raised, strata)}` : sized.derivation;
  return { size, derivation, ruleSize: sized.size, raised, allocation };
}
function describeRaise(raised, strata) {
  return `raised from ${raised.from} to ${raised.to}: ${raised.reason} (${raised.strata} ${strata} strata)`;
}
function sizeByRule(rule, population, days) {
  const cap = (n2, how) => n2 > population ? { size: population, derivation: `${how}; capped at the population of ${population}` } : { size: n2, derivation: how };
  switch (rule.method) {
    case "fixed":
      return cap(rule.size, `fixed at ${rule.size}`);
    case "statistical": {
      const n2 = statisticalSize(rule.confidence, rule.tolerableRate);
      return cap(n2, `attribute sampling, zero expected deviations: ceil(ln(1 \u2212 ${rule.confidence}) / ln(1 \u2212 ${rule.tolerableRate})) = ${n2}`);
    }
    case "auto": {
      const annualised = population * 365 / days;
      const row = FREQUENCY_TABLE.find((r) => annualised >= r.atLeastPerYear);
      return cap(row.size, `frequency table: ${plural(population, "item", "items")} in ${plural(days, "day", "days")} \u2248 ${annualised.toFixed(1)} a year (${row.frequency}) \u2192 ${row.size}`);
    }
  }
}
function statisticalSize(confidence, tolerableRate) {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be between 0 and 1 (exclusive), got ${confidence}`);
  if (!(tolerableRate > 0 && tolerableRate < 1)) throw new RangeError(`tolerable rate must be between 0 and 1 (exclusive), got ${tolerableRate}`);
  const exact = Math.log(1 - confidence) / Math.log(1 - tolerableRate);
  return Math.ceil(exact - 1e-9);
}

// src/export/manifest.ts
import { readdirSync, statSync as statSync2 } from "node:fs";
import { join as join2, relative, sep } from "node:path";

// src/export/signature.ts
import { createHash as createHash4, createPrivateKey as createPrivateKey2, createPublicKey as createPublicKey3 } from "node:crypto";

// src/ledger/export-signature.ts
init_entry_text();
import { sign as sign2, verify as verify2 } from "node:crypto";
var EXPORT_FORMAT = "changeproof-export/v1";
function exportStatementForDigest(manifestSha256) {
  if (!isHex64(manifestSha256)) throw new Error(`not a lowercase hex SHA-256: ${JSON.stringify(manifestSha256).slice(0, 80)}`);
  return Buffer.from(`${EXPORT_FORMAT}
${manifestSha256}
`, "utf8");
}
function exportDigestSignatureValid(publicKey, manifestSha256, signatureBase64) {
  try {
    return verify2(null, exportStatementForDigest(manifestSha256), publicKey, Buffer.from(signatureBase64.trim(), "base64"));
  } catch {
    return false;
  }
}

// src/export/signature.ts
init_signing_key();
function manifestDigest(manifestBytes) {
  return createHash4("sha256").update(manifestBytes).digest("hex");
}
function exportSignatureValid(publicKey, manifestBytes, signatureBase64) {
  return exportDigestSignatureValid(publicKey, manifestDigest(manifestBytes), signatureBase64);
}

// src/export/manifest.ts
var MANIFEST = "manifest.json";
var SIGNATURE = "manifest.json.sig";
var SUMS = "SHA256SUMS";
function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join2(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
}

// src/export/model.ts
function evidencePath(id) {
  return `evidence/${evidenceFile(id)}`;
}
function evidenceFile(id) {
  return `${id.replace("#", "~pr-").replaceAll("/", "~")}.html`;
}

// src/export/selection-file.ts
import { createHash as createHash5 } from "node:crypto";
var SELECTION_FORMAT = "changeproof-selection/v1";
function populationHash(sortedIds) {
  const hash2 = createHash5("sha256");
  for (let i = 0; i < sortedIds.length; i += 4096) hash2.update(`${sortedIds.slice(i, i + 4096).join("\n")}
`, "utf8");
  return hash2.digest("hex");
}

// src/export/verify-export.ts
init_format();
var VerifyExportUsageError = class extends Error {
  name = "VerifyExportUsageError";
};
var MAX_SMALL_FILE = 64 * 1024 * 1024;
async function verifyExport(dir, options = {}) {
  const checks = [];
  const report = (name, ok, file, detail) => {
    checks.push({ name, ok, file, detail });
    return ok;
  };
  let key = null;
  const done = (populationSize = null, sampleSizeFound = null) => {
    const failed = checks.some((c) => !c.ok);
    const status = failed ? "tampered" : key ? "intact" : "unverified";
    return { ok: status === "intact", status, checks, keyId: key?.keyId ?? null, keySource: key?.source ?? null, populationSize, sampleSize: sampleSizeFound };
  };
  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat?.isDirectory()) throw new VerifyExportUsageError(`${dir} is not a directory`);
  const reader = new PackageReader(dir);
  let manifestBytes;
  let manifest;
  try {
    manifestBytes = await reader.read(MANIFEST, MAX_SMALL_FILE);
    manifest = JSON.parse(manifestBytes.toString("utf8"));
  } catch (error) {
    report("manifest", false, MANIFEST, `cannot read ${MANIFEST}: ${error.message}`);
    return done();
  }
  if (!report(
    "manifest format",
    manifest.format === EXPORT_FORMAT && Array.isArray(manifest.files),
    MANIFEST,
    manifest.format === EXPORT_FORMAT ? `format ${EXPORT_FORMAT}` : `unknown format ${JSON.stringify(manifest.format)}`
  )) return done();
  try {
    key = await auditorKey(options, manifest, reader);
  } catch (error) {
    report("public key", false, options.publicKeyPem ? "--public-key" : "public-key.pem", error.message);
    return done();
  }
  let signature = "";
  try {
    signature = (await reader.read(SIGNATURE, 4096)).toString("utf8");
  } catch {
  }
  if (key) {
    if (!report(
      "signing key",
      manifest.signature?.key_id === key.keyId,
      MANIFEST,
      manifest.signature?.key_id === key.keyId ? `signed by key ${key.keyId} (${key.source === "public-key" ? "the key given" : "the package's key, with the id given"})` : `the manifest names key ${manifest.signature?.key_id ?? "none"}, the key given is ${key.keyId}`
    )) return done();
    const signed = signature !== "" && exportSignatureValid(key.publicKey, manifestBytes, signature);
    if (!report(
      "signature",
      signed,
      SIGNATURE,
      signature === "" ? `${SIGNATURE} is missing or unreadable` : signed ? `valid Ed25519 signature over ${MANIFEST}` : `the signature does not match ${MANIFEST} and the key given: the manifest was changed or signed by another key; nothing else was read`
    )) return done();
  } else {
    checks.push({
      name: "signature",
      ok: true,
      skipped: true,
      file: SIGNATURE,
      detail: "NOT verified: no key was given. Pass the ledger's public key (--public-key FILE, from the app or the ledger's owner) or its id (--key-id HEX); a key inside the package proves nothing by itself"
    });
  }
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  const verified = /* @__PURE__ */ new Set();
  for (const file of manifest.files) {
    const problem = await reader.refuse(file);
    if (problem) {
      report(problem.check, false, String(file.path).slice(0, 200), problem.detail);
      continue;
    }
    const sha = await reader.hash(file.path, file.bytes);
    if (sha === null) {
      report("file present", false, file.path, `${file.path} is listed in the manifest but missing`);
      continue;
    }
    if (report("file hash", sha === file.sha256, file.path, sha === file.sha256 ? `sha256 ${sha}` : `${file.path} was changed: sha256 ${sha}, the manifest says ${file.sha256}`)) verified.add(file.path);
  }
  const present = listFiles(dir);
  for (const path of present) {
    if (!listed.has(path) && path !== MANIFEST && path !== SIGNATURE && path !== SUMS) {
      report("no extra file", false, path, `${path} is not in the manifest: it was added after the export`);
    }
  }
  await checkSums(reader, present, manifestBytes, signature, listed, report);
  const checkpoint = manifest.ledger?.checkpoint ? parseSignedCheckpoint(manifest.ledger.checkpoint) : null;
  if (manifest.ledger?.checkpoint && key) {
    const ok = checkpoint !== null && checkpoint.key_id === key.keyId && checkpointSignatureValid(key.publicKey, checkpoint);
    report("ledger checkpoint", ok, MANIFEST, ok ? `checkpoint at size ${checkpoint.size}, head ${checkpoint.head_hash}, ${checkpoint.time}, signed by the same key` : "the ledger checkpoint recorded in the manifest is not validly signed by the key given");
  }
  const usable = (path) => verified.has(path) || !report(path === "selection.json" ? "selection" : "population", false, path, `${path} is not a verified file of the package: not read`);
  if (!usable("selection.json") || !usable("population.csv")) return done();
  let selectionText;
  let selection;
  try {
    selectionText = (await reader.read("selection.json", listed.get("selection.json").bytes)).toString("utf8");
    selection = JSON.parse(selectionText);
  } catch (error) {
    report("selection", false, "selection.json", `cannot read selection.json: ${error.message}`);
    return done();
  }
  if (!report("selection format", selection.format === SELECTION_FORMAT, "selection.json", `format ${JSON.stringify(selection.format)}`)) return done();
  let items;
  try {
    items = await readColumns(join3(dir, "population.csv"));
  } catch (error) {
    report("population", false, "population.csv", `cannot read population.csv: ${error.message}`);
    return done();
  }
  const ids = items.map((i) => i.id).sort(compareIds);
  const hash2 = populationHash(ids);
  report(
    "population size",
    ids.length === selection.population.size && ids.length === manifest.population?.size,
    "population.csv",
    `${plural(ids.length, "row")}; selection.json says ${selection.population.size}, the manifest ${manifest.population?.size}`
  );
  report(
    "population hash",
    hash2 === selection.population.hash.value,
    "population.csv",
    hash2 === selection.population.hash.value ? `sha256 of the sorted ids ${hash2}` : `the ids hash to ${hash2}, selection.json says ${selection.population.hash.value}`
  );
  report("population ids unique", new Set(ids).size === ids.length, "population.csv", `${new Set(ids).size} distinct of ${ids.length}`);
  if (selection.method === "auditor_list") {
    const known = new Set(ids);
    const unknown = selection.ids.filter((id) => !known.has(id));
    report(
      "auditor selection",
      unknown.length === 0,
      "selection.json",
      unknown.length ? `ids not in the population: ${unknown.slice(0, 5).join(", ")}` : `${plural(selection.ids.length, "id")} chosen by the auditor, all in the population`
    );
  } else {
    const rule = selection.sample_size.rule;
    let expected = null;
    try {
      expected = sampleSize(rule, ids.length, selection.population.period.days, { strata: selection.strata, items });
    } catch (error) {
      report("sample size", false, "selection.json", `the size rule cannot be applied: ${error.message}`);
    }
    if (expected !== null) {
      const recorded = selection.sample_size.raised;
      const sameRaise = recorded === void 0 || (recorded?.from ?? null) === (expected.raised?.from ?? null) && (recorded?.to ?? null) === (expected.raised?.to ?? null);
      const a = selection.algorithm === SELECTION_ALGORITHM_V1 ? null : expected.allocation;
      const sameAllocation = a === null || selection.allocation.length === a.length && a.every((x, i) => x.stratum === selection.allocation[i]?.stratum && x.population === selection.allocation[i]?.population && x.sample === selection.allocation[i]?.sample);
      report(
        "sample size",
        expected.size === selection.sample_size.size && expected.size === selection.ids.length && sameRaise && sameAllocation,
        "selection.json",
        `the rule gives ${expected.ruleSize}${expected.raised ? `, raised to ${expected.size} (${expected.raised.reason}: ${expected.raised.strata} strata)` : ""} for ${plural(ids.length, "item")} in ${plural(selection.population.period.days, "day")}; selection.json has ${selection.ids.length}${sameRaise ? "" : `, raised ${JSON.stringify(recorded)}`}${sameAllocation ? "" : " and another allocation"}`
      );
    }
    if (typeof selection.seed !== "string") {
      report("re-draw", false, "selection.json", "no seed recorded");
    } else {
      const redrawn = selectSample(items, selection.sample_size.size, selection.seed, selection.strata, SELECTION_ALGORITHMS.includes(selection.algorithm) ? selection.algorithm : SELECTION_ALGORITHM);
      const same = redrawn.ids.length === selection.ids.length && redrawn.ids.every((id, i) => id === selection.ids[i]);
      report("re-draw", same, "selection.json", same ? `the seed ${JSON.stringify(selection.seed)} re-draws the same ${plural(redrawn.ids.length, "id")} (${redrawn.prng}, ${redrawn.algorithm}, strata ${redrawn.strata})` : `the seed ${JSON.stringify(selection.seed)} draws ${describeDifference(redrawn.ids, selection.ids)}: selection.json is not the sample this seed gives`);
      report(
        "generator",
        selection.prng === redrawn.prng && selection.algorithm === redrawn.algorithm,
        "selection.json",
        `${selection.prng} / ${selection.algorithm} (this verifier: ${redrawn.prng} / ${redrawn.algorithm})`
      );
    }
  }
  let sampleIds = [];
  if (verified.has("sample.csv")) {
    try {
      sampleIds = (await readColumns(join3(dir, "sample.csv"))).map((i) => i.id);
    } catch (error) {
      report("sample", false, "sample.csv", `cannot read sample.csv: ${error.message}`);
    }
  }
  const sameSample = sampleIds.length === selection.ids.length && [...sampleIds].sort(compareIds).every((id, i) => id === selection.ids[i]);
  report("sample rows", sameSample, "sample.csv", sameSample ? `${plural(sampleIds.length, "row")}, the ids of selection.json` : `sample.csv holds ${describeDifference(sampleIds, selection.ids)}`);
  const missingEvidence = selection.ids.filter((id) => !verified.has(evidencePath(id)));
  report(
    "evidence pages",
    missingEvidence.length === 0,
    missingEvidence.length ? evidencePath(missingEvidence[0]) : "evidence/",
    missingEvidence.length ? `no verified evidence page for ${missingEvidence.slice(0, 5).join(", ")}` : `one page per sampled item (${selection.ids.length})`
  );
  if (options.ledger && key) await rederiveFromLedger(options.ledger, manifestBytes.toString("utf8"), selectionText, key, report);
  return done(ids.length, selection.ids.length);
}
async function rederiveFromLedger(ledger, manifest, selection, key, report) {
  const { ExportClaimError: ExportClaimError2, rederiveExport: rederiveExport2 } = await Promise.resolve().then(() => (init_rederive(), rederive_exports));
  try {
    const derived = await rederiveExport2({ manifest, selection }, { source: ledger, publicKeyPem: key.publicKey.export({ type: "spki", format: "pem" }).toString(), keyId: key.keyId, clock: null });
    if (derived.ok) {
      const pages = derived.rederived.files.filter((f) => f.startsWith("evidence/")).length;
      const files = [...derived.rederived.files.filter((f) => !f.startsWith("evidence/")), plural(pages, "evidence page")];
      report("ledger re-derivation", true, null, `the ledger gives the same ${derived.rederived.fields.join(", ")}, and the same ${files.join(", ")}; not re-derived: ${derived.notRederived.join(", ") || "nothing"}`);
    } else {
      for (const difference of derived.differences) report("ledger re-derivation", false, /^([\w./~@-]+\.(csv|json|html|pem|mjs))\b/.exec(difference)?.[1] ?? null, difference);
    }
  } catch (error) {
    report("ledger re-derivation", false, null, error instanceof ExportClaimError2 ? error.message : `the ledger cannot give this export: ${error.message}`);
  }
}
var PUBLIC_KEY_FILE = "public-key.pem";
async function auditorKey(options, manifest, reader) {
  if (options.publicKeyPem) {
    let publicKey2;
    try {
      publicKey2 = publicKeyFromPem(options.publicKeyPem);
    } catch (error) {
      throw new Error(`the key given is not an Ed25519 public key: ${error.message}`);
    }
    const keyId2 = keyIdOf(publicKey2);
    if (options.keyId && options.keyId !== keyId2) throw new Error(`the key given has id ${keyId2}, not the id given ${options.keyId}`);
    return { publicKey: publicKey2, keyId: keyId2, source: "public-key" };
  }
  if (!options.keyId) return null;
  const named = manifest.signature?.public_key ?? PUBLIC_KEY_FILE;
  if (named !== PUBLIC_KEY_FILE) {
    throw new Error(`the manifest names its public key ${JSON.stringify(String(named).slice(0, 200))}, not ${PUBLIC_KEY_FILE}: refused, not opened`);
  }
  const path = PUBLIC_KEY_FILE;
  let pem;
  try {
    pem = (await reader.read(path, 16 * 1024)).toString("utf8");
  } catch (error) {
    throw new Error(`the package has no readable public key (${path}: ${error.message}) to match the id given; pass --public-key`);
  }
  const publicKey = publicKeyFromPem(pem);
  const keyId = keyIdOf(publicKey);
  if (keyId !== options.keyId) throw new Error(`the package's public key has id ${keyId}, not the id given ${options.keyId}: it was signed with another key`);
  return { publicKey, keyId, source: "key-id" };
}
var pathProblem = (detail) => ({ check: "file path", detail });
var PackageReader = class {
  constructor(dir) {
    this.dir = dir;
  }
  dir;
  /** Why a manifest entry must not be opened, or null when it may. */
  async refuse(file) {
    const path = file.path;
    if (typeof path !== "string" || path === "") return pathProblem("a manifest entry has no path");
    if (isAbsolute(path) || path.startsWith("/") || /^[A-Za-z]:/.test(path)) return pathProblem(`the manifest names an absolute path (${path}): refused, not opened`);
    if (path.includes("\\") || path.includes("\0")) return pathProblem(`the manifest names a path with a backslash or NUL (${JSON.stringify(path)}): refused, not opened`);
    const segments = path.split("/");
    if (segments.some((s) => s === "..")) return pathProblem(`the manifest names a path outside the package (${path}): refused, not opened`);
    if (segments.some((s) => s === "" || s === ".")) return pathProblem(`the manifest names a path that is not plain (${path}): refused, not opened`);
    if (!Number.isSafeInteger(file.bytes) || file.bytes < 0) return pathProblem(`the manifest gives ${path} no valid size: refused`);
    for (let i = 1; i <= segments.length; i++) {
      const info = await lstat(join3(this.dir, ...segments.slice(0, i))).catch(() => null);
      if (!info) return null;
      if (info.isSymbolicLink()) return pathProblem(`${segments.slice(0, i).join("/")} is a symbolic link: refused, not followed`);
      if (i < segments.length && !info.isDirectory()) return pathProblem(`${segments.slice(0, i).join("/")} is not a directory`);
      if (i === segments.length && !info.isFile()) return pathProblem(`${path} is not a regular file (a device, socket, pipe or directory): refused, not read`);
      if (i === segments.length && info.size !== file.bytes) return { check: "file size", detail: `${path} was changed: it is ${info.size} bytes, the manifest says ${file.bytes} (not read)` };
    }
    return null;
  }
  /** SHA-256 of exactly `bytes` bytes of a checked file; null when it is missing. */
  async hash(path, bytes) {
    const handle = await open2(join3(this.dir, path), "r").catch(() => null);
    if (!handle) return null;
    try {
      const hash2 = createHash6("sha256");
      const buffer = Buffer.alloc(Math.min(1 << 20, Math.max(1, bytes)));
      let done = 0;
      while (done < bytes) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, bytes - done), done);
        if (bytesRead === 0) break;
        hash2.update(buffer.subarray(0, bytesRead));
        done += bytesRead;
      }
      return hash2.digest("hex");
    } finally {
      await handle.close();
    }
  }
  /** A small regular file (not a link), at most `limit` bytes. */
  async read(path, limit) {
    const info = await lstat(join3(this.dir, path));
    if (info.isSymbolicLink()) throw new Error(`${path} is a symbolic link`);
    if (!info.isFile()) throw new Error(`${path} is not a regular file`);
    if (info.size > limit) throw new Error(`${path} is ${info.size} bytes, more than the ${limit} read`);
    const handle = await open2(join3(this.dir, path), "r");
    try {
      const buffer = Buffer.alloc(info.size);
      const { bytesRead } = await handle.read(buffer, 0, info.size, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
};
async function checkSums(reader, present, manifestBytes, signature, listed, report) {
  let text;
  try {
    text = (await reader.read(SUMS, MAX_SMALL_FILE)).toString("utf8");
  } catch (error) {
    report("SHA256SUMS", false, SUMS, `${SUMS} is missing or unreadable: ${error.message}`);
    return;
  }
  const sha256 = (bytes) => createHash6("sha256").update(bytes).digest("hex");
  const expected = new Map([...listed.values()].map((f) => [f.path, f.sha256]));
  expected.set(MANIFEST, sha256(manifestBytes));
  if (signature !== "") expected.set(SIGNATURE, sha256(signature));
  const sums = /* @__PURE__ */ new Map();
  let ok = true;
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  let failures = 0;
  const fail2 = (file, detail) => {
    failures += 1;
    ok = report("SHA256SUMS", false, file, detail);
  };
  for (const [i, line] of lines.entries()) {
    if (failures >= 20) {
      report("SHA256SUMS", false, SUMS, `and more: lines ${i + 1} to ${lines.length} were not checked`);
      return;
    }
    const m = line.match(/^([0-9a-f]{64}) [ *](.+)$/);
    if (!m) {
      fail2(SUMS, `line ${i + 1} is malformed: ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    const [, sum, path] = m;
    if (sums.has(path)) fail2(path, `${path} is listed twice in ${SUMS} (line ${i + 1})${sum === expected.get(path) ? "" : ", with another hash"}`);
    else sums.set(path, sum);
    if (!expected.has(path)) fail2(path, `${path} is in ${SUMS}, not in the manifest${present.includes(path) ? "" : " (and missing)"}`);
    else if (expected.get(path) !== sum) fail2(path, `${path} does not match its line ${i + 1} in ${SUMS}`);
  }
  for (const path of expected.keys()) if (!sums.has(path)) ok = report("SHA256SUMS", false, SUMS, `${SUMS} has no line for ${path}`);
  if (ok) report("SHA256SUMS", true, SUMS, `${plural(sums.size, "file")} ${sums.size === 1 ? "matches" : "match"} (sha256sum -c ${SUMS})`);
}
async function readColumns(path) {
  const out = [];
  const parser = createReadStream3(path).pipe(parse({ columns: true, bom: true }));
  for await (const row of parser) {
    if (typeof row["id"] !== "string" || typeof row["repo"] !== "string" || typeof row["month"] !== "string") {
      throw new Error("a row has no id, repo or month column");
    }
    out.push({ id: row["id"], repo: row["repo"], month: row["month"] });
  }
  return out;
}
function describeDifference(actual, expected) {
  const a = new Set(actual);
  const e = new Set(expected);
  const extra = actual.filter((id) => !e.has(id));
  const missing = expected.filter((id) => !a.has(id));
  return `${plural(actual.length, "id")}; not in selection.json: ${extra.slice(0, 3).join(", ") || "none"}; missing: ${missing.slice(0, 3).join(", ") || "none"}`;
}

// src/cli/verify-export.ts
var HELP2 = `Usage: changeproof verify-export DIR (--public-key FILE | --key-id HEX) [--ledger PATH] [--json]

Checks an export package: the manifest's Ed25519 signature, every file's
SHA-256 against the manifest and SHA256SUMS (nothing changed, added or
removed), the ledger checkpoint it names, and the sample \u2014 re-drawn from the
recorded seed over the ids in population.csv, and compared.

Signatures are judged only against a key YOU obtained, outside the package:
  --public-key FILE   the ledger's public key (PEM): from the app
                      (GET /api/changeproof/public-key) or its owner
  --key-id HEX        or the key's id (64 hex): the package's public-key.pem
                      must have exactly that id
Without either, the files are still checked against each other, and the
result is "signatures unverified" (exit 3): a key inside the package proves
nothing by itself.

  --ledger PATH       also re-derive the population, the sample, the exceptions
                      and the evidence pages from this ledger (a SQLite file or
                      an NDJSON export, read up to the head the package names)
                      and compare them with the package, independently of its
                      manifest; needs --public-key or --key-id
  --json              print every check as JSON
  -h, --help          show this help

The package is read as hostile: a bad signature stops the check before any
other file is read, and manifest paths that are absolute, contain "..", or
name a symbolic link or anything but a regular file are refused unopened.

Exit status: 0 intact (signatures verified with your key); 1 tampered (a check
failed); 2 bad usage; 3 signatures unverified (no key given, nothing failed).`;
var verifyExportCommand = {
  name: "verify-export",
  summary: "Verify an export against your key: signature, file hashes, the sample re-drawn from its seed",
  help: HELP2,
  async run(argv, io) {
    let values;
    let positionals;
    try {
      ({ values, positionals } = parseArgs2({
        args: argv,
        allowPositionals: true,
        strict: true,
        options: { "public-key": { type: "string" }, "key-id": { type: "string" }, ledger: { type: "string" }, json: { type: "boolean" } }
      }));
    } catch (error) {
      throw new UsageError(error.message);
    }
    if (positionals.length !== 1) throw new UsageError("give exactly one export directory");
    let publicKeyPem2 = null;
    if (values["public-key"] !== void 0) {
      try {
        publicKeyPem2 = readFileSync4(values["public-key"], "utf8");
      } catch (error) {
        throw new UsageError(`cannot read the public key ${values["public-key"]}: ${error.message}`);
      }
    }
    const keyId = values["key-id"] ?? null;
    if (keyId !== null && !/^[0-9a-f]{64}$/.test(keyId)) throw new UsageError("--key-id must be the key's 64 lowercase hex digits (SHA-256 of its SPKI DER)");
    let ledger = null;
    if (values.ledger !== void 0) {
      if (!publicKeyPem2 && !keyId) throw new UsageError("--ledger needs the ledger's key: give --public-key FILE or --key-id HEX");
      ledger = await ledgerSource(values.ledger, io.env);
    }
    let report;
    try {
      report = await verifyExport(positionals[0], { publicKeyPem: publicKeyPem2, keyId, ledger });
    } catch (error) {
      if (error instanceof VerifyExportUsageError) throw new UsageError(error.message);
      throw error;
    }
    if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}
`);
    else io.stdout.write(describe(report));
    return report.status === "intact" ? 0 : report.status === "unverified" ? 3 : 1;
  }
};
function describe(report) {
  const lines = [];
  const failed = report.checks.filter((c) => !c.ok);
  if (report.status === "intact") {
    lines.push(`Export intact: ${report.checks.length} checks passed; population ${report.populationSize}, sample ${report.sampleSize}; signed by key ${report.keyId} (${report.keySource === "public-key" ? "the key given" : "the id given"}).`);
    for (const c of report.checks) lines.push(`  \u2713 ${c.name}: ${c.detail}`);
  } else if (report.status === "unverified") {
    lines.push(`Signatures UNVERIFIED: the files agree with each other (${report.checks.length - 1} checks), but no key was given, so nothing shows who made them.`);
    lines.push("  Give the ledger's public key (--public-key FILE) or its id (--key-id HEX), obtained from the app or its owner.");
    for (const c of report.checks) lines.push(`  ${c.skipped ? "?" : "\u2713"} ${c.name}: ${c.detail}`);
  } else {
    lines.push(`Export NOT intact: ${failed.length} of ${report.checks.length} checks failed.`);
    for (const c of failed) lines.push(`  \u2717 ${c.file ?? ""}: ${c.name}: ${c.detail}`);
  }
  return `${lines.join("\n")}
`;
}
async function ledgerSource(path, env) {
  if (!existsSync4(path)) throw new UsageError(`the ledger ${path} does not exist`);
  if (await detectLedgerFormat(path) === "sqlite") {
    const { sqliteSource: sqliteSource2 } = await Promise.resolve().then(() => (init_sqlite_source(), sqlite_source_exports));
    return (toSeq) => sqliteSource2(path, env, { toSeq });
  }
  return (toSeq) => {
    const source = ndjsonFileSource(path);
    return { ...source, stored: (bound) => source.stored(Math.min(bound ?? toSeq, toSeq)) };
  };
}

// src/cli/verify.ts
init_checkpoint();
init_errors();
import { readFileSync as readFileSync5 } from "node:fs";

// src/ledger/verify.ts
init_chain_verifier();
init_errors();
import { createReadStream as createReadStream4 } from "node:fs";

// src/ledger/verify-ndjson.ts
init_chain_verifier();
var PROGRESS_EVERY = 8192;
async function verifyNdjson(input, options) {
  const verifier = new ChainVerifier(options);
  let count2 = 0;
  try {
    for await (const line of readNdjsonLines(input)) {
      if (isCutShort(line)) {
        verifier.addUnreadable(`line ${line.number} is cut short (no newline, not JSON)`, true);
        break;
      }
      if (!verifier.add({ line: line.text })) break;
      if (++count2 % PROGRESS_EVERY === 0) options.onProgress?.(count2);
    }
  } catch (error) {
    if (!(error instanceof InvalidUtf8Error)) throw error;
    verifier.addUnreadable(error.message, false);
  }
  return verifier.finish();
}

// src/ledger/verify.ts
init_sqlite_connection();
var PROGRESS_EVERY2 = 8192;
var PAGE2 = 1e3;
async function verifyLedger(source, options) {
  if (typeof source !== "string") return { ...await verifyNdjson(source, options), format: "ndjson" };
  const format = await detectLedgerFormat(source);
  if (format === "postgres") {
    const { verifyPostgres: verifyPostgres2 } = await Promise.resolve().then(() => (init_postgres(), postgres_exports));
    return { ...await verifyPostgres2(source, options), format };
  }
  if (format === "ndjson") return { ...await verifyNdjson(createReadStream4(source), options), format };
  const verifier = new ChainVerifier(options);
  feedSqlite(verifier, source, options.onProgress);
  return { ...verifier.finish(), format };
}
function feedSqlite(verifier, path, onProgress) {
  const db = openReadOnly(path);
  let count2 = 0;
  try {
    db.exec("BEGIN");
    const page = db.prepare(
      `SELECT seq, recorded_at, kind, repo, hash, body FROM entries WHERE seq > ? ORDER BY seq LIMIT ${PAGE2}`
    ).raw();
    for (let after = 0, rows = page.all(after); rows.length > 0; after = rows.at(-1)[0], rows = page.all(after)) {
      for (const [seq, recorded_at, kind, repo, hash2, body] of rows) {
        if (!verifier.add({ body, hash: hash2, columns: { seq, recorded_at, kind, repo } })) return;
        if (++count2 % PROGRESS_EVERY2 === 0) onProgress?.(count2);
      }
    }
  } catch (error) {
    const code = String(error.code ?? "");
    if (!code.startsWith("SQLITE_CORRUPT")) throw toLedgerError(error, path, "verify");
    verifier.addUnreadable(`the SQLite file is damaged: ${error.message}`, false);
  } finally {
    db.close();
  }
}

// src/cli/verify.ts
var HELP3 = `Usage: changeproof verify [--ledger PATH|FILE.ndjson|-] (--public-key FILE | --key-id HEX) [options]

Checks a ledger, entry by entry: every entry's text is exactly its canonical
JSON, hashes to its stored hash and links to the one before it, in order;
every signed checkpoint matches the entries it covers and is signed by the
key you trust. Reports the FIRST bad sequence number and why.

Signatures are judged only against a key you obtained yourself, from the
ledger's operator, not from the ledger's folder: a key stored with the data
proves nothing, since whoever can rewrite the ledger can replace it too.

Options:
  --ledger PATH|URL         SQLite ledger, NDJSON export, or postgres:// URL; "-" reads
                            NDJSON from stdin (default: $LEDGER_PATH, else ./data/ledger.db)
  --public-key FILE         the ledger's public key (PEM) as you obtained it
  --key-id HEX              or only its id (64 hex digits, as \`changeproof public-key\`
                            prints it): the public key is then taken from the ledger's
                            checkpoints, and must have exactly this id
  --checkpoint FILE         a signed checkpoint kept elsewhere (\`changeproof checkpoint\`):
                            the ledger must contain it; this is what detects a cut tail
  --require-final-checkpoint
                            fail if entries follow the last checkpoint (a ledger
                            closed cleanly ends with one)
  --canonical               also re-serialise every entry with an independent RFC 8785
                            library and compare (slower; what the recipe in
                            docs/ledger.md does; the same verdicts)
  --partial                 accept a segment that does not start at seq 1
  --json                    print the report as JSON
  -h, --help                show this help

Without --public-key or --key-id, everything but the signatures is checked and
the result is "signatures unverified".

Exit status: 0 intact, signatures verified with your key; 1 not intact (an entry
changed, removed, reordered or malformed, a bad signature, or a checkpoint
signed by another key than yours); 2 bad usage or a file that cannot be read;
3 intact as far as checked, but signatures unverified (no key given, or entries
that no checkpoint signs yet: an empty ledger exits 0).`;
var EXIT = { intact: 0, tampered: 1, "signatures unverified": 3 };
var verifyCommand = {
  name: "verify",
  summary: "Verify a ledger (SQLite or NDJSON) against your copy of its public key",
  help: HELP3,
  async run(argv, io) {
    const values = parseOptions(argv, {
      ledger: { type: "string" },
      "public-key": { type: "string" },
      "key-id": { type: "string" },
      checkpoint: { type: "string" },
      "require-final-checkpoint": { type: "boolean" },
      canonical: { type: "boolean" },
      partial: { type: "boolean" },
      json: { type: "boolean" }
    });
    const stdin = values.ledger === "-";
    const path = stdin ? "-" : ledgerPathFrom(values.ledger, io);
    let format;
    try {
      format = stdin ? "ndjson" : await detectLedgerFormat(path);
    } catch (error) {
      throw new UsageError(error instanceof LedgerError ? error.message : String(error));
    }
    const trusted = resolveTrustedKey(values["public-key"], values["key-id"]);
    const anchor = values.checkpoint === void 0 ? void 0 : readCheckpoint(values.checkpoint);
    const progress = progressLine(io, "verified", "changeproof verify");
    const total = format === "sqlite" ? await sqliteEntryCount(path) : null;
    let report;
    try {
      report = await verifyLedger(stdin ? process.stdin : path, {
        publicKey: trusted.key ?? void 0,
        keyId: trusted.keyId ?? void 0,
        anchor,
        canonical: values.canonical,
        partial: values.partial,
        requireFinalCheckpoint: values["require-final-checkpoint"],
        onProgress: (n2) => progress.update(n2, total)
      });
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      if (error.code !== "LEDGER_CORRUPT") throw new UsageError(error.message);
      return fail(io, values.json, path, trusted, error.message);
    } finally {
      progress.done();
    }
    const signatures = unsigned(report) ? "unverified" : report.signatures;
    const status = report.failure ? "tampered" : signatures === "verified" ? "intact" : "signatures unverified";
    if (values.json) {
      const { ok: _chainOk, ...rest } = report;
      io.stdout.write(`${JSON.stringify({ ledger: printableLocation(path), format, status, ok: status === "intact", publicKey: describeKey(trusted), ...rest, signatures }, null, 2)}
`);
    } else {
      io.stdout.write(`${renderReport(report, status, trusted)}
`);
    }
    return EXIT[status];
  }
};
function unsigned(r) {
  return r.failure === null && r.keyId !== null && r.entries > 0 && r.checkpoints === 0 && r.anchorMatched !== true;
}
function readCheckpoint(path) {
  let value;
  try {
    value = JSON.parse(readFileSync5(path, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read the checkpoint ${path}: ${error.message}`);
  }
  const checkpoint = parseSignedCheckpoint(value);
  if (!checkpoint) throw new UsageError(`${path} is not a signed changeproof checkpoint (from \`changeproof checkpoint\`)`);
  return checkpoint;
}
function fail(io, json, path, trusted, message) {
  if (json) {
    io.stdout.write(`${JSON.stringify({ ledger: printableLocation(path), status: "tampered", ok: false, signatures: "unverified", publicKey: describeKey(trusted), error: message }, null, 2)}
`);
  } else {
    io.stderr.write(`changeproof verify: ${message}
`);
  }
  return EXIT.tampered;
}
function describeKey(trusted) {
  const from = {
    "public-key-file": "the public key file given with --public-key",
    "key-id": "the public key carried by the ledger's checkpoints, accepted because its id equals --key-id",
    none: "no key was given: signatures are not verified"
  }[trusted.source];
  return { keyId: trusted.keyId, source: trusted.source, path: trusted.path, from };
}
var n = (value) => value.toLocaleString("en-US");
function renderReport(r, status, trusted) {
  const lines = [];
  const span = r.entries === 0 ? "" : ` (seq ${n(r.firstSeq ?? 1)}\u2013${n(r.lastSeq)})`;
  if (r.failure) {
    const f = r.failure;
    const range = f.range ? ` (the change lies in seq ${f.range[0]}\u2013${f.range[1]})` : "";
    lines.push(`Ledger NOT intact: first bad seq ${f.seq}: ${f.reason}: ${f.message}${range}.`);
    lines.push(`Checked before it: ${count(r.entries, "entry", "entries")}, ${count(r.checkpoints, "checkpoint", "checkpoints")}.`);
  } else if (status === "intact") {
    lines.push(`Ledger intact: ${count(r.entries, "entry", "entries")} checked${span}, ${count(r.checkpoints, "checkpoint", "checkpoints")} verified.`);
  } else {
    lines.push(`Chain intact: ${count(r.entries, "entry", "entries")} checked${span} (text, hashes, order, ${count(r.checkpoints, "checkpoint", "checkpoints")}); signatures NOT verified.`);
  }
  if (!r.failure) {
    lines.push(`Head: seq ${r.lastSeq}, hash ${r.headHash}`);
    if (r.lastCheckpoint) lines.push(`Last checkpoint: seq ${r.lastCheckpoint.seq}, covering seq 1\u2013${r.lastCheckpoint.size}, signed ${r.lastCheckpoint.time}.`);
    if (r.anchorMatched) lines.push("The supplied checkpoint matches the ledger.");
  }
  lines.push(signatureLine(r, trusted));
  for (const warning of r.warnings) lines.push(`Warning: ${warning}.`);
  return lines.join("\n");
}
function signatureLine(r, trusted) {
  const given = trusted.source === "public-key-file" ? `the public key given (${trusted.path}, id ${trusted.keyId})` : `the key id given (${trusted.keyId})`;
  if (r.failure) {
    return trusted.source === "none" ? "Signatures: no key was given; the fault above lies within the ledger itself." : `Signatures: judged against ${given}.`;
  }
  if (unsigned(r)) {
    return `Signatures UNVERIFIED: no checkpoint signs ${r.entries === 1 ? "this entry" : `any of these ${n(r.entries)} entries`}, so nothing ties ${r.entries === 1 ? "it" : "them"} to ${given}: a hash chain alone can be written by anyone. Verify again once the ledger has signed a checkpoint (the app signs one within ten minutes of new entries, and when it stops), or give a checkpoint you kept (--checkpoint FILE).`;
  }
  if (r.signatures === "verified") {
    return r.checkpoints === 0 ? `Signatures: none to check yet (the key given is ${trusted.keyId}).` : `Signatures: verified with ${given}.`;
  }
  if (trusted.source !== "none") {
    return `Signatures UNVERIFIED: the last ${count(r.uncheckedCheckpoints, "checkpoint carries", "checkpoints carry")} no public key (written before checkpoints carried one), so a key id alone cannot check them: pass --public-key FILE.`;
  }
  const claimed = r.claimedKeyId === null ? "The ledger has no checkpoint yet." : `Its checkpoints name key ${r.claimedKeyId}: that is what the ledger claims, not proof, since whoever can rewrite the ledger can sign it with a key of their own.`;
  return `Signatures UNVERIFIED: no public key was given. ${claimed} Compare that id with the one you obtained from the ledger's operator, then run again with --key-id ID or --public-key FILE.`;
}

// src/cli/standalone.ts
var COMMANDS = [verifyExportCommand, verifyCommand, publicKeyCommand];
async function standalone(argv, io, here) {
  const [first, ...rest] = argv;
  if (first === "--version" || first === "-v") {
    const self = createHash8("sha256").update(readFileSync6(fileURLToPath2(import.meta.url))).digest("hex");
    io.stdout.write(`changeproof-verify ${VERSION}
sha256 ${self}
`);
    return 0;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    io.stdout.write(`${USAGE}
`);
    return 0;
  }
  const named = COMMANDS.find((c) => c.name === first);
  const [command, args] = named ? [named, rest] : [verifyExportCommand, argv.some((a) => !a.startsWith("-") && !isOptionValue(argv, a)) ? argv : [here, ...argv]];
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout.write(`${command.help}
`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`changeproof-verify ${command.name}: ${error.message}
`);
      return 2;
    }
    io.stderr.write(`changeproof-verify ${command.name}: ${error.message ?? String(error)}
`);
    return 1;
  }
}
function isOptionValue(argv, arg) {
  const i = argv.indexOf(arg);
  return i > 0 && ["--public-key", "--key-id", "--ledger", "--checkpoint"].includes(argv[i - 1]);
}
var USAGE = `changeproof-verify ${VERSION}: checks a Changeproof export package or ledger, offline, with nothing to install (Node 18+).

  node changeproof-verify.mjs --public-key FILE        verify the package this file is in
  node changeproof-verify.mjs verify-export DIR --public-key FILE | --key-id HEX
  node changeproof-verify.mjs verify --ledger FILE.ndjson --public-key FILE
  node changeproof-verify.mjs public-key --ledger FILE.ndjson

Obtain the ledger's public key (or its id) from the company's Changeproof app or
its owner, not from the package. Exit status: 0 intact; 1 tampered; 2 bad usage;
3 signatures unverified (no key given).`;
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await standalone(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, dirname4(fileURLToPath2(import.meta.url)));
}
export {
  standalone
};
