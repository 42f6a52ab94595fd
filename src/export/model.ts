import type { LedgerEntry } from '../ledger/ledger.js';
import type { ObservationPeriod } from '../sampling/period.js';
import type { Selection, StratumAllocation } from '../sampling/select-sample.js';

/**
 * What the export produces for an auditor (SPEC §4, §5), as plain data. The
 * population is built from ledger entries (`population.ts`); the files are
 * rendered from these shapes (CSV, XLSX, HTML), so every file says the same.
 */

/** The three kinds of population item (SPEC §4). */
export type ItemKind = 'change' | 'direct_push' | 'deployment';

/**
 * The result of one control attribute for one item, as the auditor ticks it:
 * `pass`, `fail`, `not_applicable` (e.g. no ticket required), or
 * `not_evaluated` (the evidence could not be established — never a pass).
 */
export type AttributeResult = 'pass' | 'fail' | 'not_applicable' | 'not_evaluated';

/** The control attributes of `sample.csv`, in column order. */
export const ATTRIBUTES = ['peer_review', 'separation_of_duties', 'tests', 'traceability', 'deployment'] as const;
export type AttributeName = (typeof ATTRIBUTES)[number];

export const ATTRIBUTE_TITLES: Record<AttributeName, string> = {
  peer_review: 'Peer review',
  separation_of_duties: 'Separation of duties',
  tests: 'Tests',
  traceability: 'Traceability',
  deployment: 'Deployment',
};

export interface AttributeValue {
  result: AttributeResult;
  /** What was required and seen, in one line, e.g. "2 of 1 approvals on head 1a2b3c4 (bob, carol)". */
  detail: string;
}

export interface Approval {
  login: string;
  submittedAt: string | null;
  commitSha: string | null;
  /** Whether the policy counted it (an approval of a stale commit, a bot, or the author does not count). */
  counted: boolean;
}

export interface CheckResult {
  name: string;
  /** The conclusion (`success`, `failure`, …) or the status while not completed. */
  conclusion: string;
  at: string | null;
}

/** The ledger entry a row or a fact comes from. */
export interface LedgerRef {
  seq: number;
  hash: string;
  kind: string;
  recordedAt: string;
}

export type ExceptionStatus = 'open' | 'resolved' | 'resolved_late' | 'overdue';

/** One exception (a deviation from the control) and what became of it. */
export interface ExceptionRow {
  /** The population item it is about (`acme/api#42`, `acme/api@<sha>`). */
  itemId: string;
  repo: string;
  type: string;
  occurredAt: string;
  actor: string | null;
  reason: string;
  deadline: string | null;
  /** `open` unless a retrospective approval resolved it; `overdue` once an open deadline passed before the export. */
  status: ExceptionStatus;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
  url: string | null;
  ledger: LedgerRef;
  resolutionLedger: LedgerRef | null;
  /** Management's responses to it, in the order recorded (absent in rows of older exports). */
  responses?: ExceptionResponse[];
}

/** A response recorded to an exception: who (with their role then), when, what they wrote, and how it arrived. */
export interface ExceptionResponse {
  by: string;
  role: string;
  at: string;
  text: string;
  /** `comment` (with its link) or `api`. */
  via: 'comment' | 'api';
  url: string | null;
  ledger: LedgerRef;
}

/** A gated deployment that carried a change. */
export interface DeploymentLink {
  itemId: string;
  environment: string;
  deploymentId: number;
  sha: string;
  decision: 'approved' | 'rejected' | null;
  at: string | null;
}

/**
 * One row of `population.csv`. Ids are stable and unique:
 * `owner/name#42` (a merged pull request), `owner/name@<sha>` (a direct push,
 * by the SHA it pushed) and `owner/name/deployments/<id>`.
 */
export interface PopulationItem {
  id: string;
  repo: string;
  kind: ItemKind;
  title: string;
  url: string | null;
  /** The pull request's author, the pusher, or the deployer. */
  author: string | null;
  approvals: Approval[];
  /** Who merged (changes), pushed (direct pushes) or asked for the deployment. */
  mergedBy: string | null;
  /** When it happened on GitHub: merged_at, when the push was received, the deployment's creation. */
  occurredAt: string;
  /** `YYYY-MM` of `occurredAt` in the export's time zone. */
  month: string;
  headSha: string | null;
  /** The merge commit, the pushed SHA (`after`), or the deployed SHA. */
  mergeSha: string | null;
  checks: CheckResult[];
  ticket: string | null;
  /**
   * The final verdict: for changes the outcome at merge (`compliant`,
   * `non_compliant`, `emergency`, `pending`, `error`); `direct_push` for
   * pushes; `approved` / `rejected` / `not_gated` for deployments (`no_decision` when the gate was not asked).
   */
  verdict: string;
  /** False for changes recorded but not enforced (ignored authors). */
  enforced: boolean;
  attributes: Record<AttributeName, AttributeValue>;
  exceptions: ExceptionRow[];
  deployments: DeploymentLink[];
  /** The entry the row is built from (the change record, the exception, the deployment). */
  ledger: LedgerRef;
  /** The ledger subject the item's entries share (`pull/42`, `push/<sha>`, `deployment/7`). */
  subject: string;
}

/** The evidence page's input: an item and every ledger entry about it, exactly as recorded. */
export interface EvidenceInput {
  item: PopulationItem;
  /** Every entry with the item's repo and subject (and, for a deployment, its decision), in seq order. */
  entries: LedgerEntry[];
  /** The ledger entries of the deployments that carried the change (empty for others). */
  deploymentEntries: LedgerEntry[];
  generatedAt: string;
  period: ObservationPeriod;
  toolVersion: string;
  /** Every sampled item's id: the page links to the evidence pages of the others it mentions. */
  sampledIds?: ReadonlySet<string>;
}

export interface MonthSummary {
  month: string;
  total: number;
  /** Items whose verdict passed the control (compliant changes, approved deployments). */
  compliant: number;
  exceptions: number;
  /** The items by category (absent in reports of older exports). */
  categories?: CategoryCounts;
}

/**
 * The population by what happened: changes (compliant or not), direct
 * pushes, and deployments by the gate's decision — a deployment the gate
 * rejected is neither compliant nor a change, it is its own category.
 */
export interface CategoryCounts {
  changesCompliant: number;
  changesNotCompliant: number;
  directPushes: number;
  deploymentsApproved: number;
  deploymentsRejected: number;
  /** Deployed to a gated environment without the gate's decision, or reported successful after a rejection. */
  deploymentsUngated: number;
}

export const NO_CATEGORIES: CategoryCounts = {
  changesCompliant: 0, changesNotCompliant: 0, directPushes: 0, deploymentsApproved: 0, deploymentsRejected: 0, deploymentsUngated: 0,
};

/** One control design (a repository's effective policy) and when it was in force, from the ledger's `policy` entries. */
export interface DesignInForce {
  repository: string;
  /** When the ledger first recorded it in use. */
  from: string;
  /** When the next design replaced it; null: still in force at the end of the ledger read. */
  until: string | null;
  /** The files it was built from (`owner/repo:path@blob`), empty for the defaults. */
  sources: string[];
  valid: boolean;
  /** The settings, flattened (`peer_review.required_approvals` → `1`). */
  settings: [key: string, value: string][];
  /** What is wrong with it, when not valid. */
  problems: string[];
  ledger: LedgerRef;
}

export interface CompletenessSummary {
  repositories: string[];
  commitsChecked: number;
  pullRequestsChecked: number;
  gaps: number;
  /** Repositories that could not be reconciled, with why. */
  failures: { repo: string; reason: string }[];
  /** How each repository's commits of the period were selected: by ancestry, or by commit dates (and why). Absent in older exports. */
  methods?: { repo: string; method: 'ancestry' | 'dates'; detail: string }[];
}

export interface LedgerSummary {
  /** What the export read: a file path or the read API's URL (never a token). */
  source: string;
  headSize: number;
  headHash: string;
  /** The latest signed checkpoint in the ledger read. */
  checkpoint: { seq: number; size: number; hash: string; time: string; keyId: string } | null;
  /** Key id (`sha256:` of the public key) the export is signed with. */
  keyId: string;
  /** Entries read and verified (the hash chain and every checkpoint signature). */
  verifiedEntries: number;
}

export interface SampleSummary {
  selection: Selection;
  /** How the size was derived, in words. */
  derivation: string;
  size: number;
  allocation: StratumAllocation[];
  /** SHA-256 of the sorted population ids (selection.json `population.hash`). */
  populationHash: string;
}

/** Everything `report.html` shows. */
export type { Coverage } from './coverage.js';
import type { Coverage } from './coverage.js';

export interface ReportInput {
  period: ObservationPeriod;
  generatedAt: string;
  toolVersion: string;
  repositories: string[];
  counts: {
    population: number;
    changes: number;
    directPushes: number;
    deployments: number;
    compliant: number;
    exceptions: number;
    openExceptions: number;
  };
  months: MonthSummary[];
  exceptions: ExceptionRow[];
  sample: SampleSummary;
  /** The sampled rows, for the report's sample table. */
  sampleItems: PopulationItem[];
  ledger: LedgerSummary;
  completeness: CompletenessSummary | null;
  /** The exact parameters of the export, as given. */
  parameters: Record<string, string>;
  /** From when the ledger covers each repository; absent in reports of older exports. */
  coverage?: Coverage;
  /** The population by category (absent in reports of older exports). */
  categories?: CategoryCounts;
  /** The control designs in force during the period, per repository (absent in reports of older exports). */
  designs?: DesignInForce[];
}

/**
 * File name of an item's evidence page: `acme/api#42` → `evidence/acme~api~pr-42.html`,
 * `acme/api@<sha>` → `evidence/acme~api@<sha>.html`, `acme/api/deployments/7` →
 * `evidence/acme~api~deployments~7.html`. GitHub owner and repository names
 * never contain `~`, so distinct ids give distinct names.
 */
export function evidencePath(id: string): string {
  return `evidence/${evidenceFile(id)}`;
}

/** The evidence page's file name alone, for links between evidence pages. */
export function evidenceFile(id: string): string {
  return `${id.replace('#', '~pr-').replaceAll('/', '~')}.html`;
}
