import type { Catalog, TableInfo } from '../catalog/types.js';
import { tableKey } from '../catalog/read-catalog.js';
import { LetheError } from '../errors.js';
import { approximateMs } from '../rules/parse-duration.js';
import type { Rule, RuleSet } from '../rules/types.js';
import { computeCutoff } from './compute-cutoff.js';
import type { Cascade, KeyColumn, Plan, PlannedPhase, PlannedRule, Walk } from './types.js';

export interface PlanOptions {
  /** Rule ids to keep; all rules when undefined. */
  only?: string[] | undefined;
}

/** Pure: (rules, catalog, now) -> Plan. Expects rules that `check` accepted. */
export function buildPlan(ruleSet: RuleSet, catalog: Catalog, now: Date, options: PlanOptions = {}): Plan {
  const rules = selectRules(ruleSet.rules, options.only);
  return { now, rules: rules.map((rule) => planRule(rule, catalog, now, ruleSet.holds.subjects)) };
}

export function selectRules(rules: Rule[], only: string[] | undefined): Rule[] {
  if (!only) return rules;
  const unknown = only.filter((id) => !rules.some((rule) => rule.id === id));
  if (unknown.length > 0) {
    throw new LetheError('USAGE', `--only: no rule with id ${unknown.map((id) => `'${id}'`).join(', ')}`, {
      hint: `known rules: ${rules.map((rule) => rule.id).join(', ')}`,
    });
  }
  return rules.filter((rule) => only.includes(rule.id));
}

function planRule(rule: Rule, catalog: Catalog, now: Date, holdsSubjects: string | undefined): PlannedRule {
  const table = requireTable(catalog, tableKey(rule.table), rule);
  const ordered = [...rule.phases].sort((a, b) => approximateMs(a.after) - approximateMs(b.after));
  const cascades = resolveCascades(rule, table, catalog);
  const windows: PlannedPhase[] = ordered.map((phase, index) => {
    const longer = ordered[index + 1];
    return {
      phase,
      walk: chooseWalk(rule, table, phase, cascades.some((cascade) => cascade.by === 'rule')),
      cutoff: computeCutoff(now, phase.after),
      olderBound: longer ? computeCutoff(now, longer.after) : undefined,
      changes: phase.set.map((change) => ({ ...change, info: requireColumn(table, change.column, rule) })),
      markInfo: phase.mark ? requireColumn(table, phase.mark, rule) : undefined,
    };
  });
  return {
    rule,
    table,
    key: windows.every((window) => window.walk !== 'key') ? resolveKeyIfAny(rule, table) : resolveKey(rule, table),
    cascades,
    phases: windows.reverse(),
    holdsSubjects: rule.subject ? holdsSubjects : undefined,
    clockType: catalog.clockTypes?.get(rule.id),
  };
}

/**
 * Walking physical pages (TID ranges) is the fastest: one statement per batch
 * and no keys through Node. It needs a plain table, no join (the statement
 * names only the target) and no children Lethe deletes itself. Pseudonyms are
 * made in Node for the rows the batch locks and joined back by row position.
 */
export function chooseWalk(rule: Rule, table: TableInfo, phase: Rule['phases'][number], lethesCascades: boolean): Walk {
  if (rule.join || (table.kind !== 'table' && table.kind !== 'partitioned')) return 'key';
  if (table.kind === 'partitioned') {
    // Dropping a partition would bypass foreign keys that point at the table.
    return phase.action === 'delete' && !lethesCascades && table.referencedBy.length === 0 ? 'partitions' : 'key';
  }
  return phase.action === 'delete' && lethesCascades ? 'key' : 'pages';
}

/** The explicit key, else the primary key, else a unique index on NOT NULL columns. */
export function resolveKey(rule: Rule, table: TableInfo): KeyColumn[] {
  const names = rule.key ?? table.primaryKey ?? uniqueNotNullIndex(table);
  if (!names) {
    throw new LetheError('SCHEMA_MISMATCH', `rule '${rule.id}': table ${table.qualified} has no primary key or unique NOT NULL index`, {
      hint: "name unique columns with 'key:' in the rule",
    });
  }
  return names.map((name) => ({ name, type: requireColumn(table, name, rule).type }));
}

/** Walks by pages need no key; one is still used for previews when the table has it. */
function resolveKeyIfAny(rule: Rule, table: TableInfo): KeyColumn[] {
  const names = rule.key ?? table.primaryKey ?? uniqueNotNullIndex(table);
  return names ? names.map((name) => ({ name, type: requireColumn(table, name, rule).type })) : [];
}

function uniqueNotNullIndex(table: TableInfo): string[] | undefined {
  const index = table.indexes.find(
    (candidate) => candidate.unique && !candidate.partial && candidate.columns.length > 0 && candidate.columns.every((name) => table.columns.get(name)?.notNull),
  );
  return index?.columns;
}

/** Children removed with a deleted row: listed ones (Lethe deletes them), then ON DELETE CASCADE ones, at any depth. */
function resolveCascades(rule: Rule, table: TableInfo, catalog: Catalog): Cascade[] {
  if (!rule.phases.some((phase) => phase.action === 'delete')) return [];
  const listed = new Set(rule.cascade.map((name) => catalog.tables.get(tableKey(name))?.qualified));
  const byQualified = new Map([...catalog.tables.values()].map((info) => [info.qualified, info]));
  const cascades: Cascade[] = [];
  const visit = (parentTable: TableInfo, parent: Cascade | undefined, seen: Set<string>) => {
    for (const foreignKey of parentTable.referencedBy) {
      const child = byQualified.get(foreignKey.table);
      if (!child || seen.has(child.qualified)) continue;
      const by = !parent && listed.has(foreignKey.table) ? 'rule' : foreignKey.onDelete === 'c' ? 'database' : undefined;
      if (!by) continue;
      const cascade: Cascade = { table: child, foreignKey, by, parent };
      cascades.push(cascade);
      visit(child, cascade, new Set([...seen, child.qualified]));
    }
  };
  visit(table, undefined, new Set([table.qualified]));
  return cascades;
}

function requireTable(catalog: Catalog, key: string, rule: Rule): TableInfo {
  const table = catalog.tables.get(key);
  if (!table) throw new LetheError('SCHEMA_MISMATCH', `rule '${rule.id}': table ${key} does not exist`, { hint: 'run lethe check' });
  return table;
}

function requireColumn(table: TableInfo, name: string, rule: Rule) {
  const column = table.columns.get(name);
  if (!column) throw new LetheError('SCHEMA_MISMATCH', `rule '${rule.id}': column ${name} does not exist in ${table.qualified}`, { hint: 'run lethe check' });
  return column;
}

/** The same planned rule with its cutoffs recomputed for another `now` (a resumed run keeps its own). */
export function replanAt(planned: PlannedRule, now: Date): PlannedRule {
  const byAfter = [...planned.phases].reverse();
  const phases = byAfter
    .map((window, index) => {
      const longer = byAfter[index + 1];
      return { ...window, cutoff: computeCutoff(now, window.phase.after), olderBound: longer ? computeCutoff(now, longer.phase.after) : undefined };
    })
    .reverse();
  return { ...planned, phases };
}
