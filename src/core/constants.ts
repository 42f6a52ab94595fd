/** The name of Changeproof's check run; one per head SHA. Its own result is never counted as a check. */
export const CHECK_RUN_NAME = 'Change control (CC8.1)';

/**
 * Version of the evaluation rules. Recorded with every verdict so a verdict in
 * the ledger can be re-computed by the same rules; bump it when a rule's
 * semantics change.
 */
export const ENGINE_VERSION = 2;
