/** A failure the simulator serves instead of (or before) the real answer. */
export type Fault =
  | { kind: 'status'; status: number; message?: string }
  /** GitHub's secondary rate limit: 403 (or 429) with `retry-after` seconds. */
  | { kind: 'secondary-rate-limit'; retryAfter?: number; status?: 403 | 429 }
  /** The primary limit exhausted: 403 with `x-ratelimit-remaining: 0` and a reset time. */
  | { kind: 'primary-rate-limit'; resetInSeconds: number }
  /** Answer normally, after a pause. */
  | { kind: 'delay'; ms: number }
  /** Drop the connection without an answer (a network failure, a proxy timing out). */
  | { kind: 'reset' };

/** An error GraphQL reports for one field (partial success: other fields still resolve). */
export interface FieldFault {
  /** `Type.field`, e.g. `PullRequest.reviews`. */
  field: string;
  type: string;
  message: string;
}

interface Rule<T> {
  match: string;
  fault: T;
  remaining: number;
  /** Matching requests to let through before the rule starts firing. */
  skip: number;
}

/**
 * Fault injection: each rule fires for the next `times` requests that match
 * (`METHOD /route/{template}`, `POST /graphql`, or `*`), then stops.
 *
 * @example
 * sim.faults.add('POST /graphql', { kind: 'status', status: 502 });          // one 502, then normal
 * sim.faults.add('POST /graphql', { kind: 'status', status: 502 }, 4, { after: 1 }); // the 2nd–5th fail
 * sim.faults.add('*', { kind: 'secondary-rate-limit', retryAfter: 2 }, 1);
 * sim.faults.addField({ field: 'PullRequest.reviews', type: 'FORBIDDEN', message: 'Resource not accessible by integration' });
 */
export class Faults {
  private readonly rules: Array<Rule<Fault>> = [];
  private readonly fieldRules: Array<Rule<FieldFault>> = [];
  /** Faults served so far, in order (`route: kind`). */
  readonly served: string[] = [];

  add(route: string, fault: Fault, times = 1, options: { after?: number } = {}): this {
    this.rules.push({ match: route, fault, remaining: times, skip: options.after ?? 0 });
    return this;
  }

  addField(fault: FieldFault, times = 1, options: { after?: number } = {}): this {
    this.fieldRules.push({ match: fault.field, fault, remaining: times, skip: options.after ?? 0 });
    return this;
  }

  /** The fault for this request, if any (consumes one use). */
  take(route: string): Fault | null {
    const rule = this.rules.find((r) => r.remaining > 0 && (r.match === '*' || r.match === route));
    if (!rule || skipped(rule)) return null;
    rule.remaining -= 1;
    this.served.push(`${route}: ${rule.fault.kind}`);
    return rule.fault;
  }

  takeField(field: string): FieldFault | null {
    const rule = this.fieldRules.find((r) => r.remaining > 0 && r.match === field);
    if (!rule || skipped(rule)) return null;
    rule.remaining -= 1;
    this.served.push(`${field}: graphql ${rule.fault.type}`);
    return rule.fault;
  }

  clear(): void {
    this.rules.length = 0;
    this.fieldRules.length = 0;
  }
}

function skipped(rule: Rule<unknown>): boolean {
  if (rule.skip <= 0) return false;
  rule.skip -= 1;
  return true;
}
