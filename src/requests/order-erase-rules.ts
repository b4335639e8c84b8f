import type { Plan, PlannedRule } from '../plan/types.js';

/**
 * An erasure deletes a person's child rows before their parent rows: a rule
 * whose table references the table another rule deletes from runs first, so
 * ON DELETE SET NULL never orphans rows a rule of the request would have
 * removed (device logs whose user_id became NULL no longer name the person).
 * The run's own order (runsAfter) is kept; ties keep the plan's order.
 */
export function orderEraseRules(plan: Plan): Plan {
  const rules = plan.rules;
  const edges = new Map<string, Set<string>>(rules.map((planned) => [planned.rule.id, new Set<string>()]));
  const addEdge = (before: string, after: string) => {
    if (before !== after) edges.get(after)?.add(before);
  };
  for (const planned of rules) {
    for (const dependency of planned.runsAfter ?? []) addEdge(dependency.before, planned.rule.id);
    if (planned.phases[0]?.phase.action !== 'delete') continue;
    for (const other of rules) if (referencesTable(other, planned)) addEdge(other.rule.id, planned.rule.id);
  }
  const ordered: PlannedRule[] = [];
  const placed = new Set<string>();
  while (ordered.length < rules.length) {
    const ready = rules.find((planned) => !placed.has(planned.rule.id) && [...edges.get(planned.rule.id)!].every((id) => placed.has(id)));
    // A cycle (two tables referencing each other): the rest in the plan's order.
    const next = ready ?? rules.find((planned) => !placed.has(planned.rule.id))!;
    ordered.push(next);
    placed.add(next.rule.id);
  }
  return { ...plan, rules: ordered };
}

function referencesTable(child: PlannedRule, parent: PlannedRule): boolean {
  return child.table.qualified !== parent.table.qualified && parent.table.referencedBy.some((fk) => fk.table === child.table.qualified);
}
