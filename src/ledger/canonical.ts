import canonicalize from 'canonicalize';
import { LedgerError } from './errors.js';

/**
 * RFC 8785 (JCS) canonical JSON of `value`, through the maintained
 * `canonicalize` package: keys sorted by UTF-16 code units, no whitespace,
 * numbers as ECMAScript prints them. Refuses what JSON cannot carry
 * (functions, bigint, NaN, lone surrogates, cycles) instead of writing
 * something a verifier would read differently.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return canonicalWithValue(value).text;
}

/**
 * {@link canonicalJson} and the value a reader gets back from that text
 * (`JSON.parse` of it): the round trip that validates the text is also the
 * value an append returns, so it is parsed once.
 */
export function canonicalWithValue(value: unknown): { text: string; value: unknown } {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (error) {
    throw invalid((error as Error).message, error);
  }
  if (text === undefined) throw invalid('the value is undefined');
  try {
    // canonicalize prints a function as the bare word `undefined`; a parse
    // round trip catches that and anything else that is not JSON.
    return { text, value: JSON.parse(text) };
  } catch (error) {
    throw invalid('it contains a value JSON cannot represent (a function?)', error);
  }
}

function invalid(reason: string, cause?: unknown): LedgerError {
  return new LedgerError(
    'LEDGER_INVALID_ENTRY',
    `Cannot record the entry as canonical JSON: ${reason}.`,
    'Pass plain JSON data (strings, finite numbers, booleans, null, arrays, objects).',
    { cause },
  );
}
