import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createOctokit } from '../github/octokit.js';
import { defaultSigningKeyPath } from '../ledger/signing-key.js';
import { detectLedgerFormat } from '../ledger/ledger-format.js';
import { isDatabaseUrl, printableLocation } from '../ledger/ledger-location.js';
import { parsePeriod, periodFromDates, PeriodError, type ObservationPeriod } from '../sampling/period.js';
import { drawSeed } from '../sampling/prng.js';
import type { SampleSizeRule } from '../sampling/sample-size.js';
import type { Strata } from '../sampling/select-sample.js';
import { githubCompleteness } from './completeness.js';
import type { ExportOptions } from './export.js';
import { apiSource, isUrl, ndjsonFileSource, type LedgerSource } from './ledger-source.js';
import { appSigner, keySigner, type ExportSigner } from './signature.js';

/**
 * The export's parameters as a person gives them — CLI flags or Action
 * inputs — checked and turned into {@link ExportOptions}. The CLI and the
 * Action both go through here, so they accept and refuse the same things.
 */
export interface ExportRequest {
  from?: string;
  to?: string;
  /** `2026-Q1`, `2026-H1`, `2026`, `2026-03`, `last-90-days` (instead of from/to). */
  period?: string;
  timeZone: string;
  out: string;
  /** A SQLite or NDJSON file, or the app's URL (read API). */
  ledger: string;
  ledgerToken?: string;
  repos: string[];
  seed?: string;
  /** `auto` or a whole number. */
  sampleSize: string;
  confidence?: string;
  tolerableRate?: string;
  strata: string;
  selectionFile?: string;
  /** Private key PEM text, or a path to it. */
  signingKey?: string;
  /** The app's signing token (`CHANGEPROOF_SIGNING_TOKEN`), for an export of its read API that the app signs. */
  signingToken?: string;
  githubToken?: string;
  /** Base URL of GitHub's REST API (GHES: `https://host/api/v3`). */
  githubApiUrl?: string;
  /** Export a period the ledger covers only in part. */
  allowPartialCoverage?: boolean;
}

export class ExportRequestError extends Error {
  override name = 'ExportRequestError';
}

export interface ResolveDeps {
  env: NodeJS.ProcessEnv;
  now: () => Date;
  fetch?: typeof fetch;
  /** Opens a SQLite ledger file (the CLI); absent in the Action, which reads NDJSON or the read API. */
  openSqlite?: (path: string) => LedgerSource;
  /** Opens a PostgreSQL ledger by its postgres:// URL (the CLI); absent in the Action. */
  openDatabase?: (url: string) => Promise<LedgerSource>;
  onProgress?: (stage: string, done: number) => void;
  toolVersion: string;
}

export function resolvePeriod(request: Pick<ExportRequest, 'from' | 'to' | 'period' | 'timeZone'>, now: Date): ObservationPeriod {
  try {
    if (request.period) {
      if (request.from || request.to) throw new ExportRequestError('give either a period or --from/--to, not both');
      return parsePeriod(request.period, request.timeZone, now);
    }
    if (!request.from || !request.to) throw new ExportRequestError('the period is missing: give --from YYYY-MM-DD and --to YYYY-MM-DD (or a period such as 2026-Q1)');
    return periodFromDates(request.from, request.to, request.timeZone);
  } catch (error) {
    if (error instanceof PeriodError) throw new ExportRequestError(error.message);
    throw error;
  }
}

export function resolveSampleSize(request: Pick<ExportRequest, 'sampleSize' | 'confidence' | 'tolerableRate'>): SampleSizeRule {
  const hasStatistical = request.confidence !== undefined || request.tolerableRate !== undefined;
  if (hasStatistical) {
    if (request.confidence === undefined || request.tolerableRate === undefined) {
      throw new ExportRequestError('the statistical sample size needs both --confidence and --tolerable-rate (e.g. 0.95 and 0.05)');
    }
    if (request.sampleSize !== 'auto') throw new ExportRequestError('give either --sample-size or --confidence/--tolerable-rate, not both');
    const confidence = fraction(request.confidence, 'confidence');
    const tolerableRate = fraction(request.tolerableRate, 'tolerable-rate');
    return { method: 'statistical', confidence, tolerableRate };
  }
  if (request.sampleSize === 'auto' || request.sampleSize === '') return { method: 'auto' };
  const n = Number(request.sampleSize);
  if (!Number.isSafeInteger(n) || n < 1) throw new ExportRequestError(`sample size must be "auto" or a whole number ≥ 1, got "${request.sampleSize}"`);
  return { method: 'fixed', size: n };
}

function fraction(value: string, name: string): number {
  const n = Number(value.trim().endsWith('%') ? Number(value.trim().slice(0, -1)) / 100 : value);
  if (!(n > 0 && n < 1)) throw new ExportRequestError(`${name} must be a fraction between 0 and 1 (e.g. 0.95 or 95%), got "${value}"`);
  return n;
}

export function resolveStrata(value: string): Strata {
  if (value === '' || value === 'none') return 'none';
  if (value === 'month' || value === 'repo') return value;
  throw new ExportRequestError(`strata must be month, repo or none, got "${value}"`);
}

const REPO = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

export function resolveRepos(values: string[]): string[] {
  const repos = values.flatMap((v) => v.split(/[\s,]+/)).map((v) => v.trim()).filter(Boolean);
  for (const repo of repos) if (!REPO.test(repo)) throw new ExportRequestError(`"${repo}" is not a repository (owner/name)`);
  return [...new Set(repos)];
}

/**
 * The key that signs the export: the given PEM (or path to it), else
 * `CHANGEPROOF_SIGNING_KEY` (PEM text), else `CHANGEPROOF_SIGNING_KEY_PATH`,
 * else the key beside a SQLite ledger file, else — reading the app's read
 * API, with the app's signing token — the app itself signs, after
 * re-deriving the export from its own ledger (the key stays in the app).
 * Always the ledger key, so the auditor checks the export with the ledger's
 * public key.
 */
export async function resolveSigner(given: string | undefined, ledger: string, env: NodeJS.ProcessEnv, app: { token?: string; fetch?: typeof fetch } = {}): Promise<ExportSigner> {
  const beside = isUrl(ledger) ? null : defaultSigningKeyPath(ledger);
  const [value, what] =
    given ? [given, 'the signing key given']
    : env['CHANGEPROOF_SIGNING_KEY'] ? [env['CHANGEPROOF_SIGNING_KEY'], 'CHANGEPROOF_SIGNING_KEY']
    : env['CHANGEPROOF_SIGNING_KEY_PATH'] ? [env['CHANGEPROOF_SIGNING_KEY_PATH'], 'CHANGEPROOF_SIGNING_KEY_PATH']
    : beside && existsSync(beside) ? [beside, `the key beside ${ledger}`]
    : [null, null];
  const candidate = value === null ? null : { what: what!, text: () => (value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8')) };
  if (!candidate && isUrl(ledger)) {
    if (!app.token) {
      throw new ExportRequestError(
        'the app signs exports of its ledger with its signing token: give signing-token (CLI: CHANGEPROOF_SIGNING_TOKEN), ' +
        'the app\'s CHANGEPROOF_SIGNING_TOKEN — not the read token');
    }
    try {
      return await appSigner({ url: ledger, token: app.token, fetch: app.fetch });
    } catch (error) {
      throw new ExportRequestError(`cannot use the app's signing key: ${(error as Error).message}`);
    }
  }
  if (!candidate) {
    throw new ExportRequestError(
      'no signing key: the export is signed with the ledger key. Pass --signing-key FILE.pem (Action: the signing-key input from a secret), ' +
      'or set CHANGEPROOF_SIGNING_KEY (PEM) or CHANGEPROOF_SIGNING_KEY_PATH');
  }
  let text: string;
  try {
    text = candidate.text();
  } catch (error) {
    throw new ExportRequestError(`cannot read ${candidate.what}: ${(error as Error).message}`);
  }
  try {
    return keySigner(text);
  } catch (error) {
    throw new ExportRequestError(`${candidate.what} is not an Ed25519 private key in PEM form (${(error as Error).message})`);
  }
}

/** Opens the ledger source the request names. */
export async function openSource(request: ExportRequest, deps: ResolveDeps): Promise<LedgerSource> {
  if (isUrl(request.ledger)) {
    const token = request.ledgerToken ?? deps.env['CHANGEPROOF_API_TOKEN'];
    if (!token) throw new ExportRequestError('reading the ledger from the app needs its API token (ledger-token, or CHANGEPROOF_API_TOKEN)');
    return apiSource({ url: request.ledger, token, fetch: deps.fetch, onProgress: (bytes) => deps.onProgress?.('download the ledger (bytes)', bytes) });
  }
  if (isDatabaseUrl(request.ledger)) {
    if (!deps.openDatabase) throw new ExportRequestError(`${printableLocation(request.ledger)} is a PostgreSQL ledger: export it as NDJSON first (changeproof ledger-export), or use the app's read API`);
    return deps.openDatabase(request.ledger);
  }
  if (!existsSync(request.ledger)) throw new ExportRequestError(`the ledger ${request.ledger} does not exist`);
  if ((await detectLedgerFormat(request.ledger)) === 'sqlite') {
    if (!deps.openSqlite) throw new ExportRequestError(`${request.ledger} is a SQLite ledger: export it as NDJSON first (changeproof ledger-export), or use the app's read API`);
    return deps.openSqlite(request.ledger);
  }
  return ndjsonFileSource(request.ledger);
}

/** Everything {@link runExport} needs, from a request. The caller closes `options.source`. */
export async function resolveExport(request: ExportRequest, deps: ResolveDeps): Promise<ExportOptions> {
  const now = deps.now();
  const period = resolvePeriod(request, now);
  const sampleSizeRule = resolveSampleSize(request);
  const strata = resolveStrata(request.strata);
  const repos = resolveRepos(request.repos);
  let selection: ExportOptions['selection'] = null;
  if (request.selectionFile) {
    if (request.seed) throw new ExportRequestError('give either --seed or --selection, not both');
    try {
      selection = { text: readFileSync(request.selectionFile, 'utf8'), name: basename(request.selectionFile) };
    } catch (error) {
      throw new ExportRequestError(`cannot read the selection list ${request.selectionFile}: ${(error as Error).message}`);
    }
  }
  if (request.seed !== undefined && request.seed.trim() === '') throw new ExportRequestError('the seed is empty');
  if (!isUrl(request.ledger) && !isDatabaseUrl(request.ledger) && !existsSync(request.ledger)) throw new ExportRequestError(`the ledger ${request.ledger} does not exist`);
  const signer = await resolveSigner(request.signingKey, request.ledger, deps.env, { token: request.signingToken ?? deps.env['CHANGEPROOF_SIGNING_TOKEN'], fetch: deps.fetch });
  let completeness: ExportOptions['completeness'] = null;
  if (request.githubToken && repos.length) {
    const octokit = createOctokit({ auth: request.githubToken, env: deps.env, ...(request.githubApiUrl ? { baseUrl: request.githubApiUrl } : {}), ...(deps.fetch ? { fetch: deps.fetch } : {}), resilience: {} });
    completeness = githubCompleteness(octokit, repos, { now: deps.now, onProgress: deps.onProgress });
  }
  const source = await openSource(request, deps);
  return {
    source,
    out: request.out,
    period,
    repos: repos.length ? repos : null,
    seed: request.seed ?? null,
    drawSeed: () => drawSeed((n) => randomBytes(n)),
    sampleSize: sampleSizeRule,
    strata,
    selection,
    signer,
    completeness,
    now: deps.now,
    toolVersion: deps.toolVersion,
    parameters: parametersOf(request, period),
    onProgress: deps.onProgress,
    allowPartialCoverage: request.allowPartialCoverage ?? false,
  };
}

/** The parameters as given, for the manifest: never a token or a key. */
function parametersOf(request: ExportRequest, period: ObservationPeriod): Record<string, string> {
  const p: Record<string, string> = {};
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') p[k] = v;
  };
  set('from', request.from);
  set('to', request.to);
  set('period', request.period);
  set('tz', request.timeZone);
  set('resolved-period', `${period.from}..${period.to}`);
  set('ledger', request.ledger);
  set('repo', request.repos.join(' '));
  set('seed', request.seed);
  set('sample-size', request.sampleSize);
  set('confidence', request.confidence);
  set('tolerable-rate', request.tolerableRate);
  set('strata', request.strata);
  set('selection', request.selectionFile ? basename(request.selectionFile) : undefined);
  set('completeness', request.githubToken && request.repos.length ? 'github' : 'not performed');
  if (request.allowPartialCoverage) set('allow-partial-coverage', 'true');
  return p;
}
