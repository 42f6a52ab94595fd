import type { SimAccount, SimCheckRun, SimCommit, SimDeployment, SimPullRequest, SimRepo, SimStatus, World } from './world.js';

/**
 * REST representations, with the fields of GitHub's schemas that clients read
 * (a subset of each object; ids, logins, SHAs, URLs and timestamps are real).
 */
export class RestJson {
  constructor(private readonly world: World, private readonly apiUrl: string, private readonly webUrl: string) {}

  user(login: string | null) {
    const account: SimAccount | undefined = login ? this.world.account(login) : undefined;
    if (!account) return null;
    return {
      login: account.login, id: account.id, node_id: `U_${account.id}`, type: account.type, site_admin: false,
      avatar_url: `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
      url: `${this.apiUrl}/users/${encodeURIComponent(account.login)}`, html_url: `${this.webUrl}/${account.login}`,
    };
  }

  repo(repo: SimRepo) {
    const fullName = `${repo.owner}/${repo.name}`;
    return {
      id: repo.id, node_id: `R_${repo.id}`, name: repo.name, full_name: fullName, private: repo.private, owner: this.user(repo.owner),
      html_url: `${this.webUrl}/${fullName}`, url: `${this.apiUrl}/repos/${fullName}`, default_branch: repo.defaultBranch, visibility: repo.private ? 'private' : 'public',
    };
  }

  commit(repo: SimRepo, commit: SimCommit) {
    const fullName = `${repo.owner}/${repo.name}`;
    const gitPerson = (p: SimCommit['author']) => ({ name: p.name, email: p.email, date: p.date });
    const linked = (email: string) => {
      const account = this.world.accountByEmail(email);
      return account ? this.user(account.login) : null;
    };
    return {
      sha: commit.sha, node_id: `C_${commit.sha}`,
      url: `${this.apiUrl}/repos/${fullName}/commits/${commit.sha}`, html_url: `${this.webUrl}/${fullName}/commit/${commit.sha}`,
      commit: {
        message: commit.message, author: gitPerson(commit.author), committer: gitPerson(commit.committer), comment_count: 0,
        url: `${this.apiUrl}/repos/${fullName}/git/commits/${commit.sha}`, tree: { sha: commit.sha, url: '' },
        verification: commit.signature
          ? { verified: commit.signature.isValid, reason: commit.signature.isValid ? 'valid' : commit.signature.state.toLowerCase(), signature: '-----BEGIN PGP SIGNATURE-----', payload: '', verified_at: commit.signature.isValid ? commit.committer.date : null }
          : { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
      },
      author: linked(commit.author.email), committer: linked(commit.committer.email),
      parents: commit.parents.map((sha) => ({ sha, url: `${this.apiUrl}/repos/${fullName}/commits/${sha}`, html_url: `${this.webUrl}/${fullName}/commit/${sha}` })),
    };
  }

  pull(repo: SimRepo, pr: SimPullRequest) {
    const fullName = `${repo.owner}/${repo.name}`;
    const branch = (ref: string, sha: string) => ({ label: `${repo.owner}:${ref}`, ref, sha, user: this.user(repo.owner), repo: this.repo(repo) });
    return {
      url: `${this.apiUrl}/repos/${fullName}/pulls/${pr.number}`, id: pr.id, node_id: `PR_${pr.id}`, html_url: `${this.webUrl}/${fullName}/pull/${pr.number}`,
      number: pr.number, state: pr.state, locked: false, title: pr.title, body: pr.body, user: this.user(pr.author),
      labels: pr.labels.map((name, i) => ({ id: i + 1, node_id: `LA_${i + 1}`, name, color: 'ededed', default: false, description: null, url: '' })),
      created_at: pr.createdAt, updated_at: pr.mergedAt ?? pr.createdAt, closed_at: pr.closedAt, merged_at: pr.mergedAt,
      merge_commit_sha: pr.mergeCommitSha, draft: pr.draft, head: branch(pr.headRef, pr.commits.at(-1)!), base: branch(pr.baseRef, pr.baseSha),
      author_association: 'MEMBER', merged: pr.mergedAt !== null, merged_by: this.user(pr.mergedBy),
    };
  }

  checkRun(repo: SimRepo, run: SimCheckRun) {
    const fullName = `${repo.owner}/${repo.name}`;
    const suite = repo.checkSuites.find((s) => s.id === run.suiteId)!;
    return {
      id: run.id, node_id: `CR_${run.id}`, head_sha: run.headSha, external_id: run.externalId ?? '', name: run.name,
      url: `${this.apiUrl}/repos/${fullName}/check-runs/${run.id}`, html_url: `${this.webUrl}/${fullName}/runs/${run.id}`, details_url: run.detailsUrl,
      status: run.status.toLowerCase(), conclusion: run.conclusion?.toLowerCase() ?? null, started_at: run.startedAt, completed_at: run.completedAt,
      output: { ...run.output, annotations_count: 0, annotations_url: `${this.apiUrl}/repos/${fullName}/check-runs/${run.id}/annotations` },
      // The suite's branch, as GitHub names it: the branch whose head the commit is (a merge group's `gh-readonly-queue/…` branch too).
      check_suite: { id: suite.id, head_sha: run.headSha, head_branch: [...repo.branches].find(([, sha]) => sha === run.headSha)?.[0] ?? null },
      app: { id: suite.appId, slug: suite.appSlug, name: suite.appSlug }, pull_requests: [],
    };
  }

  status(repo: SimRepo, status: SimStatus) {
    return {
      id: status.id, node_id: `SC_${status.id}`, url: `${this.apiUrl}/repos/${repo.owner}/${repo.name}/statuses/${status.sha}`, state: status.state.toLowerCase(),
      description: status.description, target_url: status.targetUrl, context: status.context, created_at: status.createdAt, updated_at: status.createdAt,
      creator: this.user(status.creator), avatar_url: null,
    };
  }

  deployment(repo: SimRepo, deployment: SimDeployment) {
    const fullName = `${repo.owner}/${repo.name}`;
    return {
      url: `${this.apiUrl}/repos/${fullName}/deployments/${deployment.id}`, id: deployment.id, node_id: `DE_${deployment.id}`, sha: deployment.sha,
      ref: deployment.ref, task: 'deploy', payload: {}, original_environment: deployment.environment, environment: deployment.environment,
      description: null, creator: this.user(deployment.creator), created_at: deployment.createdAt, updated_at: deployment.createdAt,
      statuses_url: `${this.apiUrl}/repos/${fullName}/deployments/${deployment.id}/statuses`, repository_url: `${this.apiUrl}/repos/${fullName}`,
      transient_environment: false, production_environment: deployment.environment === 'production',
    };
  }
}
