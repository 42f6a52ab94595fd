import type { ChangeFacts, ReviewFacts } from '../../core/facts.js';
import { describeContributor } from '../../core/policy/contributors.js';
import type { Contributor, PeerReviewEvidence, ReviewerStanding, SeparationOfDutiesEvidence } from '../../core/policy/verdict.js';
import { login, NO_SNAPSHOT, yesNo } from './evidence-words.js';
import { hash, link, NOT_RECORDED, show, table, time } from './page.js';
import { list, type Loose, type View } from './loose.js';

/**
 * Every review of a change and whether the peer-review rule counted it as an
 * approval; without a snapshot, the reviewer standings the rule recorded.
 *
 * @example reviewsTable(facts, recorded, evidence<PeerReviewEvidence>('peer_review'))
 */
export function reviewsTable(facts: View<ChangeFacts>, recorded: boolean, peer: Loose<PeerReviewEvidence>): string {
  const standings = list(peer?.reviewers);
  const onCommit = (sha: unknown) => (sha ? `${hash(sha)}${sha === facts.headSha ? ' (head)' : ''}` : NOT_RECORDED);
  const reviewer = (r: View<ReviewFacts>) => (r.author ? `${login(r.author.login)}${r.author.type === 'Bot' ? ' (bot)' : ''}` : 'a deleted account');
  const reviews = list(facts.reviews);
  // Without a snapshot, the standings the rule recorded are the only reviews left to show.
  const rows = reviews.length
    ? reviews.map((r) => [reviewer(r), link(show(r.state), r.url), time(r.submittedAt), onCommit(r.commitSha), yesNo(r.authorCanPushToRepository, 'yes', 'no'), countedWords(r, standings, !!peer)])
    : standings.map((s) => [login(s.login), link(show(s.state), s.url), time(s.submittedAt), onCommit(s.commitSha), yesNo(s.canPush, 'yes', 'no'), standingWords(s)]);
  const summary = peer ? `<p>${show(peer.counted)} of ${show(peer.requiredApprovals)} required ${peer.requiredApprovals === 1 ? 'approval' : 'approvals'} ${peer.counted === 1 ? 'counts' : 'count'}.</p>` : '';
  const headers = ['Reviewer', 'State', 'Submitted at (UTC)', 'On commit', 'Write access', 'Counted as approval'];
  return summary + table(headers, rows, { empty: recorded ? 'No reviews were submitted.' : NO_SNAPSHOT });
}

/** Whether a review counted, from the reviewer's standing (their latest decisive review) as the peer-review rule judged it. */
function countedWords(r: View<ReviewFacts>, standings: View<ReviewerStanding>[], judged: boolean): string {
  if (r.state !== 'APPROVED') return '<span class="na">not an approval</span>';
  if (!judged) return NOT_RECORDED;
  const standing = standings.find((s) => s.login === r.author?.login);
  if (!standing) return '<span class="fail">✗ does not count</span>: the peer-review rule recorded no standing for this reviewer';
  if (standing.state === r.state && standing.submittedAt === r.submittedAt && standing.commitSha === r.commitSha) return standingWords(standing);
  return `<span class="fail">✗ does not count</span>: superseded by the reviewer's later review (${show(standing.state)} at ${time(standing.submittedAt)})`;
}

function standingWords(s: View<ReviewerStanding>): string {
  if (s.counts === true) return '<span class="pass">✓ counts</span>';
  if (s.state !== 'APPROVED') return '<span class="na">not an approval</span>';
  return `<span class="fail">✗ does not count</span>: ${list(s.notCountedBecause).map((n) => show(n.detail ?? n.code)).join('; ') || NOT_RECORDED}`;
}

const ROLE_WORDS: Record<string, string> = {
  pr_author: 'opened the PR', commit_author: 'commit author', co_author: 'co-author', committer: 'committer', pusher: 'pushed to its branch', signer: 'signed a commit',
};

const UNATTRIBUTED_WHY: Record<string, string> = {
  not_linked: 'not linked to a GitHub account',
  github_name_unsigned: "GitHub's name on a commit GitHub did not sign, and no push of it was received",
};

/**
 * Who wrote the change, as the separation-of-duties rule saw it: each
 * contributor with their roles and commits, the merger, the approvals set
 * aside and the commits no account could be attributed to.
 *
 * @example peopleTable(evidence<SeparationOfDutiesEvidence>('separation_of_duties'))
 */
export function peopleTable(e: Loose<SeparationOfDutiesEvidence>): string {
  if (!e) return '';
  const rows = list(e.contributors).map((c) => [
    login(c.login),
    list(c.roles).map((r) => show(ROLE_WORDS[r] ?? r)).join(', '),
    describeContributor(c as Contributor).map(show).join('<br>') || '—',
    list(c.commits).map(hash).join('<br>') || '—',
  ]);
  const unattributed = list(e.unattributedCommits).map((u) => `${hash(u.sha)} ${show(u.role)} ${show(u.name)} &lt;${show(u.email)}&gt; (${show(UNATTRIBUTED_WHY[u.why ?? 'not_linked'] ?? u.why)})`);
  const unverified = list(e.unverifiedCommits).map((u) => `${hash(u.sha)} ${show(u.why)}`);
  const headPush = e.pushes && e.pushes.headPushKnown === false ? ' The push of the head commit was not received: who pushed it is not known.' : '';
  const excluded = list(e.excludedApprovals).map((x) => `${login(x.login)}: ${show(x.reason)}`);
  const merger = e.merger ? `${login(e.merger.login)}${e.merger.sameAsAuthor ? ' (the author)' : ''}` : NOT_RECORDED;
  return `<h3>Who wrote the change (separation of duties)</h3>
${table(['Account', 'Role', 'Why a contributor', 'Commits'], rows, { empty: 'No contributors recorded.' })}
<p>Merged by: ${merger}. Approvals set aside: ${excluded.join('; ') || 'none'}. Unattributed commits: ${unattributed.join('; ') || 'none'}.${e.requireVerifiedSignatures ? ` Commits without a verified signature by their author: ${unverified.join('; ') || 'none'}.` : ''}${headPush}</p>`;
}
