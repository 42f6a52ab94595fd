import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidUtf8Error, readNdjsonLines } from '../../src/ledger/ndjson.js';
import { verifyNdjson } from '../../src/ledger/verify-ndjson.js';
import { buildLedger, removeTempDirs } from './support/ledger-fixture.js';
import { exportLines } from './support/rewrite-ledger.js';

afterEach(removeTempDirs);

async function lines(chunks: Array<Buffer | string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readNdjsonLines(chunks)) out.push(line.text);
  return out;
}

describe('readNdjsonLines decodes UTF-8 strictly', () => {
  it('joins a character split between chunks, at every split point', async () => {
    const bytes = Buffer.from('{"a":"é ✓ 𝄞 \uFFFD"}\n{"b":1}\n', 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(await lines([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(['{"a":"é ✓ 𝄞 \uFFFD"}', '{"b":1}']);
    }
  });

  it.each([
    ['a lone 0xFF', Buffer.from([0xff])],
    ['a lone continuation byte', Buffer.from([0x80])],
    ['an overlong encoding', Buffer.from([0xc0, 0xaf])],
    ['a surrogate', Buffer.from([0xed, 0xa0, 0x80])],
    ['a sequence cut by the next character', Buffer.from([0xe2, 0x9c, 0x22])],
  ])('refuses %s, after yielding the lines before it', async (_, bad) => {
    const bytes = Buffer.concat([Buffer.from('{"a":1}\n{"b":"x'), bad, Buffer.from('"}\n{"c":3}\n')]);
    for (const size of [1, 3, 7, bytes.length]) {
      const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
      const seen: string[] = [];
      const error = await (async () => { for await (const line of readNdjsonLines(chunks)) seen.push(line.text); })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidUtf8Error);
      expect((error as InvalidUtf8Error).line).toBe(2);
      expect(seen).toEqual(['{"a":1}']);
    }
  });

  it('yields a stream that ends inside a character as a last line cut short', async () => {
    const out = [];
    for await (const line of readNdjsonLines([Buffer.from('{"a":1}\n{"b":"'), Buffer.from([0xe2, 0x9c])])) out.push(line);
    expect(out.at(-1)).toMatchObject({ number: 2, terminated: false });
  });
});

describe('verify of an NDJSON ledger whose bytes are not valid UTF-8', () => {
  it('is malformed at the seq of the line holding them', async () => {
    const built = await buildLedger({ count: 4 });
    const text = `${exportLines(built.path).join('\n')}\n`;
    // An invalid byte inside a string of line 3 (seq 3): the lines before it still verify.
    const bytes = Buffer.from(text, 'utf8');
    const third = bytes.indexOf('\n', bytes.indexOf('\n') + 1) + 1;
    const at = bytes.indexOf('"subject":"', third) + '"subject":"'.length;
    const bad = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at)]);
    const report = await verifyNdjson(Readable.from([bad]), { publicKey: built.publicKey });
    expect(report).toMatchObject({ ok: false, entries: 2, failure: { seq: 3, reason: 'malformed', message: expect.stringMatching(/line 3 is not valid UTF-8/) } });
  });
});
