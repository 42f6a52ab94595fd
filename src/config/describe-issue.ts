import type { z } from 'zod';
import { PolicySchema } from './policy.schema.js';
import { plural } from '../core/format.js';

export interface DescribedIssue {
  path: (string | number)[];
  message: string;
  hint: string;
  /** Point at the key itself (unknown keys) rather than at its value. */
  onKey: boolean;
}

type AnySchema = z.core.$ZodType;

/**
 * Turns a zod issue into words a user can act on: what is wrong with which key,
 * and a hint drawn from the schema (the key's documentation, the allowed range,
 * the nearest known key for a typo).
 */
export function describeIssue(issue: z.core.$ZodIssue, value: unknown): DescribedIssue[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  const field = schemaAt(path);
  const doc = field ? documentation(field) : null;
  const seen = valueAt(value, path);

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(schemaAt(path));
      return issue.keys.map((key) => {
        const near = nearest(key, known);
        const where = path.length ? `in \`${path.join('.')}\`` : 'at the top level';
        return {
          path: [...path, key],
          message: `unknown key ${where}`,
          hint: `${near ? `did you mean \`${near}\`? ` : ''}known keys ${where}: ${known.join(', ')}`,
          onKey: true,
        };
      });
    }
    case 'invalid_type':
      return [
        {
          path,
          message: `expected ${article(expectedName(issue.expected))}, got ${describeValue(seen)}`,
          hint: typeHint(issue.expected, doc),
          onKey: false,
        },
      ];
    case 'too_big':
      return [{ path, message: `${rangeMessage(issue, 'max')}, got ${describeValue(seen)}`, hint: doc ?? 'use a smaller value', onKey: false }];
    case 'too_small':
      return [{ path, message: `${rangeMessage(issue, 'min')}, got ${describeValue(seen)}`, hint: doc ?? 'use a larger value', onKey: false }];
    case 'invalid_union': {
      // A value of one of several shapes (a name, or a mapping): explain it by
      // the branch of its own kind, so `{ nam: build }` reads as an unknown key.
      const objectBranch = issue.errors.find((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (seen !== null && typeof seen === 'object' && !Array.isArray(seen) && objectBranch) {
        return objectBranch.flatMap((sub) => describeIssue({ ...sub, path: [...issue.path, ...sub.path] } as z.core.$ZodIssue, value));
      }
      return [{ path, message: `expected one of the allowed forms, got ${describeValue(seen)}`, hint: doc ?? 'see schema.json for the allowed values', onKey: false }];
    }
    case 'custom': {
      // A check with advice of its own (e.g. the ticket pattern's) passes it as `params.hint`.
      const hint = (issue.params as { hint?: unknown } | undefined)?.hint;
      return [{ path, message: issue.message, hint: typeof hint === 'string' ? hint : doc ?? 'see schema.json for the allowed values', onKey: false }];
    }
    default:
      return [{ path, message: `${issue.message}, got ${describeValue(seen)}`, hint: doc ?? 'see schema.json for the allowed values', onKey: false }];
  }
}

function rangeMessage(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall, side: 'max' | 'min'): string {
  const bound = 'maximum' in issue ? issue.maximum : (issue as z.core.$ZodIssueTooSmall).minimum;
  if (issue.origin === 'array') {
    return side === 'max' ? `must list at most ${plural(Number(bound), 'item', 'items')}` : issue.message || `must list at least ${plural(Number(bound), 'item', 'items')}`;
  }
  if (issue.origin === 'string') return 'must not be empty';
  const strict = issue.inclusive === false;
  if (side === 'max') return strict ? `must be less than ${bound}` : `must be at most ${bound}`;
  return strict ? `must be greater than ${bound}` : `must be at least ${bound}`;
}

/** The schema of the key at `path` (array indices step into the element), unwrapped. */
function schemaAt(path: (string | number)[]): AnySchema | null {
  let schema: AnySchema | null = PolicySchema;
  for (const segment of path) {
    schema = schema ? objectBranch(unwrap(schema)) : null;
    if (!schema) return null;
    const def = schema._zod.def as { type: string; shape?: Record<string, AnySchema>; element?: AnySchema };
    if (def.type === 'object' && def.shape) schema = def.shape[String(segment)] ?? null;
    else if (def.type === 'array' && def.element) schema = def.element;
    else return null;
  }
  return schema;
}

/** A union of a name and a mapping (`checks.required` entries) read as its mapping, to look up keys in it. */
function objectBranch(schema: AnySchema): AnySchema {
  const def = schema._zod.def as { type: string; options?: AnySchema[] };
  if (def.type !== 'union' || !def.options) return schema;
  return def.options.map(unwrap).find((o) => (o._zod.def as { type: string }).type === 'object') ?? schema;
}

function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const def = s._zod.def as { type: string; innerType?: AnySchema };
    if (!def.innerType || !['default', 'prefault', 'optional', 'nullable', 'pipe', 'readonly'].includes(def.type)) return s;
    s = def.innerType;
  }
}

function documentation(schema: AnySchema): string | null {
  let s: AnySchema | undefined = schema;
  while (s) {
    const description = (s as { description?: string }).description;
    if (description) return description;
    s = (s._zod.def as { innerType?: AnySchema }).innerType;
  }
  return null;
}

function knownKeys(schema: AnySchema | null): string[] {
  if (!schema) return [];
  const def = objectBranch(unwrap(schema))._zod.def as { type: string; shape?: Record<string, unknown> };
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function expectedName(expected: string): string {
  if (expected === 'int') return 'whole number';
  if (expected === 'array') return 'list';
  if (expected === 'object') return 'mapping';
  return expected;
}

function typeHint(expected: string, doc: string | null): string {
  const how: Record<string, string> = {
    boolean: 'write true or false (YAML 1.2: yes/no/on/off are strings)',
    number: 'write a number without quotes',
    int: 'write a whole number without quotes',
    string: 'write text; quote it if it starts with a special character',
    array: 'write a list, e.g. `[a, b]` or one `- item` per line',
    object: 'write a mapping of keys indented under this one',
  };
  const parts = [how[expected], doc].filter(Boolean);
  return parts.length ? parts.join('. ') : 'see schema.json';
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function valueAt(value: unknown, path: (string | number)[]): unknown {
  let v = value;
  for (const segment of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[segment];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** The known key closest to a typo (edit distance ≤ 3), if any. */
function nearest(key: string, known: string[]): string | null {
  let best: string | null = null;
  let bestDistance = 4;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
