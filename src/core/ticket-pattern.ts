import { RE2JS } from 're2js';

/**
 * The most RE2 instructions a ticket pattern may compile to. RE2 matches in
 * time linear in the text, but the factor is the pattern's compiled size: a
 * short pattern with a large counted repetition (`(.*a){1000}`, 5,000
 * instructions) takes seconds on a 64 KB pull-request body. Ticket patterns
 * are small (`[A-Z]+-\d+` is 7, `\bJIRA-[0-9]{1,6}\b` 20, thirty project keys
 * in an alternation 21), and at this bound a match over GitHub's largest body
 * (65,536 characters) takes about 0.3 s at worst on a 2-core server.
 */
export const MAX_TICKET_PATTERN_SIZE = 250;

/** A usable ticket pattern: finds the first reference in a text, in linear time. */
export interface TicketPattern {
  readonly source: string;
  /** The leftmost match in `text` (as a backtracking engine would choose it), or null. */
  find(text: string): string | null;
}

/** A pattern that cannot be used, in the words a policy error shows: what is wrong, and what to do. */
export interface TicketPatternProblem {
  message: string;
  hint: string;
}

export type CompiledTicketPattern = { ok: true; pattern: TicketPattern } | { ok: false; problem: TicketPatternProblem };

const SYNTAX = 'ticket patterns use RE2 syntax (https://github.com/google/re2/wiki/Syntax); see docs/configuration.md, `change_request`';

/**
 * Compiles `change_request.ticket_pattern` with RE2 semantics (re2js): no
 * backtracking, so no title or body can make a match take more than linear
 * time. What RE2 cannot express — backreferences, lookahead, lookbehind — and
 * patterns beyond {@link MAX_TICKET_PATTERN_SIZE} are refused with a problem
 * the policy error reports on the key. Pure and cached: the config check and
 * every evaluation share one compiled pattern.
 *
 * @example
 * const r = compileTicketPattern('[A-Z]+-\\d+');
 * if (r.ok) r.pattern.find('OPS-12: rate limits'); // 'OPS-12'
 */
export function compileTicketPattern(source: string): CompiledTicketPattern {
  let compiled = cache.get(source);
  if (!compiled) {
    compiled = compile(source);
    // A handful of patterns per installation; the bound keeps each one's DFA cache from adding up.
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(source, compiled);
  }
  return compiled;
}

const CACHE_SIZE = 16;
const cache = new Map<string, CompiledTicketPattern>();

function compile(source: string): CompiledTicketPattern {
  const unsupported = unsupportedConstruct(source);
  if (unsupported) return { ok: false, problem: unsupported };
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (error) {
    const reason = (error as Error).message.replace(/^error parsing regexp: /, '');
    return { ok: false, problem: { message: `is not a valid regular expression in RE2 syntax: ${reason}`, hint: SYNTAX } };
  }
  const size = re.programSize();
  if (size > MAX_TICKET_PATTERN_SIZE) {
    return {
      ok: false,
      problem: {
        message: `is too complex: it compiles to ${size} RE2 instructions, and at most ${MAX_TICKET_PATTERN_SIZE} are allowed (matching time grows with the pattern's size times the text's length)`,
        hint: 'replace large counted repetitions such as `{1,1000}` or `(…){100}` with `+` or `*`, e.g. `[A-Z]+-\\d+`',
      },
    };
  }
  return {
    ok: true,
    pattern: {
      source,
      find(text) {
        // The DFA answers "is there a match" fastest; only then is the match itself located.
        if (!re.test(text)) return null;
        const matcher = re.matcher(text);
        return matcher.find() ? matcher.group() : null;
      },
    },
  };
}

/**
 * Backreferences and lookaround, named in the problem: RE2's own message
 * ("invalid escape sequence") would not tell the user why.
 */
function unsupportedConstruct(source: string): TicketPatternProblem | null {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<'))) {
        const shown = next === 'k' ? source.slice(i, source.indexOf('>', i) + 1 || i + 3) : source.slice(i, i + 2);
        return {
          message: `uses a backreference (\`${shown}\`), which a ticket pattern cannot: patterns are matched in linear time (RE2 syntax), and matching a backreference can take exponential time`,
          hint: 'match the text itself instead of repeating a group, e.g. `[A-Z]+-\\d+`; see docs/configuration.md, `change_request`',
        };
      }
      i++;
    } else if (inClass) {
      if (ch === ']') inClass = false;
    } else if (ch === '[') {
      inClass = true;
      // `[]a]` and `[^]a]`: a `]` right after the opening is a literal.
      if (source[i + 1] === '^') i++;
      if (source[i + 1] === ']') i++;
    } else if (ch === '(') {
      const lookaround = /^\(\?(<?[=!])/.exec(source.slice(i, i + 4));
      if (lookaround) {
        const kind = lookaround[1]!.startsWith('<') ? 'lookbehind' : 'lookahead';
        return {
          message: `uses a ${kind} (\`(?${lookaround[1]}\`), which a ticket pattern cannot: patterns are matched in linear time (RE2 syntax), which has no lookahead or lookbehind`,
          hint: 'match the reference itself, e.g. `\\bOPS-\\d+` rather than `(?<=\\s)OPS-\\d+`; see docs/configuration.md, `change_request`',
        };
      }
    }
  }
  return null;
}
