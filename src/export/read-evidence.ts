import { readEntryHeader } from '../ledger/entry-text.js';
import type { LedgerEntry } from '../ledger/ledger.js';
import { toLedgerEntry } from '../ledger/sqlite-reader.js';
import { sourceError, type LedgerSource } from './ledger-source.js';
import { subjectOfItem } from './population.js';
import type { ScanResult } from './scan.js';
import { subjectKey } from './subject-index.js';

/**
 * Every ledger entry about the sampled items — and about the deployments
 * that carried a sampled change — by item id, in seq order. A direct push's
 * entries are in the scan already; for the others the scan's subject index
 * gives their seqs: a store with random access reads just those, an NDJSON
 * file is read up to the last one.
 */
export async function readSampledEvidence(
  source: LedgerSource,
  scan: ScanResult,
  sampled: Iterable<string>,
  onProgress: (read: number, total: number) => void,
): Promise<Map<string, LedgerEntry[]>> {
  const entriesOf = new Map<string, LedgerEntry[]>();
  const keys = new Map<string, string>();
  for (const id of sampled) {
    const push = scan.directPushes.get(id);
    if (push) {
      const exceptions = scan.exceptions.filter((e) => e.repo === push.repo && e.subject === push.subject);
      const responses = [...new Set(exceptions.flatMap((e) => scan.responses.get(e.seq) ?? []))];
      entriesOf.set(id, [push, ...exceptions, ...responses].sort((a, b) => a.seq - b.seq));
      continue;
    }
    const deployments = id.includes('#') ? (scan.deploymentLinks.get(id) ?? []).map((l) => l.itemId) : [];
    for (const itemId of [id, ...deployments]) {
      const { repo, subject } = subjectOfItem(itemId);
      keys.set(subjectKey(repo, subject), itemId);
    }
  }
  const wanted = new Map<number, string>();
  for (const [key, seqs] of await scan.lookup([...keys.keys()])) for (const seq of seqs) wanted.set(seq, keys.get(key)!);
  if (wanted.size === 0) return entriesOf;
  const seqs = [...wanted.keys()].sort((a, b) => a - b);
  try {
    const rows = source.parallel ? source.parallel.bySeq(seqs) : source.stored(seqs.at(-1));
    let read = 0;
    for await (const stored of rows) {
      if (++read % 8192 === 0) onProgress(read, seqs.length);
      const header = readEntryHeader(stored.body);
      const itemId = header ? wanted.get(header.seq) : undefined;
      if (itemId === undefined) continue;
      const entry = toLedgerEntry(stored);
      const list = entriesOf.get(itemId);
      if (list) list.push(entry);
      else entriesOf.set(itemId, [entry]);
    }
  } catch (error) {
    throw sourceError(source, error);
  }
  return entriesOf;
}
