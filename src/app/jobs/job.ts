import type { Trigger } from '../../core/records.js';
import type { GitHubClient } from '../../github/octokit.js';
import type { EntryInput, LedgerEntry } from '../../ledger/index.js';
import type { AppServices } from '../services.js';

/** A webhook payload: GitHub's JSON, read field by field (`any` on purpose: each job reads only the fields it needs). */
export type Payload = Record<string, any>;

/** What a job is given: the delivery, a client for its installation, and the app's services. */
export interface JobContext {
  services: AppServices;
  event: string;
  payload: Payload;
  trigger: Trigger;
  octokit: GitHubClient;
  /** When the delivery was accepted (stored in the inbox). */
  receivedAt: Date;
  /** 1 for the first attempt. */
  attempt: number;
  /** No retry will follow: record what could not be established instead of asking for one. */
  finalAttempt: boolean;
  /** Policy sources this delivery already recorded (or found recorded), by repository: one `policy` entry per change. */
  policySources?: Map<string, string>;
}

/**
 * What a job decided: the entries to record (in one append, idempotent by
 * delivery), then the follow-up work, derived from what was recorded so that
 * a redelivery acts on the recorded verdicts.
 */
export interface JobResult {
  entries: EntryInput[];
  /** Runs after the entries are durable; receives them as recorded. */
  act?: (recorded: LedgerEntry[]) => Promise<void>;
  /** Work to queue after this delivery (e.g. an automatic re-evaluation). */
  followUps?: FollowUp[];
}

/** A synthetic delivery queued by the app itself. */
export interface FollowUp {
  deliveryId: string;
  event: string;
  payload: Payload;
  /** Not processed before this time. */
  notBefore: Date;
}

export type Job = (ctx: JobContext) => Promise<JobResult>;

/** A failure worth trying again (GitHub unavailable, rate limited); the worker backs off. */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

export const NOTHING: JobResult = { entries: [] };
