import {
  CHECK_RUNS_PAGE_QUERY, CHECK_SUITES_PAGE_QUERY, COMMIT_AUTHORS_PAGE_QUERY, HEAD_COMMIT_QUERY, PULL_REQUEST_PAGE_QUERY, STATUS_CONTEXTS_PAGE_QUERY,
} from './pull-request-pages.graphql.js';
import { COMMIT_AUTHORS_QUERY } from './commit-authors.graphql.js';
import { MERGE_QUEUE_QUERY } from './merge-queue.graphql.js';
import { CODE_OWNERS_AT_QUERY, PULL_REQUEST_FILES_PAGE_QUERY, PULL_REQUEST_PATHS_QUERY } from './pull-request-paths.graphql.js';
import { PULL_REQUEST_QUERY } from './pull-request.graphql.js';
import { TEAM_MEMBERS_QUERY } from './team-members.graphql.js';

/** Every GraphQL document Changeproof sends, by name; a test validates each against GitHub's schema. */
export const GRAPHQL_DOCUMENTS: Readonly<Record<string, string>> = {
  PULL_REQUEST_QUERY,
  PULL_REQUEST_PAGE_QUERY,
  COMMIT_AUTHORS_PAGE_QUERY,
  HEAD_COMMIT_QUERY,
  CHECK_SUITES_PAGE_QUERY,
  CHECK_RUNS_PAGE_QUERY,
  STATUS_CONTEXTS_PAGE_QUERY,
  MERGE_QUEUE_QUERY,
  PULL_REQUEST_PATHS_QUERY,
  PULL_REQUEST_FILES_PAGE_QUERY,
  CODE_OWNERS_AT_QUERY,
  TEAM_MEMBERS_QUERY,
  COMMIT_AUTHORS_QUERY,
};
