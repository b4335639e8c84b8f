import { approximateMs } from '../rules/parse-duration.js';
import type { Duration, Phase, Rule } from '../rules/types.js';

/** The `after` an erasure's phase carries: the ledger and reports show `request` where a run shows `30d`. */
export const REQUEST_AFTER: Duration = { text: 'request', amount: 0, unit: 'd' };

export type EraseAction =
  | { kind: 'skip'; reason: string | undefined }
  | { kind: 'apply'; phase: Phase; from: 'final-phase' | 'request' };

/**
 * What an erasure request does to one rule's rows: `request: skip` keeps them
 * (with its reason); `request: delete | anonymize` names the action; without
 * `request`, the rule's final phase (the longest `after`) applies now. An
 * anonymize request without `set` takes the last anonymize or pseudonymize
 * phase's changes and mark.
 */
export function eraseActionOf(rule: Rule): EraseAction {
  const request = rule.request;
  if (request?.action === 'skip') return { kind: 'skip', reason: request.reason };
  const byAfter = [...rule.phases].sort((a, b) => approximateMs(a.after) - approximateMs(b.after));
  const final = byAfter[byAfter.length - 1]!;
  const base = { index: final.index, after: REQUEST_AFTER };
  if (!request) return { kind: 'apply', phase: { ...final, ...base }, from: 'final-phase' };
  if (request.action === 'delete') return { kind: 'apply', phase: { ...base, action: 'delete', set: [], mark: undefined }, from: 'request' };
  if (request.set.length > 0) return { kind: 'apply', phase: { ...base, action: 'anonymize', set: request.set, mark: request.mark }, from: 'request' };
  const changing = [...byAfter].reverse().find((phase) => phase.action !== 'delete');
  return { kind: 'apply', phase: { ...base, action: changing?.action ?? 'anonymize', set: changing?.set ?? [], mark: request.mark ?? changing?.mark }, from: 'request' };
}

/** The rule as an erasure runs it: one phase, the erasure's action (undefined: skipped). */
export function eraseRuleOf(rule: Rule): Rule | undefined {
  const action = eraseActionOf(rule);
  return action.kind === 'skip' ? undefined : { ...rule, phases: [action.phase] };
}
