import type { KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import { checkpointSignatureValid, parseSignedCheckpoint } from './checkpoint.js';
import { parseEntryBody, readEntryHeader, type EntryHeader } from './entry-text.js';
import { GENESIS_HASH, entryHash } from './hash.js';
import { keyIdOf } from './signing-key.js';
import type { JsonValue } from './ledger.js';
import type { ChainVerifierOptions, IndexColumns, VerifierInput, VerifyFailure, VerifyFailureReason, VerifyReport } from './verify-report.js';

export type { ChainVerifierOptions, IndexColumns, VerifierInput, VerifyFailure, VerifyFailureReason, VerifyReport } from './verify-report.js';

/**
 * Checks a ledger entry by entry, in storage order, in constant memory, and
 * reports the FIRST sequence number at fault. By default each entry's hash
 * is recomputed over its stored bytes (with the RFC 8785 form as a fallback);
 * `canonical` re-serialises every entry, as docs/ledger.md's recipe does.
 *
 * @example
 * const v = new ChainVerifier({ publicKey });
 * for (const e of stored) if (!v.add(e)) break;
 * const report = v.finish();
 */
export class ChainVerifier {
  private readonly keyId: string;
  private failure: VerifyFailure | null = null;
  /** After a jump forward in seq: the seq that was skipped, to tell a gap from a reorder. */
  private missing: number | null = null;
  private next: number | null = null;
  private prevHash = GENESIS_HASH;
  private lastTime: string | null = null;
  private entries = 0;
  private firstSeq: number | null = null;
  private checkpoints = 0;
  private lastCheckpoint: { seq: number; size: number; time: string } | null = null;
  private anchorMatched: boolean | null = null;

  constructor(private readonly options: ChainVerifierOptions) {
    this.keyId = keyIdOf(options.publicKey);
    const anchor = options.anchor;
    if (anchor) {
      this.anchorMatched = false;
      if (anchor.key_id !== this.keyId || !checkpointSignatureValid(options.publicKey, anchor)) {
        this.fail(anchor.size, 'bad_signature', 'the supplied checkpoint is not validly signed by the given public key');
      }
    }
  }

  /** True once a fault was found (further entries are only used to classify it). */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Checks one entry; false once there is no point in feeding more. */
  add(input: VerifierInput): boolean {
    if (this.failure) return this.classify(input);
    let parsed = this.options.canonical ? parseEntryBody(input.body) : null;
    let header = parsed?.header ?? readEntryHeader(input.body);
    if (!header) {
      parsed = parseEntryBody(input.body);
      header = parsed?.header ?? null;
    }
    const expected = this.next ?? (this.options.partial && header ? header.seq : 1);
    if (!header) return this.fail(expected, 'malformed', 'not a ledger entry (unparseable, or members missing or mistyped)');
    if (header.seq !== expected) return this.outOfOrder(header.seq, expected);
    if (this.next === null && this.options.partial) this.prevHash = header.prev_hash;
    const seq = header.seq;
    if (input.columns && !sameHeader(input.columns, header)) {
      return this.fail(seq, 'index_mismatch', 'a column of the entries table disagrees with the hashed entry (filtered reads would be wrong)');
    }
    if (this.lastTime !== null && header.recorded_at < this.lastTime) {
      return this.fail(seq, 'reorder', `recorded_at ${header.recorded_at} is earlier than seq ${seq - 1}'s ${this.lastTime}`);
    }
    const computed = this.hashOf(input, header, parsed);
    if (computed === null) return this.fail(seq, 'malformed', 'the entry cannot be read as canonical JSON');
    if (computed !== input.hash) return this.fail(seq, 'hash_mismatch', "the entry's contents do not match its hash: it was altered");
    if (header.prev_hash !== this.prevHash) {
      return this.fail(seq, 'hash_mismatch', `prev_hash does not equal the hash of seq ${seq - 1}: the chain is broken here`);
    }
    if (header.kind === 'checkpoint' && !this.checkCheckpoint(header, input.body)) return false;
    if (this.options.anchor?.size === seq) {
      if (input.hash !== this.options.anchor.head_hash) {
        return this.fail(seq, 'checkpoint_inconsistent',
          `the supplied checkpoint (signed ${this.options.anchor.time}) says seq ${seq} has hash ${this.options.anchor.head_hash.slice(0, 16)}…; the data has ${input.hash.slice(0, 16)}…: history was rewritten`);
      }
      this.anchorMatched = true;
    }
    this.entries += 1;
    this.firstSeq ??= seq;
    this.next = seq + 1;
    this.prevHash = input.hash;
    this.lastTime = header.recorded_at;
    return true;
  }

  /** Records a record that could not even be split into body and hash (e.g. a line cut short). */
  addUnreadable(message: string, cutShort: boolean): void {
    if (this.failure) return;
    this.fail(this.next ?? 1, cutShort ? 'truncated' : 'malformed', message);
  }

  finish(): VerifyReport {
    if (this.missing !== null) this.missing = null; // never reappeared: a gap, as provisionally reported
    const lastSeq = (this.next ?? 1) - 1;
    const anchor = this.options.anchor;
    if (!this.failure && anchor && anchor.size > lastSeq) {
      this.fail(lastSeq + 1, 'truncated',
        `the supplied checkpoint (signed ${anchor.time}) covers seq 1–${anchor.size}, but the data ends at seq ${lastSeq}: the tail was removed`);
    }
    const unsignedTail = lastSeq === 0 ? 0 : lastSeq - (this.lastCheckpoint?.seq ?? (this.firstSeq ?? 1) - 1);
    if (!this.failure && this.options.requireFinalCheckpoint && unsignedTail > 0) {
      this.fail(lastSeq - unsignedTail + 1, 'unsigned_tail',
        `${unsignedTail} entries follow the last checkpoint; a cleanly closed ledger ends with one (entries may have been cut after it, or the writer stopped abruptly)`);
    }
    const warnings: string[] = [];
    if (!this.failure && lastSeq === 0) warnings.push('the ledger is empty');
    if (!this.failure && anchor && !this.anchorMatched) {
      warnings.push(`the supplied checkpoint (size ${anchor.size}) lies before this segment, so it was not checked`);
    }
    if (!this.failure && unsignedTail > 0) {
      warnings.push(`${unsignedTail} entries after the last checkpoint are protected by the hash chain only: whoever can write the file could cut or rewrite them without trace`);
    }
    return {
      ok: this.failure === null,
      failure: this.failure,
      entries: this.entries,
      firstSeq: this.firstSeq,
      lastSeq,
      headHash: this.prevHash,
      checkpoints: this.checkpoints,
      lastCheckpoint: this.lastCheckpoint,
      unsignedTail,
      keyId: this.keyId,
      anchorMatched: this.anchorMatched,
      warnings,
    };
  }

  /**
   * Stored bytes first (fast, exact for a conforming writer); else the RFC
   * 8785 form of the fully parsed entry, which must agree with the header
   * the other checks used. Null when the entry cannot be read that way.
   */
  private hashOf(input: VerifierInput, header: EntryHeader, parsed: { header: EntryHeader; data: JsonValue } | null): string | null {
    if (!this.options.canonical) {
      const direct = entryHash(header.prev_hash, input.body);
      if (direct === input.hash) return direct;
    }
    const full = parsed ?? parseEntryBody(input.body);
    if (!full || !sameEntryHeader(full.header, header)) return null;
    try {
      return entryHash(full.header.prev_hash, canonicalJson({ ...full.header, data: full.data }));
    } catch {
      return null;
    }
  }

  private checkCheckpoint(header: EntryHeader, body: string): boolean {
    const seq = header.seq;
    const checkpoint = parseSignedCheckpoint(parseEntryBody(body)?.data);
    if (!checkpoint) return this.fail(seq, 'malformed', 'a checkpoint entry whose data is not a signed checkpoint');
    const since = (this.lastCheckpoint?.seq ?? (this.firstSeq ?? seq) - 1) + 1;
    if (checkpoint.size !== seq - 1 || checkpoint.head_hash !== this.prevHash) {
      const range: [number, number] = [Math.min(since, seq - 1), seq - 1];
      return this.fail(seq, 'checkpoint_inconsistent',
        `the checkpoint signs size ${checkpoint.size} with head ${checkpoint.head_hash.slice(0, 16)}…, but the entries before it give size ${seq - 1} with head ${this.prevHash.slice(0, 16)}…: an entry in seq ${range[0]}–${range[1]} was changed and the chain re-hashed`, range);
    }
    if (checkpoint.time !== header.recorded_at) {
      return this.fail(seq, 'checkpoint_inconsistent', `the checkpoint signs time ${checkpoint.time}, but the entry was recorded at ${header.recorded_at}`);
    }
    if (checkpoint.key_id !== this.keyId) {
      return this.fail(seq, 'bad_signature', `the checkpoint is signed by key ${checkpoint.key_id.slice(0, 16)}…, not by the given key ${this.keyId.slice(0, 16)}…`);
    }
    if (!checkpointSignatureValid(this.options.publicKey, checkpoint)) {
      return this.fail(seq, 'bad_signature', 'the checkpoint signature is not valid for its statement: it was forged or altered');
    }
    this.checkpoints += 1;
    this.lastCheckpoint = { seq, size: checkpoint.size, time: checkpoint.time };
    return true;
  }

  private outOfOrder(seq: number, expected: number): boolean {
    if (seq < expected) return this.fail(expected, 'reorder', `seq ${seq} appears again where seq ${expected} belongs`);
    // Provisionally a gap; if `expected` shows up later, it was a reorder.
    this.missing = expected;
    this.fail(expected, 'gap', `seq ${expected} is missing (the next entry is seq ${seq})`);
    return true;
  }

  private classify(input: VerifierInput): boolean {
    if (this.missing === null || !this.failure) return false;
    const seq = (readEntryHeader(input.body) ?? parseEntryBody(input.body)?.header)?.seq;
    if (seq !== this.missing) return true;
    this.failure = { seq: this.missing, reason: 'reorder', message: `seq ${this.missing} is out of order: it appears after later entries` };
    this.missing = null;
    return false;
  }

  private fail(seq: number, reason: VerifyFailureReason, message: string, range?: [number, number]): false {
    this.failure ??= range ? { seq, reason, message, range } : { seq, reason, message };
    return false;
  }
}

function sameHeader(a: IndexColumns, b: EntryHeader): boolean {
  return a.seq === b.seq && a.recorded_at === b.recorded_at && a.kind === b.kind && a.repo === b.repo;
}

function sameEntryHeader(a: EntryHeader, b: EntryHeader): boolean {
  return sameHeader(a, b) && a.subject === b.subject && a.prev_hash === b.prev_hash;
}
