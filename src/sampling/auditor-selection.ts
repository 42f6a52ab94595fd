import { compareIds, SELECTION_ALGORITHM, type Selection } from './select-sample.js';
import { PRNG_NAME } from './prng.js';

export class SelectionListError extends Error {
  override name = 'SelectionListError';
}

/**
 * An auditor's own selection: change ids, one per line (blank lines and `#`
 * comments ignored), a CSV whose header has an `id` column, or a JSON array of
 * ids (or an object with an `ids` array, as in selection.json). Every id must
 * be in the population; unknown or duplicate ids are refused, naming them.
 *
 * @example parseSelectionList('acme/api#42\nacme/api#57\n', populationIds)
 */
export function parseSelectionList(text: string, populationIds: ReadonlySet<string>): Selection {
  const ids = readIds(text.replace(/^\uFEFF/, ''));
  if (!ids.length) throw new SelectionListError('the selection list names no change id');
  const seen = new Set<string>();
  const duplicates = ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
  if (duplicates.length) throw new SelectionListError(`the selection list repeats ${duplicates.slice(0, 5).join(', ')}`);
  const unknown = ids.filter((id) => !populationIds.has(id));
  if (unknown.length) {
    throw new SelectionListError(`${unknown.length} id(s) of the selection list are not in the population: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`);
  }
  return {
    method: 'auditor_list',
    prng: PRNG_NAME,
    algorithm: SELECTION_ALGORITHM,
    seed: null,
    strata: 'none',
    allocation: [{ stratum: 'all', population: populationIds.size, sample: ids.length }],
    raised: null,
    ids: [...ids].sort(compareIds),
  };
}

function readIds(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (cause) {
      throw new SelectionListError(`the selection list is not valid JSON: ${(cause as Error).message}`);
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { ids?: unknown }).ids;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
      throw new SelectionListError('a JSON selection list must be an array of ids, or an object with an "ids" array');
    }
    return list.map((s) => s.trim());
  }
  const lines = trimmed.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const header = lines[0]?.split(',').map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  if (header && header.length > 1) {
    const col = header.indexOf('id');
    if (col < 0) throw new SelectionListError('a CSV selection list needs an `id` column');
    return lines.slice(1).map((l) => (l.split(',')[col] ?? '').trim().replace(/^"|"$/g, '')).filter(Boolean);
  }
  return header?.[0] === 'id' ? lines.slice(1) : lines;
}
