import type { ReviewFacts } from '../facts.js';
import { listOf, shortSha } from '../format.js';
import { isBot, sameLogin } from '../people.js';
import { isContributor, type RuleContext } from './context.js';
import { describeContributor } from './contributors.js';
import { judgeUpdateMerge } from './update-merge.js';
import type { NotCountedReason, ReviewerStanding } from './verdict.js';

/** States that set a reviewer's standing; COMMENTED reviews leave it as it was. */
const DECISIVE = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);

export interface StandingOptions {
  /**
   * Which commit an approval must be on: the head commit (subject to
   * `approval_on_head`), or any commit of the pull request (retrospective
   * approval of an emergency change).
   */
  commits: 'head' | 'any';
}

/**
 * Each reviewer's standing: their latest APPROVED / CHANGES_REQUESTED /
 * DISMISSED review (COMMENTED when they only commented), and whether it counts
 * as an approval under the policy — with every reason it does not.
 */
export function reviewerStandings(ctx: RuleContext, options: StandingOptions = { commits: 'head' }): ReviewerStanding[] {
  // Judged at merge, the review is what stood when the merge happened: a review submitted
  // after it never counts (a retrospective approval of an emergency change is judged apart).
  const mergedAt = options.commits === 'head' && ctx.stage === 'merge' && ctx.facts.merge ? Date.parse(ctx.facts.merge.mergedAt) : null;
  const latest = new Map<string, ReviewFacts>();
  const late = new Map<string, ReviewFacts>();
  for (const review of chronological(ctx.facts.reviews)) {
    if (!review.author || review.state === 'PENDING') continue;
    const key = review.author.login.toLowerCase();
    if (mergedAt !== null && (!review.submittedAt || Date.parse(review.submittedAt) > mergedAt)) {
      late.set(key, review);
      continue;
    }
    const prior = latest.get(key);
    if (!prior || DECISIVE.has(review.state) || !DECISIVE.has(prior.state)) latest.set(key, review);
  }
  const standings = [...latest.values()].map((review) => standingOf(ctx, review, options));
  for (const [key, review] of late) {
    if (latest.has(key)) continue;
    const standing = standingOf(ctx, review, options);
    standing.counts = false;
    standing.notCountedBecause.unshift({ code: 'after_merge', detail: `submitted ${review.submittedAt ?? 'at an unknown time'}, after the merge at ${ctx.facts.merge!.mergedAt}` });
    standings.push(standing);
  }
  return standings;
}

function standingOf(ctx: RuleContext, review: ReviewFacts, options: StandingOptions): ReviewerStanding {
  const { policy, facts } = ctx;
  const login = review.author!.login;
  const bot = isBot(review.author);
  const onHead = review.commitSha === facts.headSha;
  const reasons: NotCountedReason[] = [];
  let updateMerge: ReviewerStanding['updateMerge'];
  if (review.state === 'APPROVED') {
    if (options.commits === 'head' && policy.peer_review.approval_on_head && !onHead) {
      const stale = `approved an older commit ${shortSha(review.commitSha)}, not the head ${shortSha(facts.headSha)}`;
      if (policy.peer_review.keep_approvals_on_update_merge && review.commitSha) {
        const judged = judgeUpdateMerge(facts, review.commitSha);
        updateMerge = { kept: judged.clean === true, why: judged.why, merges: judged.merges };
        if (judged.clean !== true) reasons.push({ code: 'stale', detail: `${stale}, and ${judged.why}` });
      } else {
        reasons.push({ code: 'stale', detail: stale });
      }
    }
    const retargeted = baseChangeAfter(facts, review.submittedAt);
    if (retargeted) {
      reasons.push({ code: 'base_changed', detail: `approved before the base branch was changed from \`${retargeted.from}\` to \`${retargeted.to}\` at ${retargeted.at}${retargeted.actor ? ` by @${retargeted.actor}` : ''}: the change approved is not the change to merge` });
    }
    if (options.commits === 'any' && !facts.commits.some((c) => c.sha === review.commitSha)) {
      reasons.push({ code: 'not_in_change', detail: `approved commit ${shortSha(review.commitSha)}, which is not part of the pull request` });
    }
    if (bot && !policy.peer_review.count_bot_approvals) reasons.push({ code: 'bot', detail: 'is a bot account' });
    if (policy.peer_review.require_write_access && !review.authorCanPushToRepository) {
      reasons.push({ code: 'no_write_access', detail: 'cannot push to the repository' });
    }
    if (sameLogin(login, facts.author?.login)) {
      if (!policy.separation_of_duties.author_can_approve) reasons.push({ code: 'author', detail: 'is the author of the pull request' });
    } else if (isContributor(ctx, login) && !policy.separation_of_duties.contributors_can_approve) {
      reasons.push({ code: 'contributor', detail: contributionOf(ctx, login) });
    }
  }
  const standing: ReviewerStanding = {
    login,
    state: review.state,
    submittedAt: review.submittedAt,
    commitSha: review.commitSha,
    url: review.url,
    onHead,
    isBot: bot,
    canPush: review.authorCanPushToRepository,
    counts: review.state === 'APPROVED' && reasons.length === 0,
    notCountedBecause: reasons,
  };
  if (updateMerge) standing.updateMerge = updateMerge;
  return standing;
}

/** The last change of the base branch after `submittedAt`, if any (an approval before it approved another change). */
function baseChangeAfter(facts: RuleContext['facts'], submittedAt: string | null): NonNullable<RuleContext['facts']['baseChanges']>[number] | null {
  const last = facts.baseChanges?.at(-1);
  if (!last || !submittedAt) return null;
  return Date.parse(submittedAt) < Date.parse(last.at) ? last : null;
}

/** Why a reviewer counts as a contributor: "authored 3f2a1bc and pushed 4e5f6a7 at 2026-03-04T10:02:00Z (synchronize)" */
export function contributionOf(ctx: RuleContext, login: string): string {
  const c = ctx.contributors.find((x) => sameLogin(x.login, login));
  const reasons = c ? describeContributor(c).filter((r) => r !== 'opened the pull request') : [];
  return reasons.length ? listOf(reasons) : 'contributed to the change';
}

/** Reviews oldest first (unsubmitted last), keeping GitHub's order among equal times; GitHub's own order usually is this already. */
function chronological(reviews: ReviewFacts[]): ReviewFacts[] {
  let previous = Number.NEGATIVE_INFINITY;
  let sorted = true;
  for (const review of reviews) {
    const t = review.submittedAt ? Date.parse(review.submittedAt) : Number.POSITIVE_INFINITY;
    if (t < previous) {
      sorted = false;
      break;
    }
    previous = t;
  }
  if (sorted) return reviews;
  return reviews
    .map((review, index) => ({ review, index, t: review.submittedAt ? Date.parse(review.submittedAt) : Number.POSITIVE_INFINITY }))
    .sort((a, b) => a.t - b.t || a.index - b.index)
    .map((x) => x.review);
}
