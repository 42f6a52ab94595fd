import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LedgerSource } from '../../export/ledger-source.js';
import type { ExportClaim, RederiveDeps, Rederivation } from '../../export/rederive.js';
import type { GitHubClient } from '../../github/octokit.js';
import { ROUTES } from '../../github/routes.js';
import type { Ledger } from '../../ledger/index.js';
import { keyIdOf, publicKeyFromPem } from '../../ledger/signing-key.js';
import { declaresMoreThan, readBodyWithin, sendTooLarge } from './body-limit.js';
import { sendJson } from './respond.js';
import { plural } from '../../core/format.js';

export interface ExportSigningOptions {
  ledger: Ledger;
  /** `CHANGEPROOF_SIGNING_TOKEN` (several, comma-separated, while one is rotated out); none turns signing off. */
  signingTokens: string[];
  /** The app's ledger as an export source, read up to `toSeq`; null when the ledger cannot be read as one. */
  exportSource: ((toSeq: number) => LedgerSource) | null;
  /** Signing requests allowed per token per hour (default 10). */
  perHour?: number;
  clock: () => Date;
  /**
   * The app's GitHub access, to run an export's reconciliation with GitHub
   * again before signing it (each repository through its installation);
   * absent: completeness.csv and the workbook are signed as claimed.
   */
  github?: { appClient: () => Promise<GitHubClient>; installationClient: (installationId: number) => Promise<GitHubClient> };
}

/** Bodies beyond this are refused before they are read (a manifest lists one line per file). */
export const MAX_SIGNING_REQUEST_BYTES = 8 * 1024 * 1024;

/**
 * `POST /api/changeproof/export-signature` — the app signs an auditor export
 * only after re-deriving it from its own ledger (no signing oracle):
 *
 * 1. the caller presents the signing token (`CHANGEPROOF_SIGNING_TOKEN`,
 *    distinct from the read token), at most `perHour` times an hour and one
 *    request at a time per token;
 * 2. the body is the exact text of the export's `manifest.json` and
 *    `selection.json` (`{"manifest": "…", "selection": "…"}`), at most 8 MiB;
 * 3. the app re-derives the population, sample and exceptions from its own
 *    ledger (`rederiveExport`) and compares them with the claim; the export
 *    must be dated now by the app's clock (and not before the ledger head it
 *    names), so that it is judged as of the day it is signed;
 * 4. equal: it signs the SHA-256 of the manifest bytes it received and records
 *    an `export` entry (which token asked, by fingerprint, and what it
 *    re-derived); different: 409 naming every difference, recorded as an
 *    `export_refused` entry.
 *
 * A digest alone (`{"manifest_sha256": …}`, the former protocol) is refused:
 * the app never signs what it did not compute.
 */
/**
 * The export machinery (the whole export, the workbook and the pages), loaded on the
 * first signing request: most apps sign a few exports a year, and every start and
 * every other request would otherwise pay for it.
 */
const exportModules = () => Promise.all([import('../../export/rederive.js'), import('../../export/completeness.js')])
  .then(([rederive, completeness]) => ({ ...rederive, ...completeness }));

export function exportSigning(options: ExportSigningOptions): (req: IncomingMessage, res: ServerResponse) => Promise<true> {
  const tokens = options.signingTokens.map((token) => ({ token: Buffer.from(token, 'utf8'), fingerprint: fingerprint(token) }));
  const limiter = new RateLimiter(options.perHour ?? 10, 3_600_000, options.clock);
  const busy = new Set<string>();

  return async (req, res) => {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'only POST is supported' }, { allow: 'POST' });
    // Refused before anything else: whoever asks, an oversized body is never read.
    if (declaresMoreThan(req, MAX_SIGNING_REQUEST_BYTES)) return tooLarge(res);
    if (!tokens.length || !options.exportSource) {
      return sendJson(res, 404, { error: 'export signing is off: set CHANGEPROOF_SIGNING_TOKEN on the app to enable it (a token of its own, not the read token)' });
    }
    const caller = authenticate(req, tokens);
    if (!caller) {
      return sendJson(res, 401, { error: 'a valid signing token is required (Authorization: Bearer <CHANGEPROOF_SIGNING_TOKEN>); the read token cannot sign' }, { 'www-authenticate': 'Bearer realm="changeproof-signing"' });
    }
    if (busy.has(caller.fingerprint)) {
      return sendJson(res, 429, { error: 'a signing request with this token is already being checked; wait for it' }, { 'retry-after': '10' });
    }
    busy.add(caller.fingerprint);
    try {
      const read = await readBodyWithin(req, MAX_SIGNING_REQUEST_BYTES);
      if (!read.ok) return read.reason === 'too_large' ? tooLarge(res) : true;
      const claim = parseClaim(read.body.toString('utf8'));
      if (typeof claim === 'string') return sendJson(res, 400, { error: claim });
      const { checkClaim, ExportClaimError } = await exportModules();
      try {
        checkClaim(claim);
      } catch (error) {
        if (error instanceof ExportClaimError) return sendJson(res, 400, { error: error.message });
        throw error;
      }
      // Re-deriving an export reads the whole ledger: that is what is limited.
      const wait = limiter.take(caller.fingerprint);
      if (wait > 0) {
        return sendJson(res, 429, { error: `at most ${plural(options.perHour ?? 10, 'signing request')} an hour per token; try again in ${Math.ceil(wait / 1000)} s` }, { 'retry-after': String(Math.ceil(wait / 1000)) });
      }
      return await judge(claim, caller.fingerprint, options, res);
    } finally {
      busy.delete(caller.fingerprint);
    }
  };
}

async function judge(claim: ExportClaim, requestedBy: string, options: ExportSigningOptions, res: ServerResponse): Promise<true> {
  const { ledger } = options;
  const publicKeyPem = ledger.publicKeyPem();
  const { rederiveExport, ExportClaimError, githubCompleteness } = await exportModules();
  let verdict: Rederivation;
  try {
    // The app's clock: an export is signed only when dated now (generated_at within the tolerance of rederiveExport).
    verdict = await rederiveExport(claim, {
      source: options.exportSource!, publicKeyPem, keyId: keyIdOf(publicKeyFromPem(publicKeyPem)), clock: options.clock,
      completeness: options.github ? appCompleteness(options.github, githubCompleteness) : null,
    });
  } catch (error) {
    if (error instanceof ExportClaimError) return sendJson(res, 400, { error: error.message });
    // The export's own checks (a period the ledger does not cover, a ledger that does not verify) are refusals too.
    verdict = refusedBy(claim, (error as Error).message);
  }
  const asked = `signing token ${requestedBy}`;
  const about = { period: verdict.period, repositories: verdict.repositories, ledgerHead: verdict.ledgerHead };
  if (!verdict.ok) {
    try {
      const { entries } = await ledger.append({
        kind: 'export_refused', repo: null, subject: `export/${verdict.manifestSha256}`,
        data: { manifestSha256: verdict.manifestSha256, requestedBy: asked, differences: verdict.differences, ...about },
      });
      return sendJson(res, 409, { error: `the app did not sign this export: it differs from what the ledger gives (${plural(verdict.differences.length, 'difference')})`, differences: verdict.differences, seq: entries[0]!.seq });
    } catch (error) {
      return sendJson(res, 503, { error: `the ledger could not record the refusal: ${(error as Error).message}` });
    }
  }
  try {
    const signed = await ledger.signExport(verdict.manifestSha256, asked, { ...about, rederived: verdict.rederived, notRederived: verdict.notRederived });
    return sendJson(res, 200, { signature: signed.signature, key_id: signed.keyId, seq: signed.entry.seq, hash: signed.entry.hash, rederived: verdict.rederived, not_rederived: verdict.notRederived });
  } catch (error) {
    return sendJson(res, 503, { error: `the ledger could not record the signature: ${(error as Error).message}` });
  }
}

/** The reconciliation with GitHub as an export runs it, each repository read through the app's installation on it. */
function appCompleteness(github: NonNullable<ExportSigningOptions['github']>, githubCompleteness: typeof import('../../export/completeness.js').githubCompleteness): NonNullable<RederiveDeps['completeness']> {
  return (repos, now) =>
    githubCompleteness(async (full) => {
      const [owner, repo] = full.split('/') as [string, string];
      const app = await github.appClient();
      try {
        const { data } = await app.request(ROUTES.getRepoInstallation, { owner, repo });
        return await github.installationClient(data.id);
      } catch (error) {
        if ((error as { status?: number }).status === 404) throw new Error(`the app is not installed on ${full}, so it cannot check the export's completeness there`);
        throw error;
      }
    }, repos, { now });
}

function refusedBy(claim: ExportClaim, reason: string): Rederivation {
  const manifestSha256 = createHash('sha256').update(claim.manifest, 'utf8').digest('hex');
  let manifest: { period?: { from?: string; to?: string; time_zone?: string }; repositories?: string[] | 'all'; ledger?: { head?: { size: number; hash: string } } } = {};
  try {
    manifest = JSON.parse(claim.manifest) as typeof manifest;
  } catch {
    /* parseable, or ExportClaimError would have been thrown */
  }
  const p = manifest.period;
  return {
    ok: false, manifestSha256, differences: [`this ledger cannot give that export: ${reason}`], rederived: { fields: [], files: [] }, notRederived: [],
    period: p?.from && p.to ? { from: p.from, to: p.to, timeZone: p.time_zone ?? 'UTC' } : null,
    repositories: manifest.repositories ?? null,
    ledgerHead: manifest.ledger?.head ?? null,
  };
}

function parseClaim(body: string): ExportClaim | string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return 'the body must be JSON: {"manifest": "<manifest.json text>", "selection": "<selection.json text>"}';
  }
  const v = value as Record<string, unknown> | null;
  if (v && typeof v === 'object' && 'manifest_sha256' in v && !('manifest' in v)) {
    return 'the app no longer signs a digest it did not compute: send the export\'s manifest.json and selection.json ({"manifest": …, "selection": …}), which it re-derives from its ledger first (update the Action or CLI)';
  }
  if (!v || typeof v !== 'object' || typeof v['manifest'] !== 'string' || typeof v['selection'] !== 'string') {
    return 'the body must be {"manifest": "<manifest.json text>", "selection": "<selection.json text>"}';
  }
  return { manifest: v['manifest'], selection: v['selection'] };
}

function tooLarge(res: ServerResponse): true {
  return sendTooLarge(res, MAX_SIGNING_REQUEST_BYTES, 'An export to sign (manifest and selection)');
}

/** The signing token the request's bearer token is (compared in constant time with each), or null. */
export function authenticate(req: IncomingMessage, tokens: Array<{ token: Buffer; fingerprint: string }>): { fingerprint: string } | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) return null;
  const given = Buffer.from(match[1]!, 'utf8');
  let found: { fingerprint: string } | null = null;
  // Compare with every token, in constant time each, whatever matched.
  for (const t of tokens) {
    const same = given.length === t.token.length && timingSafeEqual(given, t.token);
    if (same && !found) found = { fingerprint: t.fingerprint };
  }
  return found;
}

/** How a token is named in the ledger: never the token, a short hash of it. */
export function fingerprint(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 16)}`;
}

/** At most `limit` requests per key in any `windowMs`: a sliding window of the times each key was let through. */
export class RateLimiter {
  private readonly seen = new Map<string, number[]>();

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly clock: () => Date) {}

  /** 0 when the request may go ahead (and counts it), else how many ms until it may. */
  take(key: string): number {
    const now = this.clock().getTime();
    const recent = (this.seen.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.limit) {
      this.seen.set(key, recent);
      return this.windowMs - (now - recent[0]!);
    }
    recent.push(now);
    this.seen.set(key, recent);
    return 0;
  }
}
