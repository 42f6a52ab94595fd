import { PAGE_INFO } from './fragments.js';

/**
 * A team's members, child teams' members included (`membership: ALL`, as
 * GitHub counts them for reviews). Needs the organisation permission
 * `members: read`; without it GitHub answers an error or no team.
 */
export const TEAM_MEMBERS_QUERY = /* GraphQL */ `
query ChangeproofTeamMembers($org: String!, $slug: String!, $after: String) {
  organization(login: $org) {
    team(slug: $slug) {
      slug
      members(first: 100, after: $after, membership: ALL) { totalCount pageInfo { ...PageInfoFields } nodes { login } }
    }
  }
}
${PAGE_INFO}`;
