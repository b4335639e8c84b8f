import { isFixedPoint } from '../strategies/index.js';
import type { Rule, Severity } from './types.js';
import type { KeyPath, PositionedDocument } from './yaml-positions.js';

type Reporter = (check: string, positioned: PositionedDocument) => (severity: Severity, path: KeyPath, message: string) => void;

/**
 * `request:` must be something an erasure can apply: anonymize needs columns
 * (its own `set` or a changing phase's), refuses hash, and needs `mark` for
 * strategies that are not fixed points; it only matters on a rule with a subject.
 */
export function checkRequests(rules: { rule: Rule; positioned: PositionedDocument; index: number }[], report: Reporter): void {
  for (const { rule, positioned, index } of rules) {
    const request = rule.request;
    if (!request) continue;
    const at = (check: string, severity: Severity, suffix: KeyPath, message: string) => report(check, positioned)(severity, ['rules', index, 'request', ...suffix], message);
    if (!rule.subject) at('request-without-subject', 'warning', [], "'request' has no effect: erase finds a person's rows by the rule's subject, and this rule names none");
    if (request.action !== 'anonymize') {
      if (request.set.length > 0 || request.mark) at('request-set-without-anonymize', 'error', ['set'], `a '${request.action}' request takes no 'set' or 'mark'`);
      continue;
    }
    if (request.set.length === 0 && !rule.phases.some((phase) => phase.action !== 'delete')) {
      at('request-needs-set', 'error', ['action'], "an anonymize request needs 'set': the rule has no anonymize or pseudonymize phase to take it from");
    }
    for (const change of request.set) {
      if (change.strategy.kind === 'hash') at('hash-in-anonymize', 'error', ['set', change.column], 'anonymize refuses hash: a keyed hash is reversible by whoever has the key');
    }
    const unmarked = request.set.find((change) => !isFixedPoint(change.strategy));
    if (unmarked && !request.mark) at('missing-mark', 'error', ['set', unmarked.column], `'${unmarked.strategy.kind}' is not a fixed point: the request needs 'mark' (a timestamp column set when a row is done)`);
  }
}
