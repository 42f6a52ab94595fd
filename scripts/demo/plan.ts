import { Random } from './random.js';

/**
 * The month the demo replays: March 2026 at Acme, two repositories, eight
 * people. Most pull requests are ordinary; a few go wrong in the ways change
 * control is there to catch. Everything is drawn from a seeded PRNG, so the
 * same seed gives the same month.
 */

export const REPOS = ['acme/api', 'acme/web'] as const;
export type RepoName = (typeof REPOS)[number];

/** The team. carol is the engineering lead and a repository admin. */
export const TEAM = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'] as const;
export const ADMIN = 'carol';

/** How a pull request goes, from opened to merged. */
export type Flow =
  /** CI passes, a teammate approves, merged. */
  | 'clean'
  /** The author approves their own pull request (does not count); a teammate approves later. */
  | 'self_approval'
  /** A pair-programmer co-authored a commit, then approves (does not count); a third person approves. */
  | 'contributor_approval'
  /** Approved, then a new commit is pushed (the approval is now stale); approved again on the new head. */
  | 'stale_approval'
  /** The reviewer requests changes; the author pushes a fix; approved. */
  | 'changes_requested'
  /** CI fails; the author pushes a fix; CI passes; approved. */
  | 'ci_fix_commit'
  /** CI fails (a flaky test); re-run; passes; approved. */
  | 'ci_rerun'
  /** CI fails, approved anyway, and an admin merges it regardless: an exception. */
  | 'admin_bypass'
  /** Labelled `emergency`, merged without review, approved after its 48-hour deadline. */
  | 'emergency';

export interface PullRequestEvent {
  type: 'pull_request';
  at: number;
  repo: RepoName;
  flow: Flow;
  author: string;
  /** The teammate whose approval counts. */
  reviewer: string;
  /** `contributor_approval`: the co-author who approves. */
  pair: string;
  merger: string;
  title: string;
  body: string;
  commits: number;
}

export interface DeploymentEvent {
  type: 'deployment';
  at: number;
  repo: RepoName;
  deployer: string;
}

export interface DirectPushEvent {
  type: 'direct_push';
  at: number;
  repo: RepoName;
  pusher: string;
  path: string;
  content: string;
}

/** A retrospective approval of the month's emergency change. */
export interface LateApprovalEvent {
  type: 'late_approval';
  at: number;
  repo: RepoName;
  reviewer: string;
}

export type PlannedEvent = PullRequestEvent | DeploymentEvent | DirectPushEvent | LateApprovalEvent;

export interface DayPlan {
  /** `2026-03-02` */
  date: string;
  /** The Monday of its week, to report progress per week. */
  week: string;
  events: PlannedEvent[];
}

export const MONTH = { from: '2026-03-01', to: '2026-03-31' };

/** The ordinary flows' share of the pool of pull requests, as counts per 197 (the full month). */
const FLOW_MIX: Array<[Flow, number]> = [
  ['self_approval', 6],
  ['contributor_approval', 3],
  ['stale_approval', 10],
  ['changes_requested', 8],
  ['ci_fix_commit', 8],
  ['ci_rerun', 6],
];

const SUBJECTS: Record<RepoName, string[]> = {
  'acme/api': [
    'Add pagination to GET /orders', 'Rate-limit the login endpoint', 'Verify Stripe webhook signatures', 'Cache product lookups',
    'Upgrade the Postgres driver', 'Return 404 for unknown customers', 'Add idempotency keys to payments', 'Log request ids',
    'Fix rounding of invoice totals', 'Retry transient database errors', 'Add a readiness probe', 'Index orders by customer',
    'Remove deprecated v1 endpoints', 'Encrypt API keys at rest', 'Audit-log admin actions', 'Tighten CORS origins',
    'Batch notification emails', 'Handle daylight saving in schedules', 'Validate shipping addresses', 'Expire password reset tokens',
  ],
  'acme/web': [
    'Redesign the checkout summary', 'Lazy-load product images', 'Fix the focus trap in dialogs', 'Add a dark mode toggle',
    'Show order history', 'Localise dates and prices', 'Improve empty states', 'Add skeleton loaders', 'Fix the cart badge count',
    'Preload web fonts', 'Add an error boundary around checkout', 'Fix a layout shift in Safari', 'Add a password strength meter',
    'Make tables keyboard-navigable', 'Compress hero images', 'Remove unused CSS', 'Put the new search behind a flag',
    'Label every form field', 'Debounce the search box', 'Show stock levels on product pages',
  ],
};

const minutesOf = (date: string, hhmm: string): number => Date.parse(`${date}T${hhmm}:00Z`) / 60_000;

/** The working days of March 2026 (Monday to Friday). */
export function workingDays(): string[] {
  const days: string[] = [];
  for (let d = 1; d <= 31; d += 1) {
    const date = `2026-03-${String(d).padStart(2, '0')}`;
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(date);
  }
  return days;
}

function mondayOf(date: string): string {
  const t = new Date(`${date}T00:00:00Z`);
  const back = (t.getUTCDay() + 6) % 7;
  return new Date(t.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Plans the month: `pullRequests` pull requests in all (three of them the
 * month's fixed incidents), deployments to production (acme/api every
 * working day at 16:00, acme/web Monday, Wednesday and Friday at 15:00), one
 * direct push, one emergency change. Times are minutes since the epoch.
 */
export function planMonth(options: { pullRequests: number; seed: string }): DayPlan[] {
  const rnd = new Random(options.seed);
  const days = workingDays();
  const plans = new Map<string, DayPlan>(days.map((date) => [date, { date, week: mondayOf(date), events: [] }]));
  const add = (date: string, event: PlannedEvent) => plans.get(date)!.events.push(event);
  const tickets: Record<RepoName, number> = { 'acme/api': 1200, 'acme/web': 640 };
  const teammate = (not: string[]) => rnd.pick(TEAM.filter((p) => !not.includes(p)));

  const pullRequest = (at: number, repo: RepoName, flow: Flow, author: string = rnd.pick(TEAM)): PullRequestEvent => {
    const reviewer = teammate([author]);
    const pair = teammate([author, reviewer]);
    tickets[repo] += rnd.int(1, 4);
    const ticket = `${repo === 'acme/api' ? 'API' : 'WEB'}-${tickets[repo]}`;
    const subject = flow === 'emergency' ? 'Hotfix: stop double-charging retried payments' : rnd.pick(SUBJECTS[repo]);
    return {
      type: 'pull_request', at, repo, flow, author, reviewer, pair,
      merger: flow === 'admin_bypass' ? ADMIN : rnd.chance(0.7) ? author : reviewer,
      title: `${ticket}: ${subject}`,
      body: `Implements ${ticket}.\n\nTested locally and in CI.`,
      commits: rnd.int(1, 3),
    };
  };

  // The month's incidents, on fixed days.
  add('2026-03-12', pullRequest(minutesOf('2026-03-12', '17:30'), 'acme/api', 'emergency', 'dave'));
  add('2026-03-12', { type: 'deployment', at: minutesOf('2026-03-12', '18:30'), repo: 'acme/api', deployer: 'dave' });
  add('2026-03-16', { type: 'late_approval', at: minutesOf('2026-03-16', '09:00'), repo: 'acme/api', reviewer: 'bob' });
  add('2026-03-27', {
    type: 'direct_push', at: minutesOf('2026-03-27', '18:00'), repo: 'acme/web', pusher: 'heidi',
    path: 'public/maintenance.html', content: '<!doctype html><title>Back soon</title><p>We are upgrading the shop.</p>\n',
  });
  add('2026-03-30', pullRequest(minutesOf('2026-03-30', '10:40'), 'acme/web', 'admin_bypass', 'frank'));
  add('2026-03-31', pullRequest(minutesOf('2026-03-31', '11:10'), 'acme/api', 'admin_bypass', 'erin'));
  const incidents = 3;

  // The ordinary pool, spread evenly over the working days, 09:00 to 17:00.
  const pool = Math.max(0, options.pullRequests - incidents);
  const scale = pool / 197;
  const flows: Flow[] = [];
  for (const [flow, count] of FLOW_MIX) for (let i = 0; i < Math.max(1, Math.round(count * scale)); i += 1) flows.push(flow);
  while (flows.length < pool) flows.push('clean');
  const order = rnd.shuffle(flows.slice(0, pool));
  const perDay = days.map((_, d) => Math.floor(((d + 1) * pool) / days.length) - Math.floor((d * pool) / days.length));
  let next = 0;
  days.forEach((date, d) => {
    const count = perDay[d]!;
    for (let k = 0; k < count; k += 1) {
      const slot = Math.floor((480 * k) / count) + rnd.int(0, 15);
      add(date, pullRequest(minutesOf(date, '09:00') + slot, rnd.chance(0.55) ? 'acme/api' : 'acme/web', order[next]!));
      next += 1;
    }
  });

  // Deployments to production.
  for (const date of days) {
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    if (weekday === 1 || weekday === 3 || weekday === 5) add(date, { type: 'deployment', at: minutesOf(date, '15:00'), repo: 'acme/web', deployer: rnd.pick(TEAM) });
    add(date, { type: 'deployment', at: minutesOf(date, '16:00'), repo: 'acme/api', deployer: rnd.pick(TEAM) });
  }

  for (const plan of plans.values()) plan.events.sort((a, b) => a.at - b.at);
  return [...plans.values()];
}
