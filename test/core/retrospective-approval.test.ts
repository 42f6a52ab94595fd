import { describe, expect, it } from 'vitest';
import { buildContext } from '../../src/core/policy/context.js';
import { findRetrospectiveApproval, type RetrospectiveStatus } from '../../src/core/policy/emergency.js';
import { commit, merged, OLD, policy, pullRequest, review, sha } from './facts-builder.js';

const MERGED_AT = '2026-03-10T11:00:00Z';

describe('retrospective approval of an emergency change', () => {
  it.each<{ name: string; reviews: ReturnType<typeof review>[]; status: RetrospectiveStatus; by?: string }>([
    { name: 'an approval within the deadline resolves it', reviews: [review('bob', 'APPROVED', { at: '2026-03-11T09:00:00Z' })], status: 'resolved', by: 'bob' },
    { name: 'an approval after the deadline resolves it late', reviews: [review('bob', 'APPROVED', { at: '2026-03-12T11:00:01Z' })], status: 'resolved_late', by: 'bob' },
    { name: 'an approval exactly at the deadline is on time', reviews: [review('bob', 'APPROVED', { at: '2026-03-12T11:00:00Z' })], status: 'resolved' },
    { name: 'no approval leaves it open', reviews: [], status: 'open' },
    { name: 'an approval before the merge is not retrospective', reviews: [review('bob', 'APPROVED', { at: '2026-03-10T10:59:00Z', on: OLD })], status: 'open' },
    { name: "the author's approval after merge does not count", reviews: [review('alice', 'APPROVED', { at: '2026-03-11T09:00:00Z' })], status: 'open' },
    { name: 'a bot approval after merge does not count', reviews: [review('ci[bot]', 'APPROVED', { at: '2026-03-11T09:00:00Z' })], status: 'open' },
    {
      name: 'an approval of any commit of the pull request counts',
      reviews: [review('bob', 'APPROVED', { at: '2026-03-11T09:00:00Z', on: sha('first') })],
      status: 'resolved',
    },
    {
      name: 'an approval of a commit outside the pull request does not count',
      reviews: [review('bob', 'APPROVED', { at: '2026-03-11T09:00:00Z', on: sha('elsewhere') })],
      status: 'open',
    },
    {
      name: 'the first qualifying approval after the merge decides',
      reviews: [review('carol', 'APPROVED', { at: '2026-03-13T09:00:00Z' }), review('bob', 'APPROVED', { at: '2026-03-11T09:00:00Z' })],
      status: 'resolved',
      by: 'bob',
    },
  ])('$name', ({ reviews, status, by }) => {
    const facts = merged(pullRequest({ labels: ['emergency'], reviews, commits: [commit('first'), commit('head')] }), { at: MERGED_AT });
    const result = findRetrospectiveApproval(buildContext(policy(), facts));
    expect(result.status).toBe(status);
    expect(result.deadline).toBe('2026-03-12T11:00:00Z');
    if (by) expect(result.approval?.login).toBe(by);
    expect(result.explanation.length).toBeGreaterThan(10);
  });

  it('uses the configured number of hours', () => {
    const facts = merged(pullRequest({ labels: ['emergency'], reviews: [review('bob', 'APPROVED', { at: '2026-03-11T12:00:00Z' })] }), { at: MERGED_AT });
    const result = findRetrospectiveApproval(buildContext(policy({ emergency: { retrospective_approval_hours: 24 } }), facts));
    expect(result).toMatchObject({ status: 'resolved_late', deadline: '2026-03-11T11:00:00Z' });
  });
});
