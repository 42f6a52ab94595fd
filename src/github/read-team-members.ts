import type { TeamFacts } from '../core/facts.js';
import { readConnection } from './connection-reader.js';
import { toGitHubEvidenceError } from './errors.js';
import type { TeamMembersData } from './graphql/pull-request.types.js';
import { TEAM_MEMBERS_QUERY } from './graphql/team-members.graphql.js';
import type { GitHubClient } from './octokit.js';
import { runGraphql } from './run-graphql.js';

/**
 * Reads the members of `org/slug` (child teams included), 100 a request.
 * An app without the organisation permission `members: read`, a team that
 * does not exist, or one the app cannot see all come back as a `problem`:
 * the caller records an evidence gap, never an empty team.
 *
 * @example
 * const read = await readTeamMembers(octokit, 'acme/sre', { maxPages: 50, readAt: '2026-03-04T10:00:00Z' });
 */
export async function readTeamMembers(
  octokit: GitHubClient,
  team: string,
  options: { maxPages: number; readAt: string },
): Promise<{ facts: TeamFacts } | { problem: string }> {
  const [org, slug] = team.split('/') as [string, string];
  const what = `team @${team}`;
  const page = async (after: string | null) => {
    const { data, errors } = await runGraphql<TeamMembersData>(octokit, TEAM_MEMBERS_QUERY, { org, slug, after }, what);
    if (errors.length) throw new Error(errors.map((e) => `${e.type ? `${e.type}: ` : ''}${e.message}`).join('; '));
    return data.organization?.team ?? null;
  };
  let first;
  try {
    first = await page(null);
  } catch (error) {
    return { problem: error instanceof Error && !('status' in error) ? error.message : toGitHubEvidenceError(error, what).message };
  }
  if (!first) return { problem: `GitHub shows the app no team ${slug} in ${org}` };
  const reader = await readConnection('team members', first.members, async (after) => (await page(after))?.members, {
    maxPages: options.maxPages,
    key: (m) => m.login.toLowerCase(),
    describeError: (error) => (error instanceof Error ? error.message : String(error)),
  });
  if (reader.gap) return { problem: reader.gap };
  return { facts: { team, members: reader.items.map((m) => m.login), readAt: options.readAt } };
}
