import type { PushRecord } from '../../core/records.js';
import type { EvidenceInput } from '../model.js';
import { ledgerRef, ofKind } from './evidence-ledger.js';
import { login, yesNo } from './evidence-words.js';
import { fields, hash, link, NOT_RECORDED, section, show, table, time } from './page.js';
import { list, view } from './loose.js';

/**
 * The sections of a direct push: the push itself (from its last `push`
 * entry) and every commit pushed with the pull request that reviewed it, if any.
 *
 * @example [...pushSections(input), exceptionsSection(input.item.exceptions)]
 */
export function pushSections({ item, entries }: EvidenceInput): string[] {
  const entry = ofKind(entries, 'push').at(-1);
  const push = view<PushRecord>(entry?.data);
  const unreviewed = new Set<unknown>(list(push.unreviewed));
  const rows = list(push.commits).map((c) => {
    const pr = c.introducedBy;
    const review = pr
      ? `<span class="pass">reviewed</span>: merged pull request ${link(`#${show(pr.number)}`, pr.url)}, merged at ${time(pr.mergedAt)}${pr.mergeCommitSha ? `, in its merge commit ${hash(pr.mergeCommitSha)}` : ''}`
      : `<span class="fail">not reviewed</span>: ${c.note ? show(c.note) : "no merged pull request's merge commit on this push contains it"}${unreviewed.has(c.sha) ? '' : ' (not in the record’s unreviewed list)'}`;
    return [hash(c.sha), show(c.headline), login(c.author), review];
  });
  const details = fields([
    ['Repository', show(item.repo)],
    ['Ref', `<code>${show(push.ref)}</code>`],
    ['Before', hash(push.before)],
    ['After', hash(push.after)],
    ['Forced', yesNo(push.forced, 'yes (history rewritten)', 'no')],
    ['Created / deleted the branch', `${yesNo(push.created, 'created', 'not created')}, ${yesNo(push.deleted, 'deleted', 'not deleted')}`],
    ['Pusher', push.pusher ? `${show(push.pusher.name)} &lt;${show(push.pusher.email)}&gt;` : NOT_RECORDED],
    ['Sender', login(push.sender)],
    ['Pushed at (UTC, GitHub)', push.pushedAt ? time(push.pushedAt) : `${NOT_RECORDED} (received at ${time(push.receivedAt)})`],
    ['Received at (UTC)', time(push.receivedAt)],
    ['How GitHub compared before and after', push.comparison ? show(push.comparison) : NOT_RECORDED],
    ['Commits removed from the branch', push.removed === undefined ? NOT_RECORDED : list(push.removed).map(hash).join(' ') || 'none'],
    ['Gap', push.gap === null ? 'none: every commit was listed and associated' : show(push.gap)],
    ['Ledger entry', entry ? ledgerRef(entry) : NOT_RECORDED],
  ]);
  const commits = table(['SHA', 'Headline', 'Author', 'Review'], rows, { empty: entry ? 'No commits recorded.' : 'Not recorded: no push entry.' });
  return [section('push', 'Push', details), section('push-commits', 'Commits pushed and how each was reviewed', commits)];
}
