import type { CascadeNode, CoverageSettings, Rule, RuleSet } from '../rules/types.js';
import { findTableFacts, type SchemaFacts, type TableFacts } from '../classify/read-schema-facts.js';
import type { Classification } from '../classify/types.js';

export type CoverageStatus = 'covered' | 'uncovered';

export interface UncoveredColumn {
  table: string;
  column: string;
  /** `not-changed`: rules touch the table, yet none changes, deletes or keeps the column; `no-rule`: a personal column of a table no rule touches. */
  why: 'not-changed' | 'no-rule';
  /** The rules that leave the column as it is (not-changed), with where they stand. */
  rules: { id: string; file: string; line: number }[];
  /** The classifier's guess, when it has one. */
  category: string | undefined;
  evidence: string[];
}

export interface CoverageReport {
  status: CoverageStatus;
  /** Tables some rule changes or deletes from, and how many of their columns are covered each way. */
  tables: { table: string; columns: number; changed: number; deleted: number; kept: number }[];
  uncovered: UncoveredColumn[];
  kept: { table: string; column: string; rule: string; reason: string }[];
  ignored: { target: string; reason: string }[];
}

/**
 * Pure: is every column of every table a rule touches changed by a phase, removed by a
 * delete, or kept with a reason? And which personal columns lie in tables no rule touches?
 * A table whose rows a delete removes (a delete phase, a cascade entry, or ON DELETE
 * CASCADE below one) counts as deleted for that rule.
 */
export function checkCoverage(ruleSet: RuleSet, facts: SchemaFacts, personal: Classification[], settings: CoverageSettings = { schemas: undefined, ignore: {} }): CoverageReport {
  const byColumn = new Map(personal.map((found) => [`${found.table}.${found.column}`, found]));
  const isIgnored = (table: TableFacts, column?: string) => ignoredBy(settings.ignore, table, column) !== undefined;
  const deletedTables = new Set<string>();
  const rulesByTable = new Map<string, Rule[]>();
  for (const rule of ruleSet.rules) {
    const table = findTableFacts(facts, rule.table);
    if (!table) continue; // `check` reports the unknown table
    rulesByTable.set(table.name, [...(rulesByTable.get(table.name) ?? []), rule]);
    if (!rule.phases.some((phase) => phase.action === 'delete')) continue;
    markDeleted(facts, table.name, deletedTables);
    for (const node of walkCascade(rule.cascade)) {
      const child = findTableFacts(facts, node.table);
      if (child) markDeleted(facts, child.name, deletedTables);
    }
  }
  const uncovered: UncoveredColumn[] = [];
  const kept: CoverageReport['kept'] = [];
  const tables: CoverageReport['tables'] = [];
  for (const table of facts.tables) {
    const rules = rulesByTable.get(table.name) ?? [];
    if (rules.length === 0 && deletedTables.has(table.name)) {
      tables.push({ table: table.name, columns: table.columns.length, changed: 0, deleted: table.columns.length, kept: 0 });
      continue;
    }
    if (rules.length === 0) {
      if (settings.schemas && !settings.schemas.includes(table.schema)) continue;
      for (const column of table.columns) {
        const found = byColumn.get(`${table.name}.${column.column}`);
        if (found && !isIgnored(table, column.column)) uncovered.push({ table: table.name, column: column.column, why: 'no-rule', rules: [], category: found.category, evidence: found.evidence });
      }
      continue;
    }
    const counts = { table: table.name, columns: table.columns.length, changed: 0, deleted: 0, kept: 0 };
    for (const column of table.columns) {
      const found = byColumn.get(`${table.name}.${column.column}`);
      const leaving: Rule[] = [];
      let keptBy: { rule: Rule; reason: string } | undefined;
      let changed = false;
      for (const rule of rules) {
        if (rule.phases.some((phase) => phase.action === 'delete')) continue;
        if (rule.phases.some((phase) => phase.set.some((change) => change.column === column.column) || phase.mark === column.column)) {
          changed = true;
          continue;
        }
        const keep = rule.keep?.find((entry) => entry.column === column.column);
        if (keep) keptBy ??= { rule, reason: keep.reason };
        // A row key is kept by nature, unless the classifier says it is personal (an email as key).
        else if (!(table.primaryKey.includes(column.column) && !found) && !isIgnored(table, column.column)) leaving.push(rule);
        else keptBy ??= { rule, reason: isIgnored(table, column.column) ? ignoredBy(settings.ignore, table, column.column)! : 'the row key' };
      }
      if (leaving.length > 0) {
        uncovered.push({ table: table.name, column: column.column, why: 'not-changed', rules: leaving.map((rule) => ({ id: rule.id, file: rule.source.file, line: rule.source.line })), category: found?.category, evidence: found?.evidence ?? [] });
      } else if (keptBy) {
        counts.kept++;
        kept.push({ table: table.name, column: column.column, rule: keptBy.rule.id, reason: keptBy.reason });
      } else if (changed) counts.changed++;
      else counts.deleted++;
    }
    tables.push(counts);
  }
  const ignored = Object.entries(settings.ignore).map(([target, reason]) => ({ target, reason }));
  return { status: uncovered.length > 0 ? 'uncovered' : 'covered', tables, uncovered, kept, ignored };
}

/** A table and every table below it through ON DELETE CASCADE: their rows go with a deleted row. */
function markDeleted(facts: SchemaFacts, table: string, deleted: Set<string>): void {
  if (deleted.has(table)) return;
  deleted.add(table);
  for (const fk of facts.foreignKeys) if (fk.referencedTable === table && fk.onDelete === 'c') markDeleted(facts, fk.table, deleted);
}

function walkCascade(nodes: CascadeNode[]): CascadeNode[] {
  return nodes.flatMap((node) => [node, ...walkCascade(node.children)]);
}

/** `coverage.ignore` entries: `table`, `schema.*`, `table.column` (a table written as a rule would). */
function ignoredBy(ignore: Record<string, string>, table: TableFacts, column?: string): string | undefined {
  return ignore[table.name] ?? ignore[`${table.schema}.*`] ?? ignore[`${table.schema}.${table.relname}`] ?? (column === undefined ? undefined : (ignore[`${table.name}.${column}`] ?? ignore[`${table.schema}.${table.relname}.${column}`]));
}
