import type { Catalog } from '../catalog/types.js';
import { orderRules } from '../plan/order-rules.js';
import { loadFragmentParser } from '../rules/parse-fragment.js';
import type { Rule, RuleProblem, RuleSet } from '../rules/types.js';

/**
 * Warnings about how rules depend on each other: a cycle (the file order
 * decides, so a reader may run after the rule that deletes what it reads), and
 * a clock derived from a table another rule deletes from or changes (the
 * dependency order runs the reader first in a run of both, but a run of the
 * other alone, `--only` or `--due`, turns such clocks NULL: never expires).
 */
export async function checkRuleOrder(ruleSet: RuleSet, catalog: Catalog): Promise<RuleProblem[]> {
  await loadFragmentParser();
  const { dependencies, broken } = orderRules(ruleSet.rules, catalog, ruleSet.holds.subjects);
  const byId = new Map(ruleSet.rules.map((rule) => [rule.id, rule]));
  const problems: RuleProblem[] = [];
  const warn = (rule: Rule, check: string, path: (string | number)[], message: string) => {
    const at = rule.source.locate(path);
    problems.push({ severity: 'warning', check, file: rule.source.file, line: at.line, column: at.column, path: at.path, message });
  };
  for (const dependency of broken) {
    const waiting = byId.get(dependency.after)!;
    warn(waiting, 'rule-cycle', ['id'], `rules '${dependency.before}' and '${dependency.after}' depend on each other (a cycle through ${dependency.table ?? 'after:'}): '${waiting.id}' may run before '${dependency.before}' has read what it needs; break the cycle or order them with after:`);
  }
  for (const dependency of dependencies) {
    if (dependency.reason !== 'reads' || !dependency.clock) continue;
    const reader = byId.get(dependency.before)!;
    warn(
      reader,
      'derived-clock',
      [reader.join ? 'join' : 'clock'],
      `the clock of '${reader.id}' is derived from ${dependency.table}, which rule '${dependency.after}' deletes from or changes: rows whose clock source goes get a NULL clock and never expire. A run of both runs '${reader.id}' first; a run of '${dependency.after}' alone (--only, --due) does not`,
    );
  }
  return problems;
}
