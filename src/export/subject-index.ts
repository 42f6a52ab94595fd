// Which entries are about which population item: built while the ledger is
// verified, so the sampled items' evidence is read by seq.

/** The seqs of every entry about a population item, by `repo subject` (see {@link subjectKey}). */
export type SubjectIndex = Map<string, number[]>;

const ITEM_SUBJECT = /^(?:pull|push|deployment)\//;

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

