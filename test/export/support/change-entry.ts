import { defaultPolicy } from '../../../src/config/parse-policy.js';
import { evaluate } from '../../../src/core/policy/evaluate.js';
import type { ChangeRecord } from '../../../src/core/records.js';
import type { EntryInput } from '../../../src/ledger/ledger.js';
import { check, commit, merged, person, pullRequest, review, sha } from '../../core/facts-builder.js';

const REPO = 'acme/api';
const POLICY = defaultPolicy();

/**
 * A `change` entry of acme/api as the app records it: #number by alice, merged at
 * `mergedAt` (a `…T12:00:00Z` time) by carol, approved by bob and with `ci` passing
 * unless `unreviewed`, judged under the default policy.
 */
export function changeEntry(number: number, mergedAt: string, options: { title?: string; unreviewed?: boolean } = {}): EntryInput {
  const [owner, name] = REPO.split('/') as [string, string];
  const url = `https://github.com/${REPO}/pull/${number}`;
  const facts = pullRequest({
    repository: { owner, name, defaultBranch: 'main' }, number, url, title: options.title ?? `Change ${number}`, createdAt: mergedAt.replace('12:00', '09:00'),
    commits: [commit(`c${number}`, { author: person('alice') })], reviews: options.unreviewed ? [] : [review('bob', 'APPROVED', { at: mergedAt.replace('12:00', '10:00') })],
    checks: [check('ci', 'success', { at: mergedAt.replace('12:00', '09:30') })],
  });
  const done = { ...merged(facts, { by: 'carol', at: mergedAt }), merge: { mergedAt, mergedBy: { login: 'carol', type: 'User' as const }, mergeCommitSha: sha(`merge-${number}`) } };
  const record: ChangeRecord = {
    trigger: { event: 'pull_request', action: 'closed', deliveryId: `d-${number}`, sender: 'carol' },
    verdict: evaluate(POLICY, done, new Date(mergedAt)), facts: done,
    policy: { valid: true, settings: POLICY, files: [{ repository: REPO, path: '.github/changeproof.yml', blobSha: sha('policy'), ref: 'main', commitSha: sha('policy-commit') }] },
    mergedAt, mergedBy: 'carol', mergeCommitSha: done.merge.mergeCommitSha, exception: options.unreviewed === true,
  };
  return { kind: 'change', repo: REPO, subject: `pull/${number}`, data: record as unknown as EntryInput['data'] };
}
