import type { Policy } from '../../config/policy.schema.js';

/**
 * Caches a text derived from the policy alone (what a rule requires, in
 * words): a policy is parsed once and evaluated many times, and building these
 * sentences is a large share of an evaluation's cost (bench/evaluate.ts).
 */
export function perPolicy(describe: (policy: Policy) => string): (policy: Policy) => string {
  const cache = new WeakMap<Policy, string>();
  return (policy) => {
    let text = cache.get(policy);
    if (text === undefined) {
      text = describe(policy);
      cache.set(policy, text);
    }
    return text;
  };
}
