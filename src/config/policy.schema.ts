import { z } from 'zod';
import { compilePathPattern } from '../core/policy/path-pattern.js';
import { compileTicketPattern } from '../core/ticket-pattern.js';

/**
 * The schema of `.github/changeproof.yml` (SPEC §2): the single source of truth
 * for keys, ranges and defaults. `schema.json` is generated from it
 * (`npm run schema`) and `docs/configuration.md` documents it.
 *
 * @example
 * ```yaml
 * peer_review:
 *   required_approvals: 2
 * change_request:
 *   ticket_pattern: '[A-Z]+-\d+'
 * ```
 */

const glob = z.string().trim().min(1, 'must not be empty');

/**
 * A ticket pattern RE2 compiles (see core/ticket-pattern.ts): matched in
 * linear time, so no pull request text can stall the app. A pattern RE2
 * cannot express (backreferences, lookaround) or too large is an issue on the
 * key, with its own hint.
 */
const ticketPattern = z
  .string()
  .min(1, 'must not be empty')
  .superRefine((source, ctx) => {
    const compiled = compileTicketPattern(source);
    if (!compiled.ok) ctx.addIssue({ code: 'custom', message: compiled.problem.message, params: { hint: compiled.problem.hint } });
  });

/**
 * A path pattern with the gitignore syntax GitHub's CODEOWNERS uses: `*` within
 * one directory, `**` across directories, a leading or middle `/` anchors it to
 * the repository root, a trailing `/` means a directory. Negation (`!`) and
 * character ranges (`[ ]`) are not supported, as in CODEOWNERS.
 */
const pathPattern = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .refine((p) => !p.startsWith('!'), { message: 'negates a pattern with `!`, which is not supported', params: { hint: 'list the paths the rule covers; a rule cannot exclude paths' } })
  .refine((p) => !/[[\]]/.test(p), { message: 'uses a character range `[ ]`, which is not supported', params: { hint: 'write one pattern per alternative, e.g. `*.tf` and `*.tfvars`' } })
  .refine((p) => /[![\]]/.test(p) || compilePathPattern(p) !== null, {
    message: 'is not a path pattern CODEOWNERS syntax can express (a backslash, or nothing but slashes)',
    params: { hint: 'write a path relative to the repository root, e.g. `terraform/**` or `/docs/`' },
  })
  .describe('A path pattern (gitignore syntax as in CODEOWNERS), relative to the repository root.');

/** `@org/team-slug` or a login. */
const approver = z
  .string()
  .trim()
  .refine((entry) => /^(@[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9_.-]+|@?[A-Za-z0-9][A-Za-z0-9-]*(\[bot\])?)$/.test(entry), {
    message: 'is neither a team (`@org/team-slug`) nor a login',
    params: { hint: 'write a team as `@org/team-slug` and a person as their login, e.g. `carol`' },
  })
  .describe('A team (`@org/team-slug`) or a login.');

/** A rule requiring approvals from given people for changes that touch given paths. */
const pathRule = z
  .strictObject({
    /** Shown in the check run and the ledger, e.g. `infrastructure`. */
    name: z.string().trim().min(1, 'must not be empty').max(100).describe('Name shown in the check run and the ledger, e.g. `infrastructure`.'),
    /** The rule applies when a changed file (or the old path of a renamed one) matches any of these. */
    paths: z.array(pathPattern).min(1, 'must list at least one path pattern').describe('Path patterns (gitignore syntax, as in CODEOWNERS); the rule applies when a changed file, or the old path of a renamed or deleted one, matches any.'),
    /** Qualifying approvals needed from `from`. */
    approvals: z.number().int().min(1).max(10).default(1).describe('Qualifying approvals needed from `from`, 1–10.'),
    /** Teams (`@org/slug`) and logins whose approvals count for the rule; empty = any qualifying reviewer. */
    from: z.array(approver).default([]).describe('Teams (`@org/team-slug`) and logins whose approvals count for this rule; [] = any qualifying reviewer.'),
  })
  .describe('Approvals required for changes that touch given paths.');

export const PeerReviewSchema = z
  .strictObject({
    /** Approvals needed from independent reviewers (0 turns peer review off). */
    required_approvals: z
      .number()
      .int()
      .min(0)
      .max(10)
      .default(1)
      .describe('Approvals needed from independent reviewers, 0–10 (0 turns peer review off).'),
    /** Approvals given before the head commit was pushed do not count. */
    approval_on_head: z
      .boolean()
      .default(true)
      .describe('Only approvals given on the head commit count; earlier approvals are stale.'),
    /** The reviewer must be able to push to the repository (GraphQL authorCanPushToRepository). */
    require_write_access: z
      .boolean()
      .default(true)
      .describe('Only reviewers who can push to the repository count.'),
    /** Approvals by bot accounts count. */
    count_bot_approvals: z.boolean().default(false).describe('Count approvals given by bot accounts.'),
    /** A reviewer whose latest review requests changes blocks the change. */
    block_on_changes_requested: z
      .boolean()
      .default(true)
      .describe('A reviewer whose latest review requests changes blocks the change.'),
    /**
     * Every changed file needs an approval from one of its code owners, read from
     * the CODEOWNERS file of the base branch (never from the pull request itself).
     */
    code_owners: z
      .boolean()
      .default(false)
      .describe("Every changed file needs an approval from one of its code owners, as the base branch's CODEOWNERS file names them (`.github/`, root or `docs/`; the last matching line wins; a line without owners requires none)."),
    /**
     * An approval on an earlier commit still counts when every later commit is a
     * clean merge of the base branch: the change's diff against its base is the
     * same, file for file and blob for blob, and the base brought no change to
     * any file of the change. A merge that resolved a conflict or changed
     * anything voids it.
     */
    keep_approvals_on_update_merge: z
      .boolean()
      .default(false)
      .describe("An approval on an earlier commit still counts when every later commit is a clean merge of the base branch (\"Update branch\"): the change's diff against its base is unchanged, blob for blob, and the base changed none of its files. A merge that resolved a conflict or edited anything voids the approval."),
    /** Additional approvals for changes touching given paths. */
    rules: z
      .array(pathRule)
      .default([])
      .superRefine((rules, ctx) => {
        const seen = new Set<string>();
        rules.forEach((rule, i) => {
          const key = rule.name.toLowerCase();
          if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `repeats the rule name "${rule.name}"`, params: { hint: 'give every rule its own name; the check run and the ledger refer to rules by name' } });
          seen.add(key);
        });
      })
      .describe('Additional approvals for changes that touch given paths: each rule needs `approvals` qualifying approvals from `from` (teams `@org/slug` and logins; empty = any qualifying reviewer).'),
  })
  .describe('Who must approve a change, and which approvals count.');

export const SeparationOfDutiesSchema = z
  .strictObject({
    /** The pull request's author may approve it. */
    author_can_approve: z.boolean().default(false).describe("The pull request's author may approve it."),
    /** Commit authors, committers and co-authors may approve. */
    contributors_can_approve: z
      .boolean()
      .default(false)
      .describe('Commit authors, committers and co-authors may approve the change.'),
    /** Commits whose author's email is linked to no GitHub account are allowed. */
    allow_unattributed_commits: z
      .boolean()
      .default(false)
      .describe('Allow commits whose author (or a co-author) is not linked to a GitHub account.'),
    /** The person who merges must not be the author. */
    merger_must_differ_from_author: z
      .boolean()
      .default(false)
      .describe('The person who merges must not be the pull request author.'),
    /**
     * Every commit must carry a signature GitHub verified, made by the commit's
     * own linked author (or by GitHub, for the commits it makes itself).
     */
    require_verified_signatures: z
      .boolean()
      .default(false)
      .describe("Every commit must carry a signature GitHub verified, by the commit's linked author (or GitHub's own, for web edits and merges)."),
    /** The person who deploys must not have authored any deployed change. */
    deployer_must_differ_from_authors: z
      .boolean()
      .default(false)
      .describe('The person who deploys must not have authored any of the deployed changes.'),
  })
  .describe('Separation between the people who write, approve, merge and deploy a change.');

const login = z.string().trim().min(1, 'must not be empty');

/** A `checks.required` entry: a name, or a name pinned to the app (check run) or account (status) that must report it. */
const requiredCheck = z.union([
  glob,
  z
    .strictObject({
      /** The check-run or status name (glob). */
      name: glob.describe('Check-run or commit-status name (glob).'),
      /** Only a check run created by this GitHub App (its slug, e.g. `github-actions`) counts. */
      app: login.optional().describe('Only a check run created by this GitHub App counts (its slug, e.g. `github-actions`).'),
      /** Only a commit status created by this account counts (e.g. `jenkins-bot`). */
      creator: login.optional().describe('Only a commit status created by this account counts (e.g. `jenkins-bot`).'),
    })
    .refine((entry) => !(entry.app && entry.creator), { message: 'pins both `app` and `creator`; a check run comes from an app and a status from an account, so give one' })
    .describe('A required check pinned to its source.'),
]).describe('A check-run or status name (glob), or `{ name, app }` / `{ name, creator }` to pin who must report it.');

export const ChecksSchema = z
  .strictObject({
    /**
     * Check-run or commit-status names (globs, `*` matches anything); [] = every
     * check on the head. An entry may pin its source, as GitHub's rulesets do:
     * `{ name: build, app: github-actions }` or `{ name: ci/jenkins, creator: jenkins-bot }`.
     */
    required: z
      .array(requiredCheck)
      .default([])
      .describe('Check-run or commit-status names that must pass (globs; `*` matches any text), or `{name, app}` / `{name, creator}` to pin who must report it. [] = every check on the head commit.'),
    /** At least this many passing checks other than Changeproof's own. */
    min_passing: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(1)
      .describe("At least this many passing checks (other than Changeproof's own), 0–100."),
  })
  .describe('Tests and other checks that must pass on the head commit.');

export const ChangeRequestSchema = z
  .strictObject({
    /**
     * Regular expression (RE2 syntax, case-sensitive unless `(?i)`) searched in the title, body and
     * head branch, e.g. `[A-Z]+-\d+`; null = no ticket needed. No backreferences or lookaround.
     */
    ticket_pattern: ticketPattern
      .nullable()
      .default(null)
      .describe('Regular expression in RE2 syntax, searched in the title, body and head branch, e.g. `[A-Z]+-\\d+`; case-sensitive unless the pattern turns on `(?i)`. Backreferences and lookaround are not supported (patterns match in linear time). null = no ticket reference required.'),
  })
  .describe('Traceability of the change to a ticket or change request.');

export const EmergencySchema = z
  .strictObject({
    /** The label that marks an emergency change. */
    label: z.string().trim().min(1, 'must not be empty').default('emergency').describe('Label marking an emergency change.'),
    /** Hours after merge within which a retrospective approval must arrive. */
    retrospective_approval_hours: z
      .number()
      .positive()
      .max(720)
      .default(48)
      .describe('Hours after merge within which an emergency change must be approved retrospectively (up to 720).'),
  })
  .describe('The emergency path: merge first, approve retrospectively.');

export const ScopeSchema = z
  .strictObject({
    /** Base branches the policy applies to (globs); `default` is the repository's default branch. */
    branches: z
      .array(glob)
      .min(1, 'must list at least one branch (`default` is the default branch)')
      .default(['default'])
      .describe('Base branches the policy applies to (globs). `default` means the repository default branch.'),
    /** Authors whose changes are recorded but never enforced, e.g. `dependabot[bot]` (exact logins). */
    ignore_authors: z
      .array(z.string().trim().min(1, 'must not be empty'))
      .default([])
      .describe('Logins whose changes are recorded but never enforced, e.g. `dependabot[bot]` (exact, case-insensitive).'),
  })
  .describe('Which pull requests the policy applies to.');

export const DeploymentsSchema = z
  .strictObject({
    /** Environments gated by the deployment protection rule. */
    environments: z
      .array(z.string().trim().min(1, 'must not be empty'))
      .default(['production'])
      .describe('Environments gated by the Changeproof deployment protection rule.'),
  })
  .describe('Deployment gating.');

/** `.github/changeproof.yml`. Every section and key is optional; absent ones take their defaults. */
export const PolicySchema = z
  .strictObject({
    /** Probot `_extends`: a repository (`.github`) or `repo:path` whose file is merged underneath. */
    _extends: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe('Inherit from another repository\'s file, e.g. `.github` or `other-repo:.github/changeproof.yml`. This file wins where both set a key.'),
    peer_review: PeerReviewSchema.prefault({}),
    separation_of_duties: SeparationOfDutiesSchema.prefault({}),
    checks: ChecksSchema.prefault({}),
    change_request: ChangeRequestSchema.prefault({}),
    emergency: EmergencySchema.prefault({}),
    scope: ScopeSchema.prefault({}),
    deployments: DeploymentsSchema.prefault({}),
  })
  .describe('Changeproof policy: SOC 2 CC8.1 change-management controls.');

/** A fully defaulted policy. */
export type Policy = Omit<z.output<typeof PolicySchema>, '_extends'>;
/** What a user may write in the file. */
export type PolicyInput = z.input<typeof PolicySchema>;
/** One entry of `peer_review.rules`, defaulted. */
export type PathRule = Policy['peer_review']['rules'][number];
