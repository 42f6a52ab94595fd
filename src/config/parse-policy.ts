import { Document, isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { PolicySchema, type Policy } from './policy.schema.js';
import { describeIssue } from './describe-issue.js';

/** The default location of the policy file in a repository. */
export const POLICY_PATH = '.github/changeproof.yml';

/** GitHub's contents API serves files up to 1 MB; a policy is a few hundred bytes. */
const MAX_POLICY_BYTES = 256 * 1024;

/** One thing wrong with a policy file, located as precisely as the file allows. */
export interface PolicyProblem {
  /** e.g. `acme/api:.github/changeproof.yml` */
  file: string;
  /** 1-based; `null` when the problem is the file as a whole. */
  line: number | null;
  column: number | null;
  /** Dotted key path, e.g. `peer_review.required_approvals`; `null` for syntax errors. */
  key: string | null;
  message: string;
  hint: string;
}

/** A policy file that could not be used, with every problem found in it. */
export class PolicyError extends Error {
  readonly file: string;
  readonly problems: PolicyProblem[];

  constructor(problems: [PolicyProblem, ...PolicyProblem[]], options?: { cause?: unknown }) {
    super(problems.map(formatProblem).join('\n'), options);
    this.name = 'PolicyError';
    this.file = problems[0].file;
    this.problems = problems;
  }
}

/** `file:line:column: key: message (hint)` — the form editors and CI logs link. */
export function formatProblem(p: PolicyProblem): string {
  const where = p.line === null ? p.file : `${p.file}:${p.line}:${p.column ?? 1}`;
  const key = p.key ? `${p.key}: ` : '';
  return `${where}: ${key}${p.message}. Hint: ${p.hint}`;
}

/** One file's own settings, validated but not yet merged or defaulted. */
export interface PolicyLayer {
  file: string;
  /** The file's settings exactly as written (no defaults), without `_extends`. */
  settings: Record<string, unknown>;
  /** The file's `_extends` target, if any. */
  extends: string | null;
}

export type LayerResult = { ok: true; layer: PolicyLayer } | { ok: false; error: PolicyError };
export type PolicyResult = { ok: true; policy: Policy } | { ok: false; error: PolicyError };

/**
 * Parses and validates one policy file. Never throws: a problem comes back as
 * a {@link PolicyError} naming the file, line and key, with a hint.
 *
 * @example
 * const r = parsePolicyLayer('peer_review:\n  required_approvals: 2\n', 'acme/api:.github/changeproof.yml');
 * if (r.ok) r.layer.settings; // { peer_review: { required_approvals: 2 } }
 */
export function parsePolicyLayer(text: string, file: string): LayerResult {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) {
    return failure(file, null, `is larger than ${MAX_POLICY_BYTES / 1024} KiB`, 'a policy file is a few dozen lines; check that the right file was committed');
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const syntax = [...doc.errors, ...doc.warnings];
  if (syntax.length > 0) {
    const problems = syntax.map((e): PolicyProblem => {
      const pos = lineCounter.linePos(e.pos[0]);
      return {
        file,
        line: pos.line,
        column: pos.col,
        key: null,
        message: `YAML syntax error: ${firstLine(e.message)}`,
        hint: yamlHint(e.code, e.message),
      };
    });
    return { ok: false, error: new PolicyError(problems as [PolicyProblem, ...PolicyProblem[]]) };
  }

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    return failure(file, null, `could not be read: ${(cause as Error).message}`, 'simplify the YAML (anchors and aliases are limited to 100)');
  }
  if (value === null || value === undefined) {
    return { ok: true, layer: { file, settings: {}, extends: null } };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return failure(file, 1, 'must be a mapping of sections (peer_review:, checks:, …)', `start the file with a section name such as \`peer_review:\`; see schema.json`);
  }

  const checked = PolicySchema.safeParse(value);
  if (!checked.success) {
    return { ok: false, error: errorFromIssues(checked.error.issues, value, doc, lineCounter, file) };
  }
  const { _extends, ...settings } = value as Record<string, unknown>;
  return {
    ok: true,
    layer: { file, settings, extends: typeof _extends === 'string' ? _extends.trim() : null },
  };
}

/**
 * Merges policy layers (the organisation default first, the repository's own
 * file last) with Probot's `_extends` semantics — a deep merge where the later
 * file wins on scalars and lists are concatenated — then fills the defaults.
 *
 * @example
 * resolvePolicy([orgLayer, repoLayer]) // repo wins where both set a key
 */
export function resolvePolicy(layers: PolicyLayer[]): PolicyResult {
  const merged = layers.reduce<Record<string, unknown>>((acc, layer) => mergeSettings(acc, layer.settings), {});
  const checked = PolicySchema.safeParse(merged);
  if (!checked.success) {
    // Each layer was valid alone, so the merge itself broke a rule (e.g. a list too long).
    const files = layers.map((l) => l.file).join(' merged over ');
    const lineCounter = new LineCounter();
    return { ok: false, error: errorFromIssues(checked.error.issues, merged, new Document(merged), lineCounter, files) };
  }
  const { _extends: _ignored, ...policy } = checked.data;
  return { ok: true, policy };
}

/** Parses a single file with no `_extends` resolution (its `_extends`, if any, is not followed). */
export function parsePolicy(text: string, file = POLICY_PATH): PolicyResult {
  const layer = parsePolicyLayer(text, file);
  return layer.ok ? resolvePolicy([layer.layer]) : layer;
}

/** The policy used when a repository has no file. */
export function defaultPolicy(): Policy {
  const { _extends: _ignored, ...policy } = PolicySchema.parse({});
  return policy;
}

function mergeSettings(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prior = out[key];
    if (Array.isArray(prior) && Array.isArray(value)) {
      out[key] = [...prior, ...value.filter((v) => !prior.includes(v))];
    } else if (isPlainObject(prior) && isPlainObject(value)) {
      out[key] = mergeSettings(prior, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function errorFromIssues(
  issues: z.core.$ZodIssue[],
  value: unknown,
  doc: Document,
  lineCounter: LineCounter,
  file: string,
): PolicyError {
  const problems = issues.flatMap((issue) => {
    const described = describeIssue(issue, value);
    return described.map(({ path, message, hint, onKey }): PolicyProblem => {
      const pos = locate(doc, lineCounter, path, onKey);
      return { file, line: pos?.line ?? null, column: pos?.col ?? null, key: path.join('.') || null, message, hint };
    });
  });
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return new PolicyError(problems as [PolicyProblem, ...PolicyProblem[]]);
}

/** Line and column of the value at `path` (or of its key, for unknown keys). */
function locate(doc: Document, lineCounter: LineCounter, path: (string | number)[], onKey: boolean) {
  if (lineCounter.lineStarts.length === 0) return null;
  let node: unknown = doc.contents;
  let keyNode: unknown = null;
  for (const segment of path) {
    if (!node || typeof node !== 'object' || !('items' in node)) break;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else {
      const items = (node as { items: unknown[] }).items;
      node = items[Number(segment)];
      keyNode = node;
    }
  }
  const target = (onKey ? keyNode : node) ?? keyNode ?? node;
  const range = (target as { range?: [number, number, number] } | null)?.range;
  return range ? lineCounter.linePos(range[0]) : null;
}

function failure(file: string, line: number | null, message: string, hint: string): { ok: false; error: PolicyError } {
  return { ok: false, error: new PolicyError([{ file, line, column: line === null ? null : 1, key: null, message, hint }]) };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function yamlHint(code: string, message: string): string {
  if (/quote/i.test(message)) return 'close the quoted text on the same line, or use a block scalar (`|`) for several lines';
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'each key may appear once in a section; merge the two entries';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check the indentation and that each key is followed by `: `';
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'a key must fit on one line and end with `:`; check the indentation of the next line';
    default:
      return 'check the YAML near this line (https://yaml.org/spec/1.2.2/)';
  }
}
