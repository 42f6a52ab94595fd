import { LedgerError } from './errors.js';
import { ENTRY_KINDS, type AppendOptions, type EntryInput } from './ledger.js';

const APPENDABLE = new Set<string>(ENTRY_KINDS.filter((kind) => kind !== 'checkpoint'));
/** `owner/name`: one slash, no whitespace (GitHub's own rules are narrower still). */
const REPO = /^[^/\s]+\/[^/\s]+$/;
const MAX_SUBJECT = 1000;
const MAX_DELIVERY_ID = 200;

/**
 * Checks what an append carries before it takes the write lock, so a bad
 * input is a clear error and never a half-done transaction.
 *
 * @example
 * validateAppend({ kind: 'push', repo: 'acme/api', subject: 'push/abc', data: {} }, {}) // [input]
 */
export function validateAppend(input: EntryInput | readonly EntryInput[], options: AppendOptions): readonly EntryInput[] {
  const inputs: readonly EntryInput[] = Array.isArray(input) ? input : [input as EntryInput];
  if (inputs.length === 0) throw invalid('nothing to append (an empty list)', 'Pass at least one entry.');
  inputs.forEach((entry, index) => {
    const at = inputs.length > 1 ? ` (entry ${index})` : '';
    if (typeof entry !== 'object' || entry === null) throw invalid(`the entry${at} is not an object`, 'Pass { kind, repo, subject, data }.');
    if (!APPENDABLE.has(entry.kind)) {
      throw invalid(`kind ${JSON.stringify(entry.kind)}${at} is not appendable`,
        `Use one of ${[...APPENDABLE].join(', ')}; checkpoints are written by the ledger itself.`);
    }
    if (entry.repo !== null && (typeof entry.repo !== 'string' || !REPO.test(entry.repo))) {
      throw invalid(`repo ${JSON.stringify(entry.repo)}${at} is not owner/name`, 'Pass the full name, e.g. acme/api, or null.');
    }
    if (typeof entry.subject !== 'string' || entry.subject.length === 0 || entry.subject.length > MAX_SUBJECT) {
      throw invalid(`subject${at} must be a non-empty string of at most ${MAX_SUBJECT} characters`, 'e.g. pull/42, push/<sha>, deployment/123.');
    }
    if (entry.data === undefined) throw invalid(`data${at} is undefined`, 'Pass the evidence as JSON data (null if there is none).');
  });
  const id = options.deliveryId;
  if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > MAX_DELIVERY_ID)) {
    throw invalid('deliveryId must be a non-empty string', 'Pass the X-GitHub-Delivery header, or omit it.');
  }
  return inputs;
}

function invalid(what: string, hint: string): LedgerError {
  return new LedgerError('LEDGER_INVALID_ENTRY', `Cannot append: ${what}.`, hint);
}
