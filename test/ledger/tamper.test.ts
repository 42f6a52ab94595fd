import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/ledger/canonical.js';
import { signCheckpoint, type SignedCheckpoint } from '../../src/ledger/checkpoint.js';
import { entryHash } from '../../src/ledger/hash.js';
import { latestCheckpointInFile } from '../../src/ledger/ledger-file.js';
import type { LedgerEntry } from '../../src/ledger/ledger.js';
import { openReadOnly } from '../../src/ledger/sqlite-connection.js';
import { iterateStored, toLedgerEntry, toLine } from '../../src/ledger/sqlite-reader.js';
import { generateSigningKey } from '../../src/ledger/signing-key.js';
import { verifyLedger, type VerifyLedgerOptions } from '../../src/ledger/verify.js';
import { buildLedger, removeTempDirs, tamperWith, type BuiltLedger } from './support/ledger-fixture.js';

// 20 entries, a checkpoint every 5: entries 1–5, checkpoint 6 (size 5), 7–11,
// checkpoint 12, 13–17, checkpoint 18, 19–23, checkpoint 24 (size 23).
let built: BuiltLedger;
beforeEach(async () => {
  built = await buildLedger({ count: 20, everyEntries: 5 });
});
afterEach(removeTempDirs);

/** Verifies in both modes (stored bytes, and RFC 8785 re-serialisation); they must agree. */
async function verifyBoth(source: string, options: Partial<VerifyLedgerOptions> = {}) {
  const fast = await verifyLedger(source, { publicKey: built.publicKey, ...options });
  const canonical = await verifyLedger(source, { publicKey: built.publicKey, canonical: true, ...options });
  expect(canonical.failure).toEqual(fast.failure);
  return fast;
}

function linesOf(path: string): string[] {
  const db = openReadOnly(path);
  try {
    return [...iterateStored(db)].map(toLine);
  } finally {
    db.close();
  }
}

function writeNdjson(lines: string[], name = 'edited.ndjson', newline = true): string {
  const path = join(built.dir, name);
  writeFileSync(path, lines.join('\n') + (newline ? '\n' : ''));
  return path;
}

/**
 * What a careful attacker does: change entry `fromSeq`, then recompute every
 * later prev_hash and hash so the chain links again. Checkpoints keep their
 * signed data unless `resign` rewrites it.
 */
function rewriteFrom(fromSeq: number, change: (e: LedgerEntry) => LedgerEntry, resign?: (size: number, head: string, old: SignedCheckpoint) => SignedCheckpoint) {
  const db = tamperWith(built.path);
  const rows = [...iterateStored(db)].map(toLedgerEntry);
  let prev = rows[fromSeq - 2]!.hash;
  const update = db.prepare('UPDATE entries SET hash = ?, body = ? WHERE seq = ?');
  for (const row of rows.slice(fromSeq - 1)) {
    let entry = row.seq === fromSeq ? change(row) : row;
    if (entry.kind === 'checkpoint' && resign) entry = { ...entry, data: resign(entry.seq - 1, prev, entry.data as unknown as SignedCheckpoint) as never };
    const { hash: _old, ...rest } = { ...entry, prev_hash: prev };
    const body = canonicalJson(rest);
    prev = entryHash(rest.prev_hash, body);
    update.run(prev, body, row.seq);
  }
  db.close();
}

const changeVerdict = (e: LedgerEntry): LedgerEntry => ({ ...e, data: { ...(e.data as object), verdict: 'non_compliant' } });

describe('a SQLite ledger tampered with outside the app', () => {
  it('is intact before anything is touched', async () => {
    expect(await verifyBoth(built.path, { requireFinalCheckpoint: true }))
      .toMatchObject({ ok: true, entries: 24, checkpoints: 4, lastSeq: 24, unsignedTail: 0 });
  });

  it("an entry's data changed (triggers dropped): hash mismatch at that seq", async () => {
    const db = tamperWith(built.path);
    db.prepare("UPDATE entries SET body = replace(body, '\"verdict\":\"compliant\"', '\"verdict\":\"non_compliant\"') WHERE seq = 8").run();
    db.close();
    expect((await verifyBoth(built.path)).failure).toMatchObject({ seq: 8, reason: 'hash_mismatch' });
  });

  it('an index column changed (to hide an entry from filtered reads): index mismatch', async () => {
    const db = tamperWith(built.path);
    db.prepare("UPDATE entries SET repo = 'acme/other' WHERE seq = 9").run();
    db.close();
    expect((await verifyBoth(built.path)).failure).toMatchObject({ seq: 9, reason: 'index_mismatch' });
  });

  it('an entry changed and the chain re-hashed: the next checkpoint no longer matches, with the range at fault', async () => {
    rewriteFrom(8, changeVerdict);
    expect((await verifyBoth(built.path)).failure).toMatchObject({ seq: 12, reason: 'checkpoint_inconsistent', range: [7, 11] });
  });

  it('… and the checkpoint updated without the key (forged): bad signature', async () => {
    rewriteFrom(8, changeVerdict, (size, head, old) => ({ ...old, size, head_hash: head }));
    expect((await verifyBoth(built.path)).failure).toMatchObject({ seq: 12, reason: 'bad_signature', message: expect.stringMatching(/forged or altered/) });
  });

  it('… and the checkpoints re-signed with another key: bad signature, naming the other key', async () => {
    const other = generateSigningKey();
    rewriteFrom(8, changeVerdict, (size, head, old) => signCheckpoint(other, { size, head_hash: head, time: old.time }));
    expect((await verifyBoth(built.path)).failure).toMatchObject({ seq: 12, reason: 'bad_signature', message: expect.stringContaining(other.keyId.slice(0, 16)) });
  });

  it('an entry deleted: gap at that seq', async () => {
    tamperWith(built.path).prepare('DELETE FROM entries WHERE seq = 9').run();
    expect((await verifyBoth(built.path)).failure).toMatchObject({ seq: 9, reason: 'gap' });
  });

  it('two entries swapped: reorder at the first of them', async () => {
    const db = tamperWith(built.path);
    db.exec('UPDATE entries SET seq = 1000 WHERE seq = 9; UPDATE entries SET seq = 9 WHERE seq = 10; UPDATE entries SET seq = 10 WHERE seq = 1000;');
    db.close();
    expect((await verifyBoth(built.path)).failure).toMatchObject({ seq: 9, reason: 'reorder' });
  });

  describe('the tail truncated', () => {
    it('is detected against a checkpoint kept elsewhere, at the first missing seq', async () => {
      const anchor = latestCheckpointInFile(built.path)!;
      tamperWith(built.path).prepare('DELETE FROM entries WHERE seq > 20').run();
      expect((await verifyBoth(built.path, { anchor })).failure).toMatchObject({ seq: 21, reason: 'truncated' });
    });

    it('is detected against a kept checkpoint even when cut exactly after an earlier checkpoint', async () => {
      const anchor = latestCheckpointInFile(built.path)!;
      tamperWith(built.path).prepare('DELETE FROM entries WHERE seq > 18').run();
      expect((await verifyBoth(built.path, { anchor })).failure).toMatchObject({ seq: 19, reason: 'truncated' });
    });

    it('mid-tail, fails --require-final-checkpoint at the first entry after the last checkpoint', async () => {
      tamperWith(built.path).prepare('DELETE FROM entries WHERE seq > 20').run();
      expect((await verifyBoth(built.path, { requireFinalCheckpoint: true })).failure).toMatchObject({ seq: 19, reason: 'unsigned_tail' });
      // Without either, the file alone cannot tell a cut from a crash: it passes, and says what is unsigned.
      expect(await verifyBoth(built.path)).toMatchObject({ ok: true, unsignedTail: 2, warnings: [expect.stringMatching(/2 entries after the last checkpoint/)] });
    });

    it('exactly at a checkpoint, is invisible without a kept checkpoint (the documented limit)', async () => {
      tamperWith(built.path).prepare('DELETE FROM entries WHERE seq > 18').run();
      expect(await verifyBoth(built.path, { requireFinalCheckpoint: true })).toMatchObject({ ok: true, lastSeq: 18 });
    });
  });

  it('a kept checkpoint contradicted by rewritten history: checkpoint inconsistent at its size', async () => {
    const anchor = latestCheckpointInFile(built.path)!; // size 23, signed over entry 23's hash
    tamperWith(built.path).prepare('DELETE FROM entries WHERE seq = 24').run();
    rewriteFrom(23, changeVerdict);
    // The file alone now looks like a crash after entry 23 …
    expect(await verifyBoth(built.path)).toMatchObject({ ok: true, unsignedTail: 5 });
    // … but not to someone who kept the checkpoint.
    expect((await verifyBoth(built.path, { anchor })).failure).toMatchObject({ seq: 23, reason: 'checkpoint_inconsistent' });
  });

  it('a kept checkpoint that is itself forged is refused', async () => {
    const anchor = { ...latestCheckpointInFile(built.path)!, size: 99 };
    expect((await verifyBoth(built.path, { anchor })).failure).toMatchObject({ seq: 99, reason: 'bad_signature' });
  });
});

describe('an NDJSON export edited', () => {
  let lines: string[];
  beforeEach(() => {
    lines = linesOf(built.path);
  });

  it('verifies unedited; reformatted (same content, other key order and spacing), it is malformed: the text is what was hashed and signed', async () => {
    expect((await verifyBoth(writeNdjson(lines), { requireFinalCheckpoint: true })).ok).toBe(true);
    const reformatted = lines.map((l) => {
      const { seq, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify({ seq, ...rest }, null, 0).replace(/,"/g, ', "');
    });
    expect((await verifyBoth(writeNdjson(reformatted))).failure).toMatchObject({ seq: 1, reason: 'malformed' });
  });

  it('a value changed in a line: hash mismatch at that seq', async () => {
    lines[14] = lines[14]!.replace('reviewer-', 'reviewer_');
    expect((await verifyBoth(writeNdjson(lines))).failure).toMatchObject({ seq: 15, reason: 'hash_mismatch' });
  });

  it('a hash changed: hash mismatch at that seq', async () => {
    lines[2] = lines[2]!.replace(/"hash":"([0-9a-f])/, (_, c: string) => `"hash":"${c === '0' ? '1' : '0'}`);
    expect((await verifyBoth(writeNdjson(lines))).failure).toMatchObject({ seq: 3, reason: 'hash_mismatch' });
  });

  it('a line deleted: gap', async () => {
    lines.splice(9, 1);
    expect((await verifyBoth(writeNdjson(lines))).failure).toMatchObject({ seq: 10, reason: 'gap' });
  });

  it('two lines swapped: reorder', async () => {
    [lines[9], lines[10]] = [lines[10]!, lines[9]!];
    expect((await verifyBoth(writeNdjson(lines))).failure).toMatchObject({ seq: 10, reason: 'reorder' });
  });

  it('a line repeated: reorder', async () => {
    lines.splice(5, 0, lines[4]!);
    expect((await verifyBoth(writeNdjson(lines))).failure).toMatchObject({ seq: 6, reason: 'reorder' });
  });

  it('a line that is not an entry: malformed', async () => {
    lines.splice(3, 0, '{"hello":"world"}');
    expect((await verifyBoth(writeNdjson(lines))).failure).toMatchObject({ seq: 4, reason: 'malformed' });
  });

  it('the last line cut short: truncated', async () => {
    lines[23] = lines[23]!.slice(0, 100);
    expect((await verifyBoth(writeNdjson(lines, 'cut.ndjson', false))).failure).toMatchObject({ seq: 24, reason: 'truncated' });
  });

  it('the last lines removed: truncated against a kept checkpoint', async () => {
    const anchor = latestCheckpointInFile(built.path)!;
    expect((await verifyBoth(writeNdjson(lines.slice(0, 16)), { anchor })).failure).toMatchObject({ seq: 17, reason: 'truncated' });
  });

  it('a segment that does not start at seq 1 fails, unless verified as --partial', async () => {
    const path = writeNdjson(lines.slice(6));
    expect((await verifyBoth(path)).failure).toMatchObject({ seq: 1, reason: 'gap' });
    expect(await verifyBoth(path, { partial: true })).toMatchObject({ ok: true, firstSeq: 7, entries: 18, checkpoints: 3 });
  });

  it('checked from a stream as well as a file', async () => {
    lines[14] = lines[14]!.replace('reviewer-', 'reviewer_');
    const report = await verifyLedger([lines.slice(0, 10).join('\n'), '\n', lines.slice(10).join('\n'), '\n'], { publicKey: built.publicKey });
    expect(report.failure).toMatchObject({ seq: 15, reason: 'hash_mismatch' });
  });
});
