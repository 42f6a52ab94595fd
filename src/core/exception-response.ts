import { sameLogin } from './people.js';

/**
 * Management's response to an exception: who may give one, and how the
 * comment command reads. Pure: the shells fetch the facts (the responder's
 * role on the repository, the change's contributors, the exception's actor)
 * and record or refuse as {@link judgeResponder} decides.
 *
 * A response never changes the exception: it is shown beside it.
 */

/** The roles that may respond, as GitHub's collaborator `role_name` names them. */
export const RESPONDER_ROLES = ['admin', 'maintain'] as const;

/** The longest response recorded (GitHub's comment limit is 65,536 characters). */
export const MAX_RESPONSE_LENGTH = 8_000;

/**
 * `/changeproof respond` at the start of a line (at most three spaces before it: four,
 * or a tab, make an indented code block in Markdown): the rest of the comment, from
 * there on, is the response.
 */
const COMMAND = /^ {0,3}\/changeproof[ \t]+respond\b[ \t]*(.*)$/i;

/**
 * The response a pull-request comment gives, or null when the comment is no
 * `/changeproof respond` command. An empty text is returned as '' (to be refused).
 *
 * @example parseRespondCommand('/changeproof respond Reviewed after the fact by the CTO.') // { text: 'Reviewed after the fact by the CTO.' }
 */
export function parseRespondCommand(body: string | null | undefined): { text: string } | null {
  if (typeof body !== 'string') return null;
  // A command shown, not given — inside a fenced code block (``` or ~~~), as instructions often
  // are, or an indented one — or hidden in an HTML comment, is not a response.
  let offset = 0;
  let fence: string | null = null;
  let comment = false;
  for (const line of body.split('\n')) {
    const marker = /^[ \t]{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (comment) {
      if (line.includes('-->')) comment = false;
    } else if (fence !== null) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
    } else if (marker) {
      fence = marker;
    } else if (/^[ \t]*<!--/.test(line)) {
      comment = !line.slice(line.indexOf('<!--') + 4).includes('-->');
    } else {
      const match = COMMAND.exec(line.replace(/\r$/, ''));
      if (match) return { text: body.slice(offset + match.index + match[0].length - match[1]!.length).replace(/\r\n?/g, '\n').trim() };
    }
    offset += line.length + 1;
  }
  return null;
}

export interface ResponderFacts {
  responder: string;
  /** The responder's account id, which a rename does not change; null when GitHub gave none. */
  responderId?: number | null;
  /**
   * The account ids of the people the change's evidence names (contributors and whoever
   * caused an exception), with the login each had there: a person who has renamed the
   * account since is still that person.
   */
  accounts?: ReadonlyMap<number, { login: string; caused: boolean }>;
  /** `role_name` from GitHub (`admin`, `maintain`, `write`, `triage`, `read`, a custom role), or null when GitHub gave none. */
  roleName: string | null;
  /** Everyone who contributed to the change (author, commit authors and committers, co-authors, pushers, signers). */
  contributors: readonly string[];
  /** Who caused each exception (merged or pushed). */
  actors: readonly (string | null)[];
  text: string;
  /** The number of exceptions recorded for the subject. */
  exceptions: number;
  /** What the response is about, in words: "pull request #42", "the push 1a2b3c4". */
  about: string;
}

/** Why a response is refused: nothing to answer, an unusable text, a role that may not, or a person who is not independent of the change. */
export type RefusalKind = 'nothing_to_answer' | 'invalid_text' | 'not_permitted' | 'not_independent';

export type ResponderJudgement = { ok: true } | { ok: false; kind: RefusalKind; reason: string };

/**
 * Whether a response may be recorded: there is an exception to answer, a
 * text, and the responder has admin or maintain permission, did not
 * contribute to the change and did not cause the exception.
 *
 * @example judgeResponder({ responder: 'alice', roleName: 'admin', contributors: ['alice'], … }) // { ok: false, reason: '@alice contributed to …' }
 */
export function judgeResponder(f: ResponderFacts): ResponderJudgement {
  if (f.exceptions === 0) return { ok: false, kind: 'nothing_to_answer', reason: `${f.about} has no exception recorded, so there is nothing to respond to.` };
  if (!f.text) return { ok: false, kind: 'invalid_text', reason: 'the response is empty: write it after the command, e.g. `/changeproof respond Reviewed after the fact by @carol; no impact found.`' };
  if (f.text.length > MAX_RESPONSE_LENGTH) return { ok: false, kind: 'invalid_text', reason: `the response is ${f.text.length} characters long; at most ${MAX_RESPONSE_LENGTH} are recorded.` };
  const role = f.roleName ?? 'none';
  if (!(RESPONDER_ROLES as readonly string[]).includes(role)) {
    return { ok: false, kind: 'not_permitted', reason: `@${f.responder} has the ${role} role on this repository; only a person with the admin or maintain role may respond to an exception.` };
  }
  if (f.actors.some((a) => a !== null && sameLogin(a, f.responder))) {
    return { ok: false, kind: 'not_independent', reason: `@${f.responder} caused this exception (merged or pushed it); a response must come from someone else.` };
  }
  if (f.contributors.some((c) => sameLogin(c, f.responder))) {
    return { ok: false, kind: 'not_independent', reason: `@${f.responder} contributed to ${f.about}; a response must come from someone who did not.` };
  }
  const known = typeof f.responderId === 'number' ? f.accounts?.get(f.responderId) : undefined;
  if (known) {
    const was = `the same account as @${known.login} (renamed since)`;
    return known.caused
      ? { ok: false, kind: 'not_independent', reason: `@${f.responder} is ${was}, which caused this exception (merged or pushed it); a response must come from someone else.` }
      : { ok: false, kind: 'not_independent', reason: `@${f.responder} is ${was}, which contributed to ${f.about}; a response must come from someone who did not.` };
  }
  return { ok: true };
}

/** The reply to a comment that was recorded. */
export function recordedReply(responder: string, seq: number, exceptions: number): string {
  return `Recorded @${responder}'s response to ${exceptions === 1 ? 'the exception' : `the ${exceptions} exceptions`} of this pull request (ledger entry #${seq}). The exception stays an exception; the response is shown beside it in the audit export.`;
}

/** The reply to a comment that was refused: nothing was recorded, and why. */
export function refusedReply(reason: string): string {
  return `Not recorded: ${reason}`;
}
