// The ledger without storage: formats, hashing, signatures and NDJSON
// verification. Nothing here imports better-sqlite3, so bundles that must not
// contain it (the Action reads the ledger as NDJSON) import from this module.
export * from './ledger.js';
export { GENESIS_HASH, entryHash } from './hash.js';
export { canonicalJson } from './canonical.js';
export { checkCanonicalText, isCanonicalText, type CanonicalShape } from './check-canonical-text.js';
export { CHECKPOINT_FORMAT, checkpointSignatureValid, checkpointStatement, parseSignedCheckpoint, readCarriedKey, type SignedCheckpoint } from './checkpoint.js';
export { keyIdOf, publicKeyFromPem } from './signing-key.js';
export { ChainVerifier } from './chain-verifier.js';
export type { VerifyFailure, VerifyFailureReason, VerifyReport } from './chain-verifier.js';
export { verifyNdjson, type VerifyNdjsonOptions } from './verify-ndjson.js';
export { readNdjsonLines, storedFromLine, type ChunkSource } from './ndjson.js';
export { LedgerError, type LedgerErrorCode } from './errors.js';
