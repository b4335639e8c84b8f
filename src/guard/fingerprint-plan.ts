import { createHash } from 'node:crypto';
import type { TableInfo } from '../catalog/types.js';
import type { Plan } from '../plan/types.js';
import { hashRule } from '../rules/hash-rule.js';

/** What a reviewed plan was made from: the rules as they select, and the shape of the tables they touch. */
export interface PlanFingerprint {
  rules: string;
  catalog: string;
}

const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);

export function fingerprintPlan(plan: Plan): PlanFingerprint {
  const rules = plan.rules.map((planned) => [planned.rule.id, hashRule(planned.rule, planned.holdsSubjects)]).sort();
  const tables = new Map<string, TableInfo>();
  for (const planned of plan.rules) {
    tables.set(planned.table.qualified, planned.table);
    for (const cascade of planned.cascades) tables.set(cascade.table.qualified, cascade.table);
  }
  const shape = [...tables.values()]
    .map((table) => ({
      table: table.qualified,
      kind: table.kind,
      columns: [...table.columns.values()].map((column) => [column.name, column.type, column.notNull]).sort(),
      primaryKey: table.primaryKey ?? null,
      referencedBy: table.referencedBy.map((fk) => [fk.table, fk.columns, fk.referencedColumns, fk.onDelete]).sort(),
    }))
    .sort((a, b) => (a.table < b.table ? -1 : 1));
  return { rules: sha(rules), catalog: sha(shape) };
}
