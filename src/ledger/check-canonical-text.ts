/** What {@link checkCanonicalText} checks besides canonical form, and what it reports. */
export interface CanonicalShape {
  /** The text must be an object with exactly these member names (given in canonical order). */
  members?: readonly string[];
  /**
   * With `members`: receives where each member's value lies, as [start, end)
   * offsets into the text at 2k and 2k+1 for member k, so a caller can read
   * the values without searching the text again.
   */
  spans?: Int32Array;
}

/**
 * Why a text is not exactly RFC 8785 (JCS) canonical JSON, or null when it
 * is: one pass, no parse tree, no re-serialisation, so a verifier can afford
 * it on every entry. `shape` can ask for an object with given members, and
 * where their values lie.
 *
 * Canonical means (RFC 8785 §3.2): no whitespace; object members sorted by
 * the UTF-16 code units of their names, so a repeated name — which two JSON
 * parsers may read as two different values (RFC 8785 §3.1, I-JSON) — is
 * never canonical; numbers exactly as ECMAScript's Number.prototype.toString
 * prints them (`1e+21`, `1e-7`, `0.1`, `0`; never `-0`, `1.0`, `1E21`, `01`);
 * strings with the escapes of §3.2.2.2 only (`\"`, `\\`, `\b \t \n \f \r`,
 * other control characters as lowercase `\u00xx`, everything else raw) and no
 * lone surrogates. Nesting depth is bounded by memory only: open containers
 * are kept in arrays, never on the call stack.
 *
 * How: the text is encoded to UTF-8 once (natively, into a reused buffer),
 * and the scan reads bytes; inside strings it skips four bytes at a time
 * while none is a quote, a backslash or a control character (exact bit tests
 * on 32-bit words), which is most of any entry. Fault offsets are byte
 * offsets into that UTF-8; `spans` are offsets into the text.
 *
 * @example
 * checkCanonicalText('{"a":1,"b":[true,null]}') // null
 * checkCanonicalText('{"a":1,"a":2}')           // 'at byte 7: member "a" appears twice in one object …'
 */
export function checkCanonicalText(text: string, shape: CanonicalShape = {}): string | null {
  try {
    refuseLoneSurrogates(text);
    const length = encode(text);
    const spans = shape.members ? shape.spans : undefined;
    scan(length, shape.members, spans);
    if (spans && length !== text.length) toTextOffsets(spans, 2 * shape.members!.length);
    return null;
  } catch (error) {
    if (error instanceof CanonicalFault) return error.message;
    throw error;
  }
}

/** True when `text` is exactly the RFC 8785 canonical JSON of the value it denotes. */
export function isCanonicalText(text: string): boolean {
  return checkCanonicalText(text) === null;
}

class CanonicalFault extends Error {}

function fault(offset: number, what: string): never {
  throw new CanonicalFault(`at byte ${offset}: ${what}`);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** An integer of at most 15 digits is an exact double, which toString prints digit for digit. */
const EXACT_DIGITS = 15;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The scan's working memory, reused because the scan is synchronous and runs
 * once per ledger entry: the text's UTF-8 bytes (followed by four zero bytes,
 * control characters that stop every scan at the end) with a 32-bit view of
 * them; and the open containers by depth (index 0 = outermost): whether each
 * is an object, and where its previous member name lies (start -1 before its
 * first member). Fields of one object cost the optimiser no checks per
 * access, unlike module-level `let` bindings.
 */
const state = {
  bytes: new Uint8Array(4096),
  words: new Uint32Array(1024),
  isObject: new Uint8Array(64),
  nameStart: new Int32Array(64),
  nameEnd: new Int32Array(64),
  nameEscaped: new Uint8Array(64),
  /** Set by scanString: whether the string just scanned contains an escape. */
  escaped: false,
};
state.words = new Uint32Array(state.bytes.buffer);

/** Encodes the text into `state.bytes` (a well-formed text: see refuseLoneSurrogates) and returns its length. */
function encode(text: string): number {
  const room = 3 * text.length + 8; // UTF-8 takes at most 3 bytes per UTF-16 code unit
  if (room > state.bytes.length) {
    state.bytes = new Uint8Array(Math.ceil(room / 4) * 4 * 2);
    state.words = new Uint32Array(state.bytes.buffer);
  }
  const { written } = encoder.encodeInto(text, state.bytes);
  state.bytes.fill(0, written, written + 4);
  return written;
}

function scan(n: number, members: readonly string[] | undefined, spans: Int32Array | undefined): void {
  const b = state.bytes;
  let i = 0;
  let depth = 0;
  let topMembers = 0;
  if (members && b[0] !== OPEN_OBJECT) fault(0, 'it is not a JSON object');
  value: for (;;) {
    // A value starts at i.
    const c = b[i]!;
    if (c === QUOTE) {
      i = scanString(i, n);
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const object = c === OPEN_OBJECT;
      i += 1;
      if (b[i] === (object ? CLOSE_OBJECT : CLOSE_ARRAY)) {
        i += 1;
        if (object && depth === 0 && members && members.length > 0) fault(0, 'it is an empty object');
      } else {
        if (depth === state.isObject.length) growStack();
        state.isObject[depth] = object ? 1 : 0;
        state.nameStart[depth] = -1;
        depth += 1;
        if (object) {
          i = scanName(i, n, depth - 1);
          if (depth === 1 && members) {
            checkTopMember(members, topMembers);
            if (spans) spans[2 * topMembers] = i;
            topMembers += 1;
          }
        }
        continue value;
      }
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      i = scanNumber(i);
    } else if (c === 0x74 && b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65) { // true
      i += 4;
    } else if (c === 0x66 && b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65) { // false
      i += 5;
    } else if (c === 0x6e && b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c) { // null
      i += 4;
    } else {
      fault(i, i >= n ? 'the text ends where a value should start' : 'expected a JSON value (no whitespace)');
    }
    // After a value: close containers until one goes on with ",".
    for (;;) {
      if (depth === 0) {
        if (i !== n) fault(i, 'text after the end of the JSON value');
        return;
      }
      const d = b[i]!;
      const inObject = state.isObject[depth - 1] === 1;
      if (depth === 1 && spans) spans[2 * topMembers - 1] = i; // a top-level member's value ends here
      if (d === COMMA) {
        i += 1;
        if (inObject) {
          i = scanName(i, n, depth - 1);
          if (depth === 1 && members) {
            checkTopMember(members, topMembers);
            if (spans) spans[2 * topMembers] = i;
            topMembers += 1;
          }
        }
        continue value;
      }
      if (d !== (inObject ? CLOSE_OBJECT : CLOSE_ARRAY)) fault(i, inObject ? 'expected "," or "}" (no whitespace)' : 'expected "," or "]" (no whitespace)');
      i += 1;
      depth -= 1;
      if (depth === 0 && members && topMembers !== members.length) {
        fault(i - 1, `the object has ${topMembers} members where ${members.length} (${members.join(', ')}) are expected`);
      }
    }
  }
}

function growStack(): void {
  const grow = <T extends Uint8Array | Int32Array>(a: T): T => {
    const bigger = new (a.constructor as new (n: number) => T)(a.length * 2);
    bigger.set(a);
    return bigger;
  };
  state.isObject = grow(state.isObject);
  state.nameStart = grow(state.nameStart);
  state.nameEnd = grow(state.nameEnd);
  state.nameEscaped = grow(state.nameEscaped);
}

/**
 * Scans `"name":` at i, a member of the object open at depth `d`, and checks
 * that the name sorts strictly after the previous one by UTF-16 code units
 * (RFC 8785 §3.2.3): an equal name is a repeated member. Returns the offset
 * of the member's value.
 */
function scanName(i: number, n: number, d: number): number {
  const b = state.bytes;
  if (b[i] !== QUOTE) fault(i, 'expected a member name (no whitespace)');
  const start = i + 1;
  const after = scanString(i, n);
  const end = after - 1;
  const escaped = state.escaped;
  if (b[after] !== COLON) fault(after, 'expected ":" (no whitespace)');
  const { nameStart, nameEnd, nameEscaped } = state;
  const previousStart = nameStart[d]!;
  if (previousStart >= 0) {
    const previousEnd = nameEnd[d]!;
    const previousEscaped = nameEscaped[d] === 1;
    const order = previousEscaped || escaped
      ? compareStrings(decodeName(previousStart, previousEnd, previousEscaped), decodeName(start, end, escaped))
      : compareNames(previousStart, previousEnd, start, end);
    if (order >= 0) {
      const name = JSON.stringify(decodeName(start, end, escaped));
      fault(i, order === 0
        ? `member ${name} appears twice in one object (two JSON parsers may read two different values)`
        : `member ${name} comes after ${JSON.stringify(decodeName(previousStart, previousEnd, previousEscaped))}: members must be sorted by UTF-16 code units`);
    }
  }
  nameStart[d] = start;
  nameEnd[d] = end;
  nameEscaped[d] = escaped ? 1 : 0;
  return after + 1;
}

/** The top-level object's member number `k` (just scanned, at depth 0) must be `members[k]`. */
function checkTopMember(members: readonly string[], k: number): void {
  const b = state.bytes;
  const start = state.nameStart[0]!;
  const end = state.nameEnd[0]!;
  const escaped = state.nameEscaped[0] === 1;
  const expected = members[k];
  let same = expected !== undefined && !escaped && end - start === expected.length;
  for (let j = 0; same && j < end - start; j++) same = b[start + j] === expected!.charCodeAt(j);
  if (!same) fault(start - 1, `member ${JSON.stringify(decodeName(start, end, escaped))} is not one of ${members.join(', ')} in that order`);
}

/**
 * Scans a string at i (its opening quote) and returns the offset after its
 * closing quote; sets `state.escaped`. Four bytes at a time while a 32-bit
 * word holds no quote, backslash or control byte (the classic exact tests
 * "has a zero byte" and "has a byte less than n"); byte by byte around them.
 * Bytes from 0x80 up are UTF-8 of well-formed text (see encode), allowed raw.
 */
function scanString(i: number, n: number): number {
  const b = state.bytes;
  const w = state.words;
  let escaped = false;
  let j = i + 1;
  for (;;) {
    let c = b[j]!;
    while ((j & 3) !== 0 && c !== QUOTE && c !== BACKSLASH && c >= 0x20) c = b[++j]!;
    if ((j & 3) === 0) {
      for (;;) {
        const x = w[j >>> 2]!;
        const quote = x ^ 0x22222222;
        const backslash = x ^ 0x5c5c5c5c;
        if ((((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash) | ((x - 0x20202020) & ~x)) & 0x80808080) break;
        j += 4;
      }
      c = b[j]!;
      while (c !== QUOTE && c !== BACKSLASH && c >= 0x20) c = b[++j]!;
    }
    if (c === QUOTE) {
      state.escaped = escaped;
      return j + 1;
    }
    if (c === BACKSLASH) {
      const length = escapeLength(j);
      if (length === 0) {
        fault(j, `the escape ${JSON.stringify(latin1(j, Math.min(j + 6, n)))} is not canonical (RFC 8785 §3.2.2.2: only \\" \\\\ \\b \\t \\n \\f \\r, and lowercase \\u00xx for other control characters; everything else is written raw)`);
      }
      escaped = true;
      j += length;
    } else {
      fault(j, j >= n ? 'the text ends inside a string' : 'a raw control character in a string (it must be escaped)');
    }
  }
}

/** Faults at the first lone surrogate, if any: not Unicode text, so RFC 8785 has no canonical form for it. */
function refuseLoneSurrogates(text: string): void {
  if (HAS_IS_WELL_FORMED && (text as unknown as WellFormedString).isWellFormed()) return;
  for (let j = 0; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && (text.charCodeAt(j + 1) & 0xfc00) === 0xdc00) j += 1;
    else throw new CanonicalFault(`at character ${j}: a lone surrogate (not Unicode text; RFC 8785 refuses it)`);
  }
}

/**
 * ES2024's String.prototype.isWellFormed, which this project's `lib` setting
 * predates: native, and constant-time for text V8 stores as Latin-1. Node 18
 * (the standalone verifier's floor) lacks it, and then the loop does the work.
 */
interface WellFormedString {
  isWellFormed(): boolean;
}
const HAS_IS_WELL_FORMED = typeof (String.prototype as Partial<WellFormedString>).isWellFormed === 'function';

/**
 * Length of the canonical escape at i (its backslash), or 0 when it is not
 * one: exactly JSON.stringify's escapes, which RFC 8785 §3.2.2.2 adopts.
 */
function escapeLength(i: number): number {
  const b = state.bytes;
  switch (b[i + 1]) {
    case QUOTE: case BACKSLASH: case 0x62: case 0x66: case 0x6e: case 0x72: case 0x74:
      return 2; // \" \\ \b \f \n \r \t
    case 0x75: { // \u00xx: lowercase hex, only for control characters without a short escape
      if (b[i + 2] !== ZERO || b[i + 3] !== ZERO) return 0;
      const high = b[i + 4]! - ZERO;
      const low = lowercaseHex(b[i + 5]!);
      if ((high !== 0 && high !== 1) || low < 0) return 0;
      const code = high * 16 + low;
      return code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d ? 0 : 6;
    }
    default:
      return 0;
  }
}

function lowercaseHex(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/**
 * Scans a number at i and returns the offset after it. Canonical exactly
 * when the text is what Number.prototype.toString prints for its value
 * (RFC 8785 §3.2.2.3); JSON's grammar is checked first, so Number() reads it
 * as JSON.parse would.
 */
function scanNumber(i: number): number {
  const b = state.bytes;
  let j = i;
  if (b[j] === MINUS) j += 1;
  const intStart = j;
  while (isDigit(b[j]!)) j += 1;
  const intDigits = j - intStart;
  let plain = true;
  if (b[j] === 0x2e) { // .
    plain = false;
    const from = ++j;
    while (isDigit(b[j]!)) j += 1;
    if (j === from) numberFault(i, j);
  }
  const e = b[j];
  if (e === 0x65 || e === 0x45) { // e E
    plain = false;
    j += 1;
    const sign = b[j];
    if (sign === 0x2b || sign === MINUS) j += 1;
    const from = j;
    while (isDigit(b[j]!)) j += 1;
    if (j === from) numberFault(i, j);
  }
  const leadingZero = b[intStart] === ZERO;
  if (intDigits === 0 || (leadingZero && intDigits > 1)) numberFault(i, j);
  // A plain integer of up to 15 digits is canonical, except -0.
  if (plain && intDigits <= EXACT_DIGITS && !(leadingZero && i !== intStart)) return j;
  const token = latin1(i, j);
  if (String(Number(token)) !== token) numberFault(i, j);
  return j;
}

function numberFault(i: number, j: number): never {
  const token = latin1(i, Math.max(j, i + 1));
  const value = Number(token);
  return fault(i, `the number ${token} is not in canonical form${Number.isFinite(value) ? ` (canonical: ${String(value)})` : ''}`);
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/**
 * Compares two unescaped names by UTF-16 code units, from their UTF-8 bytes.
 * UTF-8 byte order is code point order, which is UTF-16 order except in one
 * case: a character from U+E000 to U+FFFF (lead byte EE or EF) sorts before
 * a supplementary one (lead F0–F4) by code point, after it by UTF-16 code
 * units (its surrogates are D800–DFFF). Where the first differing bytes are
 * those leads, the order is reversed.
 */
function compareNames(aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const b = state.bytes;
  const common = Math.min(aEnd - aStart, bEnd - bStart);
  for (let k = 0; k < common; k++) {
    const x = b[aStart + k]!;
    const y = b[bStart + k]!;
    if (x === y) continue;
    if ((x === 0xee || x === 0xef) && y >= 0xf0) return 1;
    if ((y === 0xee || y === 0xef) && x >= 0xf0) return -1;
    return x - y;
  }
  return (aEnd - aStart) - (bEnd - bStart);
}

/** JavaScript compares strings by UTF-16 code units, as RFC 8785 §3.2.3 sorts names. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The value of a scanned (hence valid) name whose content lies at bytes [start, end). */
function decodeName(start: number, end: number, escaped: boolean): string {
  const text = decoder.decode(state.bytes.subarray(escaped ? start - 1 : start, escaped ? end + 1 : end));
  return escaped ? (JSON.parse(text) as string) : text;
}

/** Bytes [from, to) as text, one character per byte (for ASCII such as numbers and escapes). */
function latin1(from: number, to: number): string {
  let text = '';
  for (let k = from; k < to; k++) text += String.fromCharCode(state.bytes[k]!);
  return text;
}

/**
 * Turns the byte offsets in spans[0, count) — increasing, as members come in
 * order — into offsets into the text (UTF-16 code units), in one pass over
 * the bytes: a UTF-8 sequence of four bytes is two code units, any other one.
 */
function toTextOffsets(spans: Int32Array, count: number): void {
  const b = state.bytes;
  let units = 0;
  let k = 0;
  for (let j = 0; k < count; j++) {
    while (k < count && spans[k] === j) spans[k++] = units;
    const c = b[j]!;
    if ((c & 0xc0) !== 0x80) units += c >= 0xf0 ? 2 : 1;
  }
}
