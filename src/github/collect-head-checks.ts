import type { CheckFacts, EvidenceGap } from '../core/facts.js';
import { toGitHubEvidenceError } from './errors.js';
import { readConnection } from './connection-reader.js';
import { CHECK_RUNS_PAGE_QUERY, CHECK_SUITES_PAGE_QUERY, STATUS_CONTEXTS_PAGE_QUERY } from './graphql/pull-request-pages.graphql.js';
import type {
  CheckSuitesPageData, Connection, GqlCheckRun, GqlCheckSuite, GqlCombinedContext, GqlHeadChecks, GqlStatusContext, NodeData,
} from './graphql/pull-request.types.js';
import { mapCheckRun, mapStatusContext } from './map-evidence.js';
import type { GitHubClient } from './octokit.js';
import { runGraphqlComplete } from './run-graphql.js';

interface HeadChecksRef {
  owner: string;
  name: string;
  what: string;
  maxPages: number;
}

/**
 * Every check run (re-runs included) and the latest status per context on the
 * head commit, paging check suites, the runs of each suite and the status
 * contexts only where GitHub has more than 100. Anything that cannot be read
 * completely is a `checks` gap.
 *
 * @example
 * const { checks, gaps } = await collectHeadChecks(octokit, head, { owner: 'acme', name: 'api', what: 'acme/api#7', maxPages: 50 });
 */
export async function collectHeadChecks(
  octokit: GitHubClient,
  head: GqlHeadChecks,
  ref: HeadChecksRef,
): Promise<{ checks: CheckFacts[]; gaps: EvidenceGap[] }> {
  const describeError = (error: unknown) => toGitHubEvidenceError(error, `the checks of ${ref.what}`).message;
  const gaps: EvidenceGap[] = [];
  const checks: CheckFacts[] = [];

  const suites = await readConnection<GqlCheckSuite>(
    'check suites',
    head.checkSuites,
    async (after) => {
      const vars = { owner: ref.owner, name: ref.name, oid: head.oid, after };
      const data = await runGraphqlComplete<CheckSuitesPageData>(octokit, CHECK_SUITES_PAGE_QUERY, vars, `the checks of ${ref.what}`);
      return data.repository?.object?.checkSuites;
    },
    { maxPages: ref.maxPages, key: (suite) => suite.id, describeError },
  );
  if (suites.gap) gaps.push({ what: 'checks', reason: suites.gap });

  for (const suite of suites.items) {
    const runs = await readConnection<GqlCheckRun>(
      `check runs of ${suite.app?.slug ?? 'an unknown app'}`,
      suite.checkRuns,
      (after) => nodePage<{ checkRuns?: Connection<GqlCheckRun> }>(octokit, CHECK_RUNS_PAGE_QUERY, suite.id, after, ref.what).then((n) => n?.checkRuns),
      { maxPages: ref.maxPages, key: (run) => String(run.databaseId ?? `${run.name}@${run.startedAt}`), describeError },
    );
    if (runs.gap) gaps.push({ what: 'checks', reason: runs.gap });
    checks.push(...runs.items.map((run) => mapCheckRun(run, suite.app?.slug ?? null)));
  }

  if (head.status) {
    const statusId = head.status.id;
    const contexts = await readConnection<GqlCombinedContext>(
      'status contexts',
      head.status.combinedContexts,
      (after) =>
        nodePage<{ combinedContexts?: Connection<GqlCombinedContext> }>(octokit, STATUS_CONTEXTS_PAGE_QUERY, statusId, after, ref.what).then((n) => n?.combinedContexts),
      { maxPages: ref.maxPages, describeError },
    );
    if (contexts.gap) gaps.push({ what: 'checks', reason: contexts.gap });
    for (const context of contexts.items) {
      if (context.__typename === 'StatusContext') checks.push(mapStatusContext(context as GqlStatusContext));
    }
  }
  return { checks, gaps };
}

async function nodePage<T>(octokit: GitHubClient, query: string, id: string, after: string, what: string): Promise<T | null> {
  const data = await runGraphqlComplete<NodeData<T>>(octokit, query, { id, after }, `the checks of ${what}`);
  return data.node;
}
