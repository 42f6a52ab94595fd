import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCanonicalText, isCanonicalText } from '../../src/ledger/check-canonical-text.js';

/** The oracle: text is canonical exactly when re-serialising what JSON.parse reads from it gives it back. */
function canonicalByReserialising(text: string): boolean {
  try {
    return canonicalize(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

describe('checkCanonicalText: what is and is not RFC 8785 canonical', () => {
  const cases: Array<[string, string, RegExp | null]> = [
    ['a canonical object', '{"a":[true,false,null],"b":{"c":"d"},"e":-1.5}', null],
    ['duplicate member, top level', '{"a":1,"a":2}', /member "a" appears twice/],
    ['duplicate member, deep inside', '{"data":{"rules":[{"outcome":"compliant","outcome":"failed"}]}}', /member "outcome" appears twice/],
    ['duplicate member inserted before the real one', '{"outcome":"compliant","outcome":"non_compliant","rule":"x"}', /appears twice/],
    ['members out of order', '{"b":1,"a":2}', /member "a" comes after "b"/],
    ['empty name sorts first', '{"":1,"a":2}', null],
    ['names by UTF-16 code units: € (U+20AC) before 😀 (U+D83D U+DE00)', '{"€":1,"😀":2}', null],
    ['… so 😀 before € is out of order', '{"😀":2,"€":1}', /member "€" comes after "😀"/],
    ['… although by code point, U+FFFD sorts after 😀', '{"😀":1,"\ufffd":2}', null],
    ['escaped names compare by their value: \\" (U+0022) before \\\\ (U+005C)', '{"\\"":1,"\\\\":2}', null],
    ['… and \\\\ before \\" is out of order', '{"\\\\":1,"\\"":2}', /comes after/],
    ['-0', '-0', /number -0 is not in canonical form \(canonical: 0\)/],
    ['0', '0', null],
    ['1e21 (JSON, but ECMAScript prints 1e+21)', '1e21', /canonical: 1e\+21/],
    ['1e+21', '1e+21', null],
    ['1E+21', '1E+21', /not in canonical form/],
    ['1.0', '1.0', /canonical: 1\)/],
    ['0.1', '0.1', null],
    ['1e-7', '1e-7', null],
    ['0.0000001', '0.0000001', /canonical: 1e-7/],
    ['a leading zero', '01', /not in canonical form/],
    ['an integer beyond 2^53 as written', '123456789012345678', /canonical: 123456789012345680/],
    ['… and as ECMAScript prints it', '123456789012345680', null],
    ['overflow to Infinity', '1e400', /not in canonical form/],
    ['"é" raw', '"é"', null],
    ['"é" escaped as \\u00e9', '"\\u00e9"', /escape "\\\\u00e9" is not canonical/],
    ['a lone high surrogate, escaped', '"\\ud800"', /escape "\\\\ud800" is not canonical/],
    ['a lone high surrogate, raw', '"\ud800"', /lone surrogate/],
    ['a lone low surrogate, raw', '"a\udc00b"', /lone surrogate/],
    ['a surrogate pair, raw', '"😀"', null],
    ['a control character escaped as \\u001f', '"\\u001f"', null],
    ['… in upper case', '"\\u001F"', /not canonical/],
    ['a newline escaped as \\n', '"\\n"', null],
    ['… as \\u000a', '"\\u000a"', /not canonical/],
    ['a raw tab', '"\t"', /raw control character/],
    ['\\/', '"\\/"', /not canonical/],
    ['U+2028 raw (ECMAScript does not escape it)', '"\u2028"', null],
    ['DEL raw', '"\u007f"', null],
    ['whitespace after a colon', '{"a": 1}', /expected a JSON value \(no whitespace\)/],
    ['whitespace before a colon', '{"a" :1}', /expected ":"/],
    ['a newline at the end', '{"a":1}\n', /text after the end/],
    ['a leading space', ' 1', /expected a JSON value/],
    ['a trailing comma', '[1,]', /expected a JSON value/],
    ['an unterminated string', '"abc', /ends inside a string/],
    ['empty text', '', /ends where a value should start/],
    ['not JSON', 'tru', /expected a JSON value/],
  ];
  it.each(cases)('%s', (_name, text, fault) => {
    const verdict = checkCanonicalText(text);
    if (fault === null) expect(verdict).toBeNull();
    else expect(verdict).toMatch(fault);
    // The oracle agrees on every case (it cannot tell why).
    expect(verdict === null).toBe(canonicalByReserialising(text));
  });

  it('handles nesting as deep as memory allows, without the call stack', () => {
    const depth = 200_000;
    expect(checkCanonicalText(`${'['.repeat(depth)}${']'.repeat(depth)}`)).toBeNull();
    expect(checkCanonicalText(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)).toBeNull();
    expect(checkCanonicalText(`${'{"a":'.repeat(depth)}{"b":1,"b":2}${'}'.repeat(depth)}`)).toMatch(/member "b" appears twice/);
    expect(checkCanonicalText(`${'['.repeat(depth)}${']'.repeat(depth - 1)}`)).toMatch(/expected "," or "\]"/);
  });

  it('finds a raw control character, a quote or a backslash wherever it falls in a long string', () => {
    // The scan skips four bytes at a time: every character at every alignment must still be seen.
    for (let before = 0; before < 12; before++) {
      const pad = 'a'.repeat(before);
      for (let code = 0; code < 0x20; code++) {
        const raw = String.fromCharCode(code);
        expect(checkCanonicalText(`["${pad}${raw}${'b'.repeat(13)}"]`), `U+${code.toString(16)} after ${before}`).toMatch(/raw control character/);
        expect(checkCanonicalText(`["${pad}${JSON.stringify(raw).slice(1, -1)}${'b'.repeat(13)}"]`)).toBeNull();
      }
      expect(checkCanonicalText(`["${pad}\\u0041${'b'.repeat(13)}"]`)).toMatch(/escape "\\\\u0041" is not canonical/);
      expect(checkCanonicalText(`["${pad}\\"${'b'.repeat(13)}"]`)).toBeNull();
      expect(checkCanonicalText(`["${pad}"${'b'.repeat(13)}"]`)).toMatch(/expected "," or "\]"/);
      for (const wide of ['é', '€', '\uffff', '😀']) expect(checkCanonicalText(`["${pad}${wide}${'b'.repeat(13)}"]`)).toBeNull();
      expect(checkCanonicalText(`["${pad}${'b'.repeat(13)}`)).toMatch(/ends inside a string/);
    }
  });

  it('checks the members of an object, and says where their values lie (in the text, not its UTF-8)', () => {
    const wide = new Int32Array(4);
    expect(checkCanonicalText('{"a":"é😀","b":1}', { members: ['a', 'b'], spans: wide })).toBeNull();
    expect([...wide]).toEqual([5, 10, 15, 16]);
    const spans = new Int32Array(4);
    expect(checkCanonicalText('{"a":[1,2],"b":"x"}', { members: ['a', 'b'], spans })).toBeNull();
    expect([...spans]).toEqual([5, 10, 15, 18]);
    expect(checkCanonicalText('{"a":1}', { members: ['a', 'b'] })).toMatch(/1 members where 2/);
    expect(checkCanonicalText('{"a":1,"c":2}', { members: ['a', 'b'] })).toMatch(/member "c" is not one of a, b/);
    expect(checkCanonicalText('[1]', { members: ['a'] })).toMatch(/not a JSON object/);
  });
});

describe('checkCanonicalText agrees with the canonicalize package', () => {
  // JSON values as JSON.parse returns them (no -0, no undefined), strings with every kind of code unit.
  const json = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
  const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constantFrom('€', '😀', '\ud83d', '\ue000', '\u2028', '\u0000', '"', '\\'));

  it('accepts the canonical form of any value', () => {
    fc.assert(fc.property(json, (value) => {
      expect(checkCanonicalText(canonicalize(value)!)).toBeNull();
    }), { numRuns: 2000 });
  });

  it('gives the oracle’s verdict on other serialisations of the same values', () => {
    const serialise = fc.constantFrom<(v: unknown) => string>(
      (v) => JSON.stringify(v),
      (v) => JSON.stringify(v, null, 1),
      (v) => JSON.stringify(v).replace(/":/g, '": '),
      (v) => canonicalize(v)!.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    );
    fc.assert(fc.property(json, serialise, (value, write) => {
      const written = write(value);
      expect(checkCanonicalText(written) === null).toBe(canonicalByReserialising(written));
    }), { numRuns: 2000 });
  });

  it('refuses an object with any member repeated, at any depth', () => {
    const object = fc.dictionary(fc.string({ maxLength: 4 }), json, { minKeys: 1, maxKeys: 5 });
    fc.assert(fc.property(object, fc.nat(), json, fc.nat(3), (value, pick, other, depth) => {
      const keys = Object.keys(value).sort();
      const key = keys[pick % keys.length]!;
      // Splice a second `key` member right before the real one, as an attacker would (member by member:
      // searching the text for `"key":` could land inside another member's name, such as `"\"u":`).
      const member = (k: string, v: unknown) => `${JSON.stringify(k)}:${canonicalize(v)}`;
      const doubled = `{${keys.map((k) => (k === key ? `${member(key, other)},` : '') + member(k, value[k])).join(',')}}`;
      const wrapped = `${'{"a":['.repeat(depth)}${doubled}${']}'.repeat(depth)}`;
      expect(checkCanonicalText(wrapped)).toMatch(/appears twice/);
    }), { numRuns: 1000 });
  });

  it('judges numbers exactly as Number.prototype.toString prints them', () => {
    const double = fc.double({ noNaN: true, noDefaultInfinity: true });
    const form = fc.constantFrom<(x: number) => string>(
      (x) => String(x),
      (x) => x.toExponential(),
      (x) => x.toPrecision(17),
      (x) => String(x).replace('e+', 'e'),
      (x) => String(x).toUpperCase(),
      (x) => `${x}`.includes('.') ? `${x}0` : `${x}.0`,
    );
    fc.assert(fc.property(double, form, (x, write) => {
      const written = write(x);
      if (!/^-?\d/.test(written)) return; // Infinity and the like are not JSON
      expect(checkCanonicalText(written) === null).toBe(canonicalByReserialising(written));
    }), { numRuns: 5000 });
  });

  it('judges strings exactly as the oracle does, lone surrogates and escapes included', () => {
    fc.assert(fc.property(text, fc.boolean(), (s, raw) => {
      // JSON.stringify escapes lone surrogates; the raw form writes them as they are.
      const written = raw ? `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\x00-\x1f]/g, (c) => JSON.stringify(c).slice(1, -1))}"` : JSON.stringify(s);
      expect(checkCanonicalText(written) === null).toBe(canonicalByReserialising(written));
      expect(isCanonicalText(written)).toBe(checkCanonicalText(written) === null);
    }), { numRuns: 5000 });
  });

  it('orders names by UTF-16 code units, as the canonicalize package sorts them', () => {
    fc.assert(fc.property(fc.uniqueArray(text, { minLength: 2, maxLength: 6 }), (names) => {
      const wellFormed = names.filter((name) => canonicalByReserialising(JSON.stringify(name)));
      const members = wellFormed.map((name) => `${JSON.stringify(name)}:0`);
      const written = `{${members.join(',')}}`;
      expect(checkCanonicalText(written) === null).toBe(canonicalByReserialising(written));
    }), { numRuns: 3000 });
  });
});
