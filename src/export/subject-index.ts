// Which entries are about which population item: built while the ledger is
// verified, so the sampled items' evidence is read by seq.

/** The seqs of every entry about a pull request or a deployment, by `repo subject` (see {@link subjectKey}). */
export type SubjectIndex = Map<string, number[]>;

/**
 * Pull requests and deployments. A direct push's entries (the push and its
 * exception) are the scan's own kinds, kept in memory by it: indexing every
 * push subject would cost one key per merge for a handful of items.
 */
const ITEM_SUBJECT = /^(?:pull|deployment)\//;

export function subjectKey(repo: string, subject: string): string {
  return `${repo} ${subject}`;
}

/** Adds an entry to the index when its subject is a population item's. */
export function indexSubject(index: SubjectIndex, repo: string | null, subject: string, seq: number): void {
  if (repo === null || !ITEM_SUBJECT.test(subject)) return;
  const key = subjectKey(repo, subject);
  const seqs = index.get(key);
  if (seqs) seqs.push(seq);
  else index.set(key, [seq]);
}


/**
 * Looks up the seqs of some subjects (keys from {@link subjectKey}), once:
 * the index may live in a worker thread, which ends after answering.
 */
export type SubjectLookup = (keys: readonly string[]) => Promise<Map<string, number[]>>;

/** A lookup over an index in this thread. */
export function localLookup(index: SubjectIndex): SubjectLookup {
  return async (keys) => new Map(keys.map((k) => [k, index.get(k) ?? []]));
}
