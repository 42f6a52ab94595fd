import type { KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import { checkpointSignatureValid, parseSignedCheckpoint, readCarriedKey, type SignedCheckpoint } from './checkpoint.js';
import { bodyOf, parseEntryBody, parseEntryLineHeader, readCanonicalEntry, readEntryHeader, type CanonicalEntry, type EntryHeader } from './entry-text.js';
import { GENESIS_HASH, entryHash } from './hash.js';
import { keyIdOf } from './signing-key.js';
import type { ChainVerifierOptions, IndexColumns, StoredInput, VerifierInput, VerifyFailure, VerifyFailureReason, VerifyReport } from './verify-report.js';
import { plural } from '../core/format.js';

export type { ChainVerifierOptions, IndexColumns, LineInput, StoredInput, VerifierInput, VerifyFailure, VerifyFailureReason, VerifyReport } from './verify-report.js';

/**
 * Checks a ledger entry by entry, in storage order, in constant memory, and
 * reports the FIRST sequence number at fault. Each entry's stored text must
 * be exactly its RFC 8785 canonical form (checked in one pass, see
 * check-canonical-text.ts) and hash to its stored hash; `canonical` also
 * re-serialises every entry with the `canonicalize` package, as
 * docs/ledger.md's recipe does. Signatures are judged against the key the
 * caller trusts (`publicKey`, or `keyId`); without one they are `unverified`.
 *
 * @example
 * const v = new ChainVerifier({ publicKey });
 * for (const e of stored) if (!v.add(e)) break;
 * const report = v.finish();
 */
export class ChainVerifier {
  /** The id of the key the caller trusts, or null. */
  private readonly trustedKeyId: string | null;
  /** The key id the first checkpoint named: a ledger is signed by one key. */
  private claimedKeyId: string | null = null;
  /** The last public key a checkpoint carried (its text, the key_id it was checked against, the key). */
  private carried: { text: string; keyId: string; key: KeyObject } | null = null;
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
  /** Checkpoints since the last one verified with a trusted key whose signature could not be checked with one. */
  private unchecked = 0;
  private anchorMatched: boolean | null = null;

  constructor(private readonly options: ChainVerifierOptions) {
    this.trustedKeyId = options.publicKey ? keyIdOf(options.publicKey) : options.keyId?.toLowerCase() ?? null;
    const anchor = options.anchor;
    if (anchor) {
      this.anchorMatched = false;
      const problem = this.anchorProblem(anchor);
      if (problem) this.fail(anchor.size, 'bad_signature', `the supplied checkpoint ${problem}`);
    }
  }

  /** True once a fault was found (further entries are only used to classify it). */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Checks one entry; false once there is no point in feeding more. */
  add(input: VerifierInput): boolean {
    if (this.failure) return this.classify(input);
    const line = 'line' in input ? input.line : null;
    const text = line ?? (input as StoredInput).body;
    // One pass checks that the text is exactly canonical and reads the header;
    // text that is not is parsed any way it can be, to say where it stands.
    const entry = readCanonicalEntry(text, line === null ? 'body' : 'line', this.prevHash);
    const header = 'fault' in entry ? locate(input) : entry.header;
    const expected = this.next ?? (this.options.partial && header ? header.seq : 1);
    if (!header) return this.fail(expected, 'malformed', 'not a ledger entry (unparseable, or members missing or mistyped)');
    if (header.seq !== expected) return this.outOfOrder(header.seq, expected);
    if (this.next === null && this.options.partial) this.prevHash = header.prev_hash;
    const seq = header.seq;
    const columns = 'columns' in input ? input.columns : undefined;
    if (columns && !sameHeader(columns, header)) {
      return this.fail(seq, 'index_mismatch', 'a column of the entries table disagrees with the hashed entry (filtered reads would be wrong)');
    }
    if (this.lastTime !== null && header.recorded_at < this.lastTime) {
      return this.fail(seq, 'reorder', `recorded_at ${header.recorded_at} is earlier than seq ${seq - 1}'s ${this.lastTime}`);
    }
    const notCanonical = 'fault' in entry ? entry.fault : this.crossCheck(text);
    if (notCanonical !== null) {
      return this.fail(seq, 'malformed', `the entry's text is not exactly its RFC 8785 canonical JSON (${notCanonical}), so JSON readers could disagree on what it says`);
    }
    const canonical = entry as CanonicalEntry;
    const hash = entryHash(header.prev_hash, line === null ? text : bodyOf(line, canonical));
    const matches = line === null ? hash === (input as StoredInput).hash : line.startsWith(hash, canonical.hashMember!.value);
    if (!matches) return this.fail(seq, 'hash_mismatch', "the entry's contents do not match its hash: it was altered");
    if (header.prev_hash !== this.prevHash) {
      return this.fail(seq, 'hash_mismatch', `prev_hash does not equal the hash of seq ${seq - 1}: the chain is broken here`);
    }
    if (header.kind === 'checkpoint' && !this.checkCheckpoint(header, text)) return false;
    if (this.options.anchor?.size === seq) {
      if (hash !== this.options.anchor.head_hash) {
        return this.fail(seq, 'checkpoint_inconsistent',
          `the supplied checkpoint (signed ${this.options.anchor.time}) says seq ${seq} has hash ${this.options.anchor.head_hash.slice(0, 16)}…; the data has ${hash.slice(0, 16)}…: history was rewritten`);
      }
      this.anchorMatched = true;
    }
    this.entries += 1;
    this.firstSeq ??= seq;
    this.next = seq + 1;
    this.prevHash = hash;
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
        `${unsignedTail === 1 ? '1 entry follows' : `${unsignedTail} entries follow`} the last checkpoint; a cleanly closed ledger ends with one (entries may have been cut after it, or the writer stopped abruptly)`);
    }
    const warnings: string[] = [];
    if (!this.failure && lastSeq === 0) warnings.push('the ledger is empty');
    if (!this.failure && anchor && !this.anchorMatched) {
      warnings.push(`the supplied checkpoint (size ${anchor.size}) lies before this segment, so it was not checked`);
    }
    if (!this.failure && unsignedTail > 0) {
      warnings.push(`${plural(unsignedTail, 'entry', 'entries')} after the last checkpoint ${unsignedTail === 1 ? 'is' : 'are'} protected by the hash chain only: whoever can write the file could cut or rewrite them without trace`);
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
      signatures: this.failure?.reason === 'bad_signature' ? 'invalid'
        : this.trustedKeyId !== null && this.unchecked === 0 ? 'verified' : 'unverified',
      keyId: this.trustedKeyId,
      claimedKeyId: this.claimedKeyId,
      uncheckedCheckpoints: this.unchecked,
      anchorMatched: this.anchorMatched,
      warnings,
    };
  }

  /**
   * With `canonical`, an independent cross-check of a text the built-in
   * check accepted: re-serialising it with the `canonicalize` package must
   * give the very same text. Null when it does (or without `canonical`).
   */
  private crossCheck(text: string): string | null {
    if (!this.options.canonical) return null;
    try {
      return canonicalJson(JSON.parse(text)) === text ? null : 'it differs from its re-serialisation by the canonicalize package';
    } catch (error) {
      return `it cannot be re-serialised: ${(error as Error).message}`;
    }
  }

  /** `text` is the checkpoint entry's canonical text (its body or its line). */
  private checkCheckpoint(header: EntryHeader, text: string): boolean {
    const seq = header.seq;
    const checkpoint = parseSignedCheckpoint((JSON.parse(text) as { data: unknown }).data);
    if (!checkpoint) return this.fail(seq, 'malformed', 'a checkpoint entry whose data is not a signed checkpoint');
    if (header.repo !== null || header.subject !== `checkpoint/${checkpoint.size}`) {
      return this.fail(seq, 'malformed',
        `a checkpoint entry has repo null and subject "checkpoint/${checkpoint.size}" (its size); this one has repo ${JSON.stringify(header.repo)} and subject ${JSON.stringify(header.subject)}`);
    }
    const carried = this.carriedKey(checkpoint);
    if (typeof carried === 'string') return this.fail(seq, 'malformed', `the checkpoint contradicts itself: ${carried}`);
    const since = (this.lastCheckpoint?.seq ?? (this.firstSeq ?? seq) - 1) + 1;
    if (checkpoint.size !== seq - 1 || checkpoint.head_hash !== this.prevHash) {
      const range: [number, number] = [Math.min(since, seq - 1), seq - 1];
      return this.fail(seq, 'checkpoint_inconsistent',
        `the checkpoint signs size ${checkpoint.size} with head ${checkpoint.head_hash.slice(0, 16)}…, but the entries before it give size ${seq - 1} with head ${this.prevHash.slice(0, 16)}…: an entry in seq ${range[0]}–${range[1]} was changed and the chain re-hashed`, range);
    }
    if (checkpoint.time !== header.recorded_at) {
      return this.fail(seq, 'checkpoint_inconsistent', `the checkpoint signs time ${checkpoint.time}, but the entry was recorded at ${header.recorded_at}`);
    }
    if (this.trustedKeyId !== null && checkpoint.key_id !== this.trustedKeyId) {
      return this.fail(seq, 'bad_signature', `the checkpoint is signed by key ${checkpoint.key_id.slice(0, 16)}…, not by the given key ${this.trustedKeyId.slice(0, 16)}…`);
    }
    if (this.claimedKeyId !== null && checkpoint.key_id !== this.claimedKeyId) {
      return this.fail(seq, 'bad_signature',
        `the checkpoint names key ${checkpoint.key_id.slice(0, 16)}…, but earlier checkpoints name key ${this.claimedKeyId.slice(0, 16)}…: a ledger is signed by one key`);
    }
    this.claimedKeyId = checkpoint.key_id;
    // The trusted key; else the key this checkpoint (or an earlier one) carries,
    // which has the id every checkpoint names — trusted only if that id was given.
    const key = this.options.publicKey ?? carried ?? this.carried?.key ?? null;
    if (key && !checkpointSignatureValid(key, checkpoint)) {
      return this.fail(seq, 'bad_signature', 'the checkpoint signature is not valid for its statement: it was forged or altered');
    }
    // A verified checkpoint signs every byte before it, earlier checkpoints included.
    this.unchecked = key && this.trustedKeyId !== null ? 0 : this.unchecked + 1;
    this.checkpoints += 1;
    this.lastCheckpoint = { seq, size: checkpoint.size, time: checkpoint.time };
    return true;
  }

  /** The key a checkpoint carries (read once while it stays the same), null for none, or what is wrong with it. */
  private carriedKey(checkpoint: SignedCheckpoint): KeyObject | null | string {
    if (checkpoint.public_key === undefined) return null;
    if (this.carried?.text !== checkpoint.public_key || this.carried.keyId !== checkpoint.key_id) {
      const read = readCarriedKey(checkpoint);
      if (!read?.key) return read?.problem ?? null;
      this.carried = { text: checkpoint.public_key, keyId: checkpoint.key_id, key: read.key };
    }
    return this.carried.key;
  }

  /** What is wrong with a checkpoint supplied from outside (`--checkpoint`), or null. */
  private anchorProblem(anchor: SignedCheckpoint): string | null {
    if (this.trustedKeyId !== null && anchor.key_id !== this.trustedKeyId) {
      return `is signed by key ${anchor.key_id.slice(0, 16)}…, not by the given key ${this.trustedKeyId.slice(0, 16)}…`;
    }
    const carried = readCarriedKey(anchor);
    if (carried?.problem) return `contradicts itself: ${carried.problem}`;
    const key = this.options.publicKey ?? carried?.key ?? null;
    return key && !checkpointSignatureValid(key, anchor) ? 'is not validly signed by the given public key' : null;
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
    const seq = locate(input)?.seq;
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

/** Where an entry stands, read from text in any JSON form; null when it is not an entry at all. */
function locate(input: VerifierInput): EntryHeader | null {
  if ('line' in input) return parseEntryLineHeader(input.line);
  return readEntryHeader(input.body) ?? parseEntryBody(input.body)?.header ?? null;
}

function sameHeader(a: IndexColumns, b: EntryHeader): boolean {
  return a.seq === b.seq && a.recorded_at === b.recorded_at && a.kind === b.kind && a.repo === b.repo;
}
