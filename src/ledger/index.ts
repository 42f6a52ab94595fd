// The ledger's public surface, for the app and the CLI. Code that must not
// bundle better-sqlite3 (the Action) imports ./portable.js instead.
export * from './ledger.js';
export type { AcceptResult, Inbox, InboxItem } from './inbox.js';
export { LedgerError, type LedgerErrorCode } from './errors.js';
export { SqliteLedger, type SqliteLedgerOptions } from './sqlite-ledger.js';
export { defaultLedgerPath } from './ledger-path.js';
export { GENESIS_HASH, entryHash } from './hash.js';
export { canonicalJson } from './canonical.js';
export { checkCanonicalText, isCanonicalText } from './check-canonical-text.js';
export { CHECKPOINT_FORMAT, checkpointStatement, parseSignedCheckpoint, readCarriedKey, type SignedCheckpoint } from './checkpoint.js';
export { ledgerKeyFrom, readCheckpointKeys, type CheckpointKeyClaim, type LedgerKey } from './checkpoint-keys.js';
export { defaultSigningKeyPath, keyIdOf, publicKeyFromPem, publicKeyPathFor } from './signing-key.js';
export { verifyLedger, detectLedgerFormat, type VerifyLedgerOptions } from './verify.js';
export { verifyNdjson } from './verify-ndjson.js';
export type { VerifyFailure, VerifyFailureReason, VerifyReport } from './chain-verifier.js';
export { readNdjsonLines, writeNdjsonLines, type ChunkSource } from './ndjson.js';
export { scheduleCheckpoints } from './schedule-checkpoints.js';
export { openLedger, ledgerLocation, type OpenLedgerOptions } from './open-ledger.js';
export { isDatabaseUrl, printableLocation } from './ledger-location.js';
