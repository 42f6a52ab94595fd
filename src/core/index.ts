/** The pure core: the evidence model, the CC8.1 rules and their rendering. */
export * from './facts.js';
export * from './cc81.js';
export * from './constants.js';
export * from './policy/verdict.js';
export { evaluate, decideOutcome } from './policy/evaluate.js';
export { errorVerdict, policyErrorVerdict, subjectOf } from './policy/special-verdicts.js';
export { findRetrospectiveApproval, type RetrospectiveApproval } from './policy/emergency.js';
export { buildContext } from './policy/context.js';
export { renderCheckRun, type CheckRunView, type PolicySourceInfo } from './render/check-run.js';
