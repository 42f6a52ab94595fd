import type { Actor, CommitPerson } from './facts.js';

/** GitHub logins are case-insensitive: `Alice` and `alice` are one account. */
export function sameLogin(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}

/** A bot: account type Bot, or a login ending in `[bot]` (GitHub Apps). */
export function isBot(actor: Actor | null | undefined): boolean {
  return !!actor && (actor.type === 'Bot' || actor.login.toLowerCase().endsWith('[bot]'));
}

/**
 * GitHub's own committer for commits made in the web UI, merges and squashes
 * (`web-flow`, noreply@github.com). It is GitHub, not a person, so it is never
 * a contributor.
 */
export function isWebFlow(person: CommitPerson): boolean {
  const login = person.user?.login;
  if (login !== undefined && login.length === WEB_FLOW_LOGIN.length && login.toLowerCase() === WEB_FLOW_LOGIN) return true;
  const email = person.email;
  return email !== null && email.length === WEB_FLOW_EMAIL.length && email.toLowerCase() === WEB_FLOW_EMAIL;
}

const WEB_FLOW_LOGIN = 'web-flow';
const WEB_FLOW_EMAIL = 'noreply@github.com';

/** `name <email>`, or whichever part is known. */
export function describePerson(person: Pick<CommitPerson, 'name' | 'email'>): string {
  if (person.name && person.email) return `${person.name} <${person.email}>`;
  return person.name ?? (person.email ? `<${person.email}>` : 'an unknown person');
}
