import type { ChangeFacts, CommitPerson } from '../../core/facts.js';
import { login, NO_SNAPSHOT } from './evidence-words.js';
import { hash, link, NOT_RECORDED, show, table, time } from './page.js';
import { list, type Loose, type View } from './loose.js';

/**
 * Every commit of a change with its authors (primary first, then
 * co-authors), committer and times.
 *
 * @example section('commits', 'Commits', commitsTable(facts, recorded))
 */
export function commitsTable(facts: View<ChangeFacts>, recorded: boolean): string {
  const rows = list(facts.commits).map((c) => [
    link(hash(c.sha), c.url),
    show(c.headline),
    list(c.authors).map(personWords).join('<br>') || NOT_RECORDED,
    personWords(c.committer),
    time(c.authoredAt),
    time(c.committedAt),
  ]);
  const headers = ['SHA', 'Headline', 'Authors (primary first, then co-authors)', 'Committer', 'Authored at (UTC)', 'Committed at (UTC)'];
  return table(headers, rows, { empty: recorded ? 'No commits recorded.' : NO_SNAPSHOT });
}

function personWords(p: Loose<CommitPerson>): string {
  if (!p) return NOT_RECORDED;
  return `${show(p.name)} &lt;${show(p.email)}&gt;${p.user ? ` (${login(p.user.login)})` : ' (no GitHub account)'}`;
}
