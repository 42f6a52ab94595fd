import type { ObservationPeriod } from '../sampling/period.js';

/** How much of the period the ledger covers for one repository. */
export interface RepositoryCoverage {
  repository: string;
  /** From when the ledger covers it (its first entry, or the installation record that added it); null: never. */
  from: string | null;
  /** `whole`: from before the period; `partial`: from inside it; `none`: not before its end. */
  covers: 'whole' | 'partial' | 'none';
}

export interface Coverage {
  repositories: RepositoryCoverage[];
  /** Some repository is covered for only part of the period (or none of it). */
  partial: boolean;
  /** The export was asked to go ahead anyway (`--allow-partial-coverage`). */
  partialAllowed: boolean;
}

export class CoverageError extends Error {
  override name = 'CoverageError';
}

/**
 * What the ledger can vouch for: a period the ledger did not cover is not a
 * period in which nothing happened. Each repository of the export is covered
 * from its first entry or installation record; a period that starts before
 * that is refused unless `allowPartial` (then the report, the manifest and
 * the job summary say so); a period covered for no repository is refused.
 *
 * @example coverageOf(scan.coverage, ['acme/api'], period, false).repositories[0].covers // 'whole'
 */
export function coverageOf(firstSeen: ReadonlyMap<string, string>, repos: readonly string[] | null, period: ObservationPeriod, allowPartial: boolean): Coverage {
  const names = repos ?? [...firstSeen.keys()].sort();
  const repositories = names.map((repository): RepositoryCoverage => {
    const from = firstSeen.get(repository) ?? null;
    const at = from === null ? Number.POSITIVE_INFINITY : Date.parse(from);
    const covers = at <= Date.parse(period.start) ? 'whole' : at < Date.parse(period.end) ? 'partial' : 'none';
    return { repository, from, covers };
  });
  if (!repositories.length || repositories.every((r) => r.covers === 'none')) {
    throw new CoverageError(
      `the ledger covers ${repositories.length ? listNames(repositories) : 'no repository'} for none of ${period.label} (${period.from} to ${period.to}): ` +
      `${repositories.length ? describe(repositories) : 'it holds no entry about any repository'}. An export of a period the ledger did not record would read as "nothing happened"; choose a period the ledger covers`,
    );
  }
  const partial = repositories.some((r) => r.covers !== 'whole');
  if (partial && !allowPartial) {
    throw new CoverageError(
      `the ledger does not cover all of ${period.label}, which starts ${period.start}: ${describe(repositories.filter((r) => r.covers !== 'whole'))}. ` +
      'Export a period the ledger covers, or pass --allow-partial-coverage (Action: allow-partial-coverage: true) to export it anyway: the report, the manifest and the job summary then say what is not covered',
    );
  }
  return { repositories, partial, partialAllowed: partial && allowPartial };
}

/** "acme/api from 2026-03-10T08:00:00.000Z; acme/web never" */
export function describe(repositories: readonly RepositoryCoverage[]): string {
  return repositories.map((r) => `${r.repository} ${r.from === null ? 'never (no entry about it)' : `from ${r.from}`}`).join('; ');
}

function listNames(repositories: readonly RepositoryCoverage[]): string {
  return repositories.map((r) => r.repository).join(', ');
}
