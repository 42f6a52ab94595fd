import type { TeamFacts } from '../core/facts.js';

/** How long a team's membership read from GitHub is reused: short, so a removal takes effect within minutes. */
export const TEAM_MEMBERSHIP_TTL_MS = 5 * 60_000;

/**
 * Team memberships by `org/slug`, each kept for {@link TEAM_MEMBERSHIP_TTL_MS}
 * with the time GitHub gave it (the evidence says when it was read, not when
 * it was reused). Failures are not kept: the next evaluation asks again.
 *
 * @example
 * const hit = cache.get('acme/sre', now); // TeamFacts | undefined
 */
export class TeamMembershipCache {
  private readonly entries = new Map<string, { facts: TeamFacts; expiresAt: number }>();

  constructor(private readonly ttlMs = TEAM_MEMBERSHIP_TTL_MS, private readonly maxEntries = 2000) {}

  get(team: string, now: Date): TeamFacts | undefined {
    const key = team.toLowerCase();
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt <= now.getTime()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.facts;
  }

  remember(facts: TeamFacts, now: Date): void {
    const key = facts.team.toLowerCase();
    this.entries.delete(key);
    this.entries.set(key, { facts, expiresAt: now.getTime() + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}
