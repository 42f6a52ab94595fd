import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/ledger/canonical.js';
import { bodyOf, entryLine, parseEntryBody, readCanonicalEntry, readEntryHeader, splitEntryLine, storedHashOf, type CanonicalEntry } from '../../src/ledger/entry-text.js';
import { entryHash } from '../../src/ledger/hash.js';
import { storedFromLine } from '../../src/ledger/ndjson.js';

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
// Strings full of the characters that could confuse a textual cut: quotes, commas, colons, the member names.
const tricky = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(',"kind":"', ',"hash":"', '"}', '\\"', '{"data":', ',"kind":"checkpoint"', '\u2028', '\\'),
);
const entry = fc.record({
  data: fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown),
  kind: fc.constantFrom('evaluation', 'change', 'push', 'checkpoint'),
  prev_hash: hex64,
  recorded_at: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  repo: fc.option(tricky, { nil: null }),
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  subject: tricky,
});

describe('moving between body and line without re-serialising data', () => {
  it('entryLine(body, hash) is the canonical JSON of the entry with its hash', () => {
    fc.assert(fc.property(entry, hex64, (e, hash) => {
      const body = canonicalJson(e);
      expect(entryLine(body, hash)).toBe(canonicalize({ ...e, hash }));
    }));
  });

  it('splitEntryLine gives back exactly the hashed body and the hash', () => {
    fc.assert(fc.property(entry, hex64, (e, hash) => {
      const body = canonicalJson(e);
      expect(splitEntryLine(entryLine(body, hash))).toEqual({ body, hash });
    }));
  });

  it('readEntryHeader reads the same header as a full parse', () => {
    fc.assert(fc.property(entry, (e) => {
      const body = canonicalJson(e);
      const { data, ...header } = e;
      expect(readEntryHeader(body)).toEqual(header);
      expect(parseEntryBody(body)).toEqual({ header, data });
    }));
  });

  it('a reformatted line is not cut into a body: only the canonical text was hashed', () => {
    fc.assert(fc.property(entry, hex64, (e, hash) => {
      const { seq, ...rest } = e;
      const pretty = JSON.stringify({ seq, hash, ...rest });
      expect(storedFromLine(pretty)).toBeNull();
    }));
  });

  it('readCanonicalEntry reads a canonical body or line in one pass, as a full parse would', () => {
    fc.assert(fc.property(entry, hex64, (e, hash) => {
      const body = canonicalJson(e);
      const { data: _data, ...header } = e;
      const line = entryLine(body, hash);
      expect(readCanonicalEntry(body, 'body')).toEqual({ header, hashMember: null });
      const read = readCanonicalEntry(line, 'line') as CanonicalEntry;
      expect(read).toMatchObject({ header });
      expect(storedHashOf(line, read)).toBe(hash);
      expect(bodyOf(line, read)).toBe(body);
    }));
  });

  it('readCanonicalEntry refuses text that is not exactly canonical, or not an entry, saying why', () => {
    const body = canonicalJson({ data: { a: 1 }, kind: 'push', prev_hash: '0'.repeat(64), recorded_at: '2026-03-01T00:00:00.000Z', repo: null, seq: 1, subject: 's' });
    const cases: Array<[string, string, 'body' | 'line', RegExp]> = [
      ['a repeated member in data', body.replace('{"a":1}', '{"a":1,"a":2}'), 'body', /appears twice/],
      ['a member too many', body.replace('"kind"', '"extra":1,"kind"'), 'body', /not one of data, kind/],
      ['a line without its hash', body, 'line', /not one of data, hash/],
      ['seq 0', body.replace('"seq":1', '"seq":0'), 'body', /seq is not a whole number/],
      ['seq as a string', body.replace('"seq":1', '"seq":"1"'), 'body', /seq is not a whole number/],
      ['a time in another form', body.replace('.000Z', 'Z'), 'body', /recorded_at/],
      ['prev_hash in capitals', body.replace('"prev_hash":"0', '"prev_hash":"A'), 'body', /prev_hash/],
      ['a subject that is a number', body.replace('"subject":"s"', '"subject":1'), 'body', /not a string/],
    ];
    for (const [name, text, form, fault] of cases) expect(readCanonicalEntry(text, form), name).toEqual({ fault: expect.stringMatching(fault) });
  });

  it('refuses text that is not a canonical entry', () => {
    expect(splitEntryLine('{"data":1}')).toBeNull();
    expect(readEntryHeader('{"data":1,"kind":"x"}')).toBeNull();
    expect(readEntryHeader('not json')).toBeNull();
    expect(parseEntryBody('{"data":1,"kind":"push","prev_hash":"00","recorded_at":"x","repo":null,"seq":1,"subject":"s"}')).toBeNull();
    expect(storedFromLine('{"no":"hash"}')).toBeNull();
    expect(storedFromLine('{"cut":')).toBeNull();
  });
});

describe('canonicalJson', () => {
  it('refuses values JSON cannot carry, instead of writing something else', () => {
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/cannot represent/);
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/canonical JSON/);
    expect(() => canonicalJson({ b: 1n })).toThrow(/canonical JSON/);
    expect(() => canonicalJson({ s: '\ud800' })).toThrow(/canonical JSON/);
    expect(() => canonicalJson(undefined)).toThrow(/undefined/);
  });

  it('serialises dates through toJSON', () => {
    expect(canonicalJson({ at: new Date('2026-03-01T00:00:00Z') })).toBe('{"at":"2026-03-01T00:00:00.000Z"}');
  });
});

describe('entryHash', () => {
  it('hashes the ASCII hex of prev_hash, then the body, with nothing between', () => {
    // printf '%064d{}' 0 | sha256sum
    expect(entryHash('0'.repeat(64), '{}')).toBe('5508d2b710e64bc470079e1b211d9c58e21011e59d0559e422345dc19d659a75');
    // multi-byte UTF-8: printf '%064dé' 0 | sha256sum
    expect(entryHash('0'.repeat(64), 'é')).toBe('3fce5da746087a9330843002519f3c63b254e105da7192ff4618f70c28f8841d');
  });
});
