/** GitHub-style opaque node ids (`PR_…`, `C_…`) that the simulator can decode again for `node(id:)`. */
const PREFIX: Record<string, string> = {
  Repository: 'R', PullRequest: 'PR', PullRequestReview: 'PRR', Commit: 'C', CheckSuite: 'CS', CheckRun: 'CR', Status: 'SC',
  StatusContext: 'SCX', User: 'U', Bot: 'BOT', Organization: 'O', Label: 'LA', Blob: 'B', PullRequestCommit: 'PURC',
};
const TYPE_BY_PREFIX = Object.fromEntries(Object.entries(PREFIX).map(([type, prefix]) => [prefix, type]));

export function nodeId(type: string, key: string | number): string {
  return `${PREFIX[type] ?? type}_kw${Buffer.from(String(key)).toString('base64url')}`;
}

export function decodeNodeId(id: string): { type: string; key: string } | null {
  const match = /^([A-Z]+)_kw([A-Za-z0-9_-]+)$/.exec(id);
  const type = match ? TYPE_BY_PREFIX[match[1]!] : undefined;
  return match && type ? { type, key: Buffer.from(match[2]!, 'base64url').toString('utf8') } : null;
}
