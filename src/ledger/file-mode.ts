import { chmodSync, statSync } from 'node:fs';

/**
 * Drops the group and other permission bits of `file` (0644 → 0600), if it
 * exists and has any. Best effort: a file of another owner, or on a read-only
 * mount (a Kubernetes secret), is left as the operator made it.
 *
 * @example tightenMode('data/ledger.db-wal');
 */
export function tightenMode(file: string): void {
  try {
    const { mode } = statSync(file);
    if ((mode & 0o077) !== 0) chmodSync(file, mode & 0o700);
  } catch {
    // Absent, not ours, or read-only: left as it is.
  }
}
