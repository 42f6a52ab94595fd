import {
  World, commitSha, gitBlobSha, reachable, type GitPerson, type ReviewState, type SimAccount, type SimCheckRun, type SimMergeQueue, type SimMergeQueueEntry, type SimPullRequest,
  type SimRepo, type SimSignature,
} from './simulator/world.js';
import { diffFiles, mergeBase } from './simulator/diff.js';

type PersonRef = string | { name: string; email: string };
/** How a commit is signed: by GitHub's own key, by a verified key of `signer`, or with a signature GitHub rejects. */
type SignatureRef = 'github' | { signer: string } | { invalid: string };

const GITHUB: { name: string; email: string } = { name: 'GitHub', email: 'noreply@github.com' };
type CheckResult =
  | 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required' | 'stale' | 'startup_failure'
  | 'queued' | 'in_progress' | 'waiting' | 'requested' | 'pending';

const GITHUB_ACTIONS = { slug: 'github-actions', id: 15368 };

/**
 * Builds a simulated GitHub in a few readable lines. Every call acts on the
 * repository and pull request mentioned last, and returns the builder, so a
 * scenario reads top to bottom like what happened. The builder keeps working
 * after the simulator has started (it mutates the live world).
 *
 * @example
 * const s = scenario().repo('acme/api').pullRequest({ author: 'alice', commits: 3 }).approvedBy('bob').check('ci', 'success');
 * const sim = await startGitHubSimulator(s);
 */
export function scenario(options: { start?: string } = {}): ScenarioBuilder {
  return new ScenarioBuilder(new World(options.start));
}

export class ScenarioBuilder {
  private currentRepo: SimRepo | null = null;
  private currentPr: SimPullRequest | null = null;
  private readonly readOnly = new Set<string>();
  private salt = 0;

  constructor(readonly world: World) {
    this.account('web-flow', { name: 'GitHub', emails: ['noreply@github.com'] });
  }

  /** An account; `canPush: false` keeps it from getting write access to the repositories. */
  user(login: string, options: { name?: string; emails?: string[]; canPush?: boolean } = {}): this {
    this.account(login, options);
    if (options.canPush === false) {
      this.readOnly.add(login.toLowerCase());
      for (const repo of this.world.repos.values()) repo.writers.delete(login.toLowerCase());
    }
    return this;
  }

  /** The account's role on the current repository as GitHub's `role_name` reports it (`admin`, `maintain`, `write`, `triage`, `read`). */
  role(login: string, role: string): this {
    this.account(login);
    const repo = this.repoNow();
    (repo.roles ??= new Map()).set(login.toLowerCase(), role);
    if (role === 'read' || role === 'triage') repo.writers.delete(login.toLowerCase());
    else repo.writers.add(login.toLowerCase());
    return this;
  }

  /** A GitHub App's bot account: `bot('dependabot')` is `dependabot[bot]`, with its noreply email. */
  bot(slug: string, options: { canPush?: boolean } = {}): this {
    const id = 49_000_000 + this.world.nextId();
    const login = `${slug}[bot]`;
    this.world.accounts.set(login.toLowerCase(), { login, id, type: 'Bot', name: null, emails: [`${id}+${login}@users.noreply.github.com`] });
    if (options.canPush === false) this.readOnly.add(login.toLowerCase());
    return this;
  }

  /** An installation of an app (default: Changeproof) on `account`. */
  installation(options: { id?: number; account: string; appSlug?: string; appId?: number; repositories?: 'all' | string[] }): this {
    const id = options.id ?? this.world.nextId();
    this.world.installations.set(id, {
      id, account: options.account, appSlug: options.appSlug ?? 'changeproof', appId: options.appId ?? 4242, repositories: options.repositories ?? 'all',
    });
    return this;
  }

  /** A repository with an initial commit on its default branch. */
  repo(fullName: string, options: { defaultBranch?: string; private?: boolean; files?: Record<string, string> } = {}): this {
    const [owner, name] = fullName.split('/') as [string, string];
    if (!this.world.account(owner)) this.world.accounts.set(owner.toLowerCase(), { login: owner, id: this.world.nextId(), type: 'Organization', name: owner, emails: [] });
    const defaultBranch = options.defaultBranch ?? 'main';
    const repo: SimRepo = {
      id: this.world.nextId(), owner, name, private: options.private ?? true, defaultBranch, branches: new Map(), commits: new Map(),
      pulls: new Map(), checkSuites: [], checkRuns: [], statuses: [], deployments: [], writers: new Set([owner.toLowerCase()]),
    };
    this.world.repos.set(fullName.toLowerCase(), repo);
    for (const account of this.world.accounts.values()) this.grant(repo, account.login);
    const admin = { name: 'Repository Admin', email: 'admin@example.com', date: this.world.tick() };
    const root = this.makeCommit(repo, [], 'Initial commit', admin, admin, { 'README.md': `# ${name}\n`, ...options.files });
    repo.branches.set(defaultBranch, root);
    this.currentRepo = repo;
    this.currentPr = null;
    return this;
  }

  /**
   * Commits `content` to `path` on a branch (default: the default branch); `null` deletes the file.
   * `date` sets the author and committer dates (which a committer can set to anything).
   */
  file(path: string, content: string | null, options: { branch?: string; author?: PersonRef; date?: string } = {}): this {
    const repo = this.repoNow();
    const branch = options.branch ?? repo.defaultBranch;
    const parent = repo.branches.get(branch);
    if (!parent) throw new Error(`simulator: no branch ${branch} in ${repo.owner}/${repo.name}`);
    const person = { ...this.person(options.author ?? { name: 'Repository Admin', email: 'admin@example.com' }), ...(options.date ? { date: options.date } : {}) };
    const sha = this.makeCommit(repo, [parent], `${content === null ? 'Delete' : 'Update'} ${path}`, person, person, { [path]: content });
    repo.branches.set(branch, sha);
    const pr = [...repo.pulls.values()].find((p) => p.headRef === branch && p.state === 'open');
    if (pr) pr.commits.push(sha);
    return this;
  }

  /** A pull request from a new branch off the default branch, with `commits` commits by the author. */
  pullRequest(options: { author: string; commits?: number; title?: string; body?: string; labels?: string[]; draft?: boolean; headRef?: string }): this {
    const repo = this.repoNow();
    this.account(options.author);
    const number = Math.max(0, ...repo.pulls.keys()) + 1;
    const baseSha = repo.branches.get(repo.defaultBranch)!;
    const pr: SimPullRequest = {
      id: this.world.nextId(), number, title: options.title ?? `Change ${number}`, body: options.body ?? '', author: options.author,
      state: 'open', draft: options.draft ?? false, baseRef: repo.defaultBranch, headRef: options.headRef ?? `feature-${number}`,
      baseSha, commits: [], reviews: [], labels: [...(options.labels ?? [])], createdAt: this.world.tick(), mergedAt: null, mergedBy: null,
      mergeCommitSha: null, closedAt: null,
    };
    repo.pulls.set(number, pr);
    repo.branches.set(pr.headRef, baseSha);
    this.currentPr = pr;
    for (let i = 0; i < (options.commits ?? 1); i += 1) this.commit();
    return this;
  }

  /** A commit on the pull request's branch (author defaults to the pull request's author). */
  commit(options: { author?: PersonRef; committer?: PersonRef; coAuthors?: PersonRef[]; message?: string; files?: Record<string, string>; signature?: SignatureRef } = {}): this {
    const repo = this.repoNow();
    const pr = this.prNow();
    const author = this.person(options.author ?? pr.author ?? 'ghost');
    const committer = options.committer ? this.person(options.committer) : author;
    const trailers = (options.coAuthors ?? []).map((c) => this.person(c)).map((p) => `Co-authored-by: ${p.name} <${p.email}>`);
    const headline = options.message ?? `Change ${pr.commits.length + 1} of #${pr.number}`;
    const message = trailers.length > 0 ? `${headline}\n\n${trailers.join('\n')}` : headline;
    const parent = repo.branches.get(pr.headRef)!;
    const sha = this.makeCommit(repo, [parent], message, author, committer, options.files ?? { [`src/change-${pr.number}-${pr.commits.length + 1}.ts`]: `export const n = ${pr.commits.length + 1};\n` }, signatureOf(options.signature));
    repo.branches.set(pr.headRef, sha);
    pr.commits.push(sha);
    return this;
  }

  /**
   * A commit made on github.com by `login` (a web edit, or "Update branch"):
   * authored by them, committed by web-flow and signed with GitHub's key.
   */
  webCommit(login: string, options: { message?: string; files?: Record<string, string> } = {}): this {
    return this.commit({ author: login, committer: GITHUB, signature: 'github', ...options });
  }

  /**
   * `login` force-pushes the head branch: the last `drop` commits are gone
   * and `commits` new ones (authored by `author`, default the pusher) take
   * their place. The timeline records a head-ref force push.
   */
  forcePush(login: string, options: { drop?: number; commits?: number; author?: PersonRef } = {}): this {
    const repo = this.repoNow();
    const pr = this.prNow();
    const before = pr.commits.at(-1)!;
    pr.commits.splice(pr.commits.length - (options.drop ?? 1));
    repo.branches.set(pr.headRef, pr.commits.at(-1) ?? pr.baseSha);
    for (let i = 0; i < (options.commits ?? 1); i += 1) this.commit({ author: options.author ?? login });
    (pr.forcePushes ??= []).push({ id: this.world.nextId(), actor: login, before, after: pr.commits.at(-1)!, createdAt: this.world.tick() });
    return this;
  }

  /** An organisation team (`org/slug`) and its members (child teams' included), as `Team.members` lists them. */
  team(name: string, members: string[]): this {
    for (const login of members) this.account(login);
    this.world.teams.set(name.toLowerCase(), [...members]);
    return this;
  }

  /**
   * "Update branch" by `login`: a merge of the base branch into the pull
   * request's head, committed by web-flow and signed by GitHub. A file both
   * sides changed keeps the pull request's version unless `resolve` gives the
   * resolution; `files` are further edits slipped into the merge.
   */
  updateBranch(login: string, options: { resolve?: Record<string, string>; files?: Record<string, string | null> } = {}): this {
    const repo = this.repoNow();
    const pr = this.prNow();
    const head = repo.commits.get(pr.commits.at(-1)!)!;
    const baseHead = repo.commits.get(repo.branches.get(pr.baseRef)!)!;
    const base = mergeBase(repo, head.sha, baseHead.sha);
    const ours = new Set(diffFiles(base, head).map((f) => f.path));
    const changes: Record<string, string | null> = {};
    for (const f of diffFiles(base, baseHead)) {
      if (ours.has(f.path)) continue;
      changes[f.path] = baseHead.files.get(f.path) ?? null;
    }
    Object.assign(changes, options.resolve ?? {}, options.files ?? {});
    const sha = this.makeCommit(repo, [head.sha, baseHead.sha], `Merge branch '${pr.baseRef}' into ${pr.headRef}`, this.person(login), this.person('web-flow'), changes, signatureOf('github'));
    repo.branches.set(pr.headRef, sha);
    pr.commits.push(sha);
    return this;
  }

  /** A review; `on` picks the commit (default: the current head; a number indexes the commits, -2 = the one before head). */
  review(login: string, state: ReviewState, options: { on?: string | number; body?: string } = {}): this {
    const pr = this.prNow();
    this.account(login);
    const on = options.on ?? -1;
    const commitSha = typeof on === 'number' ? pr.commits.at(on) : on;
    if (!commitSha) throw new Error(`simulator: pull request #${pr.number} has no commit ${on}`);
    pr.reviews.push({ id: this.world.nextId(), author: login, state, body: options.body ?? '', submittedAt: state === 'PENDING' ? null : this.world.tick(), commitSha });
    return this;
  }

  approvedBy(login: string, options: { on?: string | number } = {}): this {
    return this.review(login, 'APPROVED', options);
  }

  /** A check run on the head (another with the same name is a re-run; the later one has the higher id). */
  check(name: string, result: CheckResult, options: { app?: { slug: string; id: number }; sha?: string; detailsUrl?: string } = {}): this {
    const repo = this.repoNow();
    const sha = options.sha ?? this.headSha();
    const app = options.app ?? GITHUB_ACTIONS;
    let suite = repo.checkSuites.find((s) => s.headSha === sha && s.appSlug === app.slug);
    if (!suite) {
      suite = { id: this.world.nextId(), headSha: sha, appSlug: app.slug, appId: app.id };
      repo.checkSuites.push(suite);
    }
    const completed = !['queued', 'in_progress', 'waiting', 'requested', 'pending'].includes(result);
    const startedAt = this.world.tick();
    const run: SimCheckRun = {
      id: this.world.nextId(), suiteId: suite.id, headSha: sha, name,
      status: (completed ? 'COMPLETED' : result.toUpperCase()) as SimCheckRun['status'],
      conclusion: completed ? result.toUpperCase() : null, startedAt, completedAt: completed ? this.world.tick() : null,
      detailsUrl: options.detailsUrl ?? `https://github.com/${repo.owner}/${repo.name}/actions/runs/${this.world.nextId()}`, externalId: null,
      output: { title: null, summary: null, text: null },
    };
    repo.checkRuns.push(run);
    return this;
  }

  /** A commit status on the head. */
  status(context: string, state: 'success' | 'failure' | 'error' | 'pending', options: { creator?: string; sha?: string; targetUrl?: string } = {}): this {
    const repo = this.repoNow();
    const creator = options.creator ?? 'ci-service';
    this.account(creator);
    repo.statuses.push({
      id: this.world.nextId(), sha: options.sha ?? this.headSha(), context, state: state.toUpperCase() as 'SUCCESS', description: `${context} ${state}`,
      targetUrl: options.targetUrl ?? `https://ci.example.com/${context}`, creator, createdAt: this.world.tick(),
    });
    return this;
  }

  /** Adds a label to the pull request now (by its author, unless `by`), as GitHub's timeline records it. */
  label(name: string, options: { by?: string } = {}): this {
    const pr = this.prNow();
    pr.labels.push(name);
    (pr.timeline ??= []).push({ kind: 'labeled', id: this.world.nextId(), actor: options.by ?? pr.author, label: name, createdAt: this.world.now() });
    return this;
  }

  /**
   * Retargets the pull request to `base` (GitHub's "Edit" of the base branch), by `by`:
   * its commits become those on its head not on the new base. The timeline records it.
   */
  changeBase(base: string, options: { by?: string } = {}): this {
    const repo = this.repoNow();
    const pr = this.prNow();
    const baseSha = repo.branches.get(base);
    if (!baseSha) throw new Error(`simulator: no branch ${base} in ${repo.owner}/${repo.name}`);
    (pr.timeline ??= []).push({ kind: 'base_changed', id: this.world.nextId(), actor: options.by ?? pr.author, from: pr.baseRef, to: base, createdAt: this.world.now() });
    pr.baseRef = base;
    pr.baseSha = baseSha;
    // The pull request's commits: those of its head not on the new base, oldest first.
    const onBase = reachable(repo, baseSha);
    const head = pr.commits.at(-1)!;
    pr.commits = [...reachable(repo, head)].filter((sha) => !onBase.has(sha)).sort((a, b) => (reachable(repo, b).has(a) ? -1 : reachable(repo, a).has(b) ? 1 : 0));
    return this;
  }

  /**
   * Merges the pull request as GitHub's merge button does, by `by` (committer
   * web-flow): a merge commit (default) or a squash commit, signed by GitHub,
   * or the commits rebased onto the base branch, which GitHub does not sign.
   */
  merge(options: { by?: string; method?: 'merge' | 'squash' | 'rebase' } = {}): this {
    const repo = this.repoNow();
    const pr = this.prNow();
    const by = options.by ?? pr.author ?? 'ghost';
    let base = repo.branches.get(repo.defaultBranch)!;
    const head = pr.commits.at(-1)!;
    const files = Object.fromEntries(repo.commits.get(head)!.files);
    let sha: string;
    switch (options.method ?? 'merge') {
      case 'merge':
        sha = this.makeCommit(repo, [base, head], `Merge pull request #${pr.number} from ${repo.owner}/${pr.headRef}`, this.person(by), this.person('web-flow'), files, signatureOf('github'));
        break;
      case 'squash':
        sha = this.makeCommit(repo, [base], `${pr.title} (#${pr.number})`, this.person(pr.author ?? by), this.person('web-flow'), files, signatureOf('github'));
        pr.mergedCommits = [sha];
        break;
      case 'rebase':
        pr.mergedCommits = [];
        for (const original of pr.commits) {
          const c = repo.commits.get(original)!;
          // GitHub does not sign the copies a rebase merge makes.
          base = this.makeCommit(repo, [base], c.message, { ...c.author, date: c.author.date }, this.person('web-flow'), Object.fromEntries(c.files));
          pr.mergedCommits.push(base);
        }
        sha = base;
        break;
    }
    repo.branches.set(repo.defaultBranch, sha);
    Object.assign(pr, { state: 'closed', mergedAt: this.world.tick(), mergedBy: by, mergeCommitSha: sha, closedAt: this.world.now() });
    return this;
  }

  /**
   * Turns on a merge queue for `branch` (default: the default branch), merging
   * by `method` as the queue's settings say. GitHub's `github-merge-queue[bot]`
   * pushes the queue's merges.
   */
  mergeQueue(options: { branch?: string; method?: 'merge' | 'squash' | 'rebase' } = {}): this {
    const repo = this.repoNow();
    const branch = options.branch ?? repo.defaultBranch;
    if (!this.world.account('github-merge-queue[bot]')) this.bot('github-merge-queue');
    (repo.mergeQueues ??= new Map()).set(branch, { id: this.world.nextId(), branch, method: (options.method ?? 'merge').toUpperCase() as SimMergeQueue['method'], entries: [] });
    return this;
  }

  /**
   * `by` adds the pull request (default: the current one) to its base
   * branch's merge queue, and the queue builds its merge group at once: the
   * pull request merged (by the queue's method) on top of the previous
   * entry's group, or of the base branch, on a `gh-readonly-queue/…` branch.
   */
  enqueue(options: { by: string; number?: number }): this {
    const repo = this.repoNow();
    const pr = options.number === undefined ? this.prNow() : repo.pulls.get(options.number);
    if (!pr) throw new Error(`simulator: no pull request #${options.number}`);
    const queue = repo.mergeQueues?.get(pr.baseRef);
    if (!queue) throw new Error(`simulator: ${pr.baseRef} has no merge queue; call .mergeQueue() first`);
    this.account(options.by);
    const parent = queue.entries.at(-1)?.groupHeadSha ?? repo.branches.get(pr.baseRef)!;
    const made = this.mergeOnto(repo, pr, parent, queue.method, options.by);
    const groupHeadSha = made.at(-1)!;
    const groupRef = `gh-readonly-queue/${pr.baseRef}/pr-${pr.number}-${parent}`;
    repo.branches.set(groupRef, groupHeadSha);
    queue.entries.push({ id: this.world.nextId(), number: pr.number, enqueuer: options.by, enqueuedAt: this.world.tick(), state: 'AWAITING_CHECKS', groupHeadSha, groupBaseSha: parent, groupRef, made });
    return this;
  }

  /**
   * The queue merges its groups up to and including pull request `through`'s
   * (default: every entry): the base branch is fast-forwarded to that group's
   * commit, each pull request is merged — by its enqueuer, as GitHub reports
   * it, with the commit the queue made for it as its merge commit — and the
   * groups' branches are deleted. Returns the base branch's head before and
   * after, for the push GitHub sends.
   */
  mergeQueued(options: { through?: number; branch?: string } = {}): { before: string; after: string } {
    const repo = this.repoNow();
    const queue = repo.mergeQueues?.get(options.branch ?? repo.defaultBranch);
    if (!queue?.entries.length) throw new Error('simulator: the merge queue is empty');
    const last = options.through === undefined ? queue.entries.length - 1 : queue.entries.findIndex((e) => e.number === options.through);
    if (last < 0) throw new Error(`simulator: #${options.through} is not in the merge queue`);
    const before = repo.branches.get(queue.branch)!;
    if (queue.entries[0]!.groupBaseSha !== before) throw new Error(`simulator: ${queue.branch} moved since the queue built its groups`);
    const merged = queue.entries.splice(0, last + 1);
    const after = merged.at(-1)!.groupHeadSha;
    repo.branches.set(queue.branch, after);
    for (const entry of merged) {
      const pr = repo.pulls.get(entry.number)!;
      repo.branches.delete(entry.groupRef);
      Object.assign(pr, {
        state: 'closed', mergedAt: this.world.tick(), mergedBy: entry.enqueuer, mergeCommitSha: entry.made.at(-1)!, closedAt: this.world.now(),
        ...(queue.method === 'MERGE' ? {} : { mergedCommits: [...entry.made] }),
      });
    }
    return { before, after };
  }

  /** The merge queue entry of pull request `number` (default: the current one). */
  queueEntry(number?: number): SimMergeQueueEntry {
    const repo = this.repoNow();
    const n = number ?? this.prNow().number;
    for (const queue of repo.mergeQueues?.values() ?? []) {
      const entry = queue.entries.find((e) => e.number === n);
      if (entry) return entry;
    }
    throw new Error(`simulator: #${n} is not in a merge queue`);
  }

  /** Someone dismisses `login`'s latest approval, as GitHub does: the review's state becomes DISMISSED. */
  dismissReview(login: string): this {
    const review = this.prNow().reviews.filter((r) => r.author?.toLowerCase() === login.toLowerCase() && r.state === 'APPROVED').at(-1);
    if (!review) throw new Error(`simulator: @${login} has no approval on #${this.prNow().number} to dismiss`);
    review.state = 'DISMISSED';
    return this;
  }

  /** A deployment of `sha` (default: the default branch head). */
  deployment(options: { environment?: string; sha?: string; creator?: string; state?: string } = {}): this {
    const repo = this.repoNow();
    const creator = options.creator ?? 'github-actions[bot]';
    const at = this.world.tick();
    repo.deployments.push({
      id: this.world.nextId(), sha: options.sha ?? repo.branches.get(repo.defaultBranch)!, ref: repo.defaultBranch, environment: options.environment ?? 'production',
      creator, createdAt: at, statuses: options.state ? [{ id: this.world.nextId(), state: options.state, creator, createdAt: at, description: '' }] : [],
    });
    return this;
  }

  /** A webhook delivery GitHub attempted (for `GET /app/hook/deliveries`); a status ≥ 400 is a failed one. */
  delivery(options: { event: string; action?: string; statusCode?: number; installationId?: number }): this {
    const statusCode = options.statusCode ?? 200;
    this.world.deliveries.push({
      id: this.world.nextId(), guid: crypto.randomUUID(), deliveredAt: this.world.tick(), redelivery: false, duration: 0.27,
      status: statusCode < 400 ? 'OK' : 'Internal Server Error', statusCode, event: options.event, action: options.action ?? null,
      installationId: options.installationId ?? null, repositoryId: this.currentRepo?.id ?? null,
    });
    return this;
  }

  /** The current pull request's head SHA. */
  headSha(): string {
    const head = this.prNow().commits.at(-1);
    if (!head) throw new Error('simulator: the pull request has no commits yet');
    return head;
  }

  pr(): SimPullRequest {
    return this.prNow();
  }

  currentRepository(): SimRepo {
    return this.repoNow();
  }

  build(): World {
    return this.world;
  }

  /** The commits merging `pr` onto `parent` makes, by `method`, as GitHub makes them (committer web-flow; signed by GitHub, except a rebase's copies). */
  private mergeOnto(repo: SimRepo, pr: SimPullRequest, parent: string, method: SimMergeQueue['method'], by: string): string[] {
    const head = pr.commits.at(-1)!;
    const files = (sha: string) => Object.fromEntries(repo.commits.get(sha)!.files);
    switch (method) {
      case 'MERGE':
        return [this.makeCommit(repo, [parent, head], `Merge pull request #${pr.number} from ${repo.owner}/${pr.headRef}`, this.person(by), this.person('web-flow'), files(head), signatureOf('github'))];
      case 'SQUASH':
        return [this.makeCommit(repo, [parent], `${pr.title} (#${pr.number})`, this.person(pr.author ?? by), this.person('web-flow'), files(head), signatureOf('github'))];
      case 'REBASE': {
        const made: string[] = [];
        let base = parent;
        for (const original of pr.commits) {
          const c = repo.commits.get(original)!;
          base = this.makeCommit(repo, [base], c.message, { ...c.author }, this.person('web-flow'), files(original));
          made.push(base);
        }
        return made;
      }
    }
  }

  private account(login: string, options: { name?: string; emails?: string[] } = {}): SimAccount {
    let account = this.world.account(login);
    if (!account) {
      const id = this.world.nextId();
      account = { login, id, type: 'User', name: options.name ?? login, emails: options.emails ?? [`${login}@example.com`, `${id}+${login}@users.noreply.github.com`] };
      this.world.accounts.set(login.toLowerCase(), account);
      for (const repo of this.world.repos.values()) this.grant(repo, login);
    } else if (options.name || options.emails) {
      Object.assign(account, { ...(options.name ? { name: options.name } : {}), ...(options.emails ? { emails: options.emails } : {}) });
    }
    return account;
  }

  private grant(repo: SimRepo, login: string): void {
    if (!this.readOnly.has(login.toLowerCase()) && login !== 'web-flow') repo.writers.add(login.toLowerCase());
  }

  private person(ref: PersonRef): GitPerson {
    if (typeof ref !== 'string') return { ...ref, date: this.world.tick() };
    const account = this.account(ref);
    return { name: account.name ?? account.login, email: account.emails[0] ?? `${ref}@example.com`, date: this.world.tick() };
  }

  /** A commit made outside GitHub (`git commit` on someone's machine, a hand-made merge): in the repository, on no branch until one is moved to it. */
  makeCommit(repo: SimRepo, parents: string[], message: string, author: GitPerson, committer: GitPerson, changes: Record<string, string | null>, signature?: SimSignature): string {
    const files = new Map(parents[0] ? repo.commits.get(parents[0])!.files : []);
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) files.delete(path);
      else files.set(path, content);
    }
    const tree = gitBlobSha(JSON.stringify([...files.entries()].sort()));
    this.salt += 1;
    const sha = commitSha({ message, parents, author, tree, salt: this.salt });
    repo.commits.set(sha, { sha, message, author, committer, parents, files, ...(signature ? { signature } : {}) });
    return sha;
  }

  private repoNow(): SimRepo {
    if (!this.currentRepo) throw new Error('simulator: call .repo(...) first');
    return this.currentRepo;
  }

  private prNow(): SimPullRequest {
    if (!this.currentPr) throw new Error('simulator: call .pullRequest(...) first');
    return this.currentPr;
  }
}

function signatureOf(ref: SignatureRef | undefined): SimSignature | undefined {
  if (ref === undefined) return undefined;
  if (ref === 'github') return { isValid: true, state: 'VALID', wasSignedByGitHub: true, signer: null };
  if ('signer' in ref) return { isValid: true, state: 'VALID', wasSignedByGitHub: false, signer: ref.signer };
  return { isValid: false, state: ref.invalid, wasSignedByGitHub: false, signer: null };
}
