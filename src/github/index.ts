// The GitHub layer's public API: gather evidence, load the policy, publish results.
export { collectPullRequest, type CollectPullRequestOptions, type PullRequestRef } from './collect-pull-request.js';
export { collectChange } from './collect-change.js';
export { loadPolicy, type PolicyLoad, type PolicySource, type PolicySourceFile } from './load-policy.js';
export { PolicyCache } from './policy-cache.js';
export { listRangeCommits, type CommitRange, type RangeCommit } from './list-range-commits.js';
export { associateCommits, type AssociatedPullRequest, type CommitAssociation } from './associate-commits.js';
export { publishCheckRun, CHECK_RUN_NAME, type CheckRunContent } from './publish-check-run.js';
export { answerDeploymentGate, parseDeploymentCallbackUrl, type DeploymentGateAnswer } from './answer-deployment-gate.js';
export { ChangeproofOctokit, createOctokit, withChangeproofDefaults, type GitHubClient, type Resilience } from './octokit.js';
export { resolveGitHubHost, type GitHubHost } from './github-host.js';
export { GitHubEvidenceError, type GitHubFailureKind } from './errors.js';
export { ROUTES } from './routes.js';
