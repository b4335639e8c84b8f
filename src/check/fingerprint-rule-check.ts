import { createHash } from 'node:crypto';
import { tableKey } from '../catalog/read-catalog.js';
import type { Catalog, TableInfo } from '../catalog/types.js';
import { hashRule } from '../rules/hash-rule.js';
import { holdsQueryFor, type Rule, type RuleSet } from '../rules/types.js';
import { tablesOf } from './check-rules.js';

/**
 * What a rule's EXPLAIN probes depend on: the rule as it selects (its hash, timezone included),
 * the holds, and the shape of every table it names and of the tables that reference them
 * (columns, types, keys, indexes, constraints, triggers; not their row counts). A run whose
 * fingerprint matches the last run that probed the rule without a problem skips the probes.
 */
export function fingerprintRuleCheck(rule: Rule, ruleSet: RuleSet, catalog: Catalog): string {
  const named = new Set(tablesOf({ ...ruleSet, rules: [rule] }).map(tableKey));
  const tables = [...catalog.tables.entries()].filter(([key]) => named.has(key)).map(([, table]) => table);
  const referencing = new Set(tables.flatMap((table) => table.referencedBy.map((fk) => fk.table)));
  const shapes = [...catalog.tables.values()]
    .filter((table) => tables.includes(table) || referencing.has(table.qualified))
    .map(shapeOf)
    .sort((a, b) => (a.qualified < b.qualified ? -1 : a.qualified > b.qualified ? 1 : 0));
  const holds = rule.subject ? holdsQueryFor(ruleSet.holds, rule.subjectKind) ?? null : null;
  return createHash('sha256')
    .update(JSON.stringify({ rule: hashRule(rule, holds ?? undefined), holds: ruleSet.holds, shapes }))
    .digest('hex')
    .slice(0, 32);
}

function shapeOf(table: TableInfo) {
  const { estimatedRows: _rows, columns, ...rest } = table;
  return { ...rest, columns: [...columns.values()] };
}
