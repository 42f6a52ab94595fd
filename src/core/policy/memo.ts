import type { Policy } from '../../config/policy.schema.js';

/**
 * Caches a text derived from the policy alone (what a rule requires, in
 * words): a policy is parsed once and evaluated many times, and building these
 * sentences is a large share of an evaluation's cost (bench/evaluate.ts).
 */
export function perPolicy(describe: (policy: Policy) => string): (policy: Policy) => string {
  return perPolicyValue(describe);
}

/** {@link perPolicy} for any value derived from the policy alone (e.g. normalised settings). */
export function perPolicyValue<T>(derive: (policy: Policy) => T): (policy: Policy) => T {
  const cache = new WeakMap<Policy, { value: T }>();
  return (policy) => {
    let hit = cache.get(policy);
    if (!hit) {
      hit = { value: derive(policy) };
      cache.set(policy, hit);
    }
    return hit.value;
  };
}
