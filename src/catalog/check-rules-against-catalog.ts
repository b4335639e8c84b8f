import { readBareColumn } from '../rules/parse-fragment.js';
import type { Rule, RuleProblem, RuleSet, Severity } from '../rules/types.js';
import { checkStrategyColumn } from '../strategies/index.js';
import { quoteIdent } from '../sql/quote.js';
import { tableKey } from './read-catalog.js';
import { chooseWalk } from '../plan/build-plan.js';
import type { Catalog, TableInfo } from './types.js';
import { checkDeletePaths } from './check-delete-paths.js';
import { checkJoinFanOut } from './check-join-fan-out.js';
import { checkClockTriggers, checkWrittenColumns } from './check-written-columns.js';

type Report = (severity: Severity, check: string, path: (string | number)[], message: string) => void;

const DATE_TIME_TYPES = new Set(['date', 'timestamp', 'timestamptz']);

/** Pure: every problem a rule has against the live schema, each at its key in the rule file. */
export function checkRulesAgainstCatalog(ruleSet: RuleSet, catalog: Catalog): RuleProblem[] {
  const problems: RuleProblem[] = [];
  for (const rule of ruleSet.rules) {
    const report: Report = (severity, check, path, message) => {
      const at = rule.source.locate(path);
      problems.push({ severity, check, file: rule.source.file, line: at.line, column: at.column, path: at.path, message });
    };
    checkRule(rule, catalog, report);
  }
  return problems;
}

function checkRule(rule: Rule, catalog: Catalog, report: Report): void {
  const table = catalog.tables.get(tableKey(rule.table));
  if (!table) {
    report('error', 'unknown-table', ['table'], `table '${tableKey(rule.table)}' does not exist`);
    return;
  }
  if (table.kind === 'view' || table.kind === 'other') {
    report('error', 'not-a-table', ['table'], `'${tableKey(rule.table)}' is not a table`);
    return;
  }
  const missing = (column: string) => `column '${column}' does not exist in ${table.qualified}`;
  checkKey(rule, table, report, missing);
  const keyColumns = rule.key ?? table.primaryKey ?? [];
  rule.phases.forEach((phase, index) => {
    for (const change of phase.set) {
      if (keyColumns.includes(change.column)) report('error', 'key-in-set', ['phases', index, 'set', change.column], `'${change.column}' is the table's key and cannot be changed`);
      const column = table.columns.get(change.column);
      if (!column) report('error', 'unknown-column', ['phases', index, 'set', change.column], missing(change.column));
      else {
        const problem = checkStrategyColumn(change.strategy, column);
        if (problem) report('error', 'wrong-column-type', ['phases', index, 'set', change.column], problem);
      }
    }
    if (phase.mark) {
      const mark = table.columns.get(phase.mark);
      if (!mark) report('error', 'unknown-column', ['phases', index, 'mark'], missing(phase.mark));
      else if (!DATE_TIME_TYPES.has(mark.baseType)) report('error', 'wrong-column-type', ['phases', index, 'mark'], `mark column '${phase.mark}' must be a timestamp; it is ${mark.type}`);
      else if (mark.notNull) report('error', 'mark-not-null', ['phases', index, 'mark'], `mark column '${phase.mark}' is NOT NULL: the phase selects rows whose mark IS NULL, so it would never select a row; make the column nullable`);
    }
  });
  checkCascades(rule, table, catalog, report);
  checkDeletePaths(rule, table, catalog, report);
  checkWrittenColumns(rule, table, report);
  checkClockTriggers(rule, table, report);
  checkJoinFanOut(rule, table, catalog, report);
  checkClockIndex(rule, table, catalog, report);
}

function checkKey(rule: Rule, table: TableInfo, report: Report, missing: (column: string) => string): void {
  if (rule.key) {
    for (const column of rule.key) if (!table.columns.has(column)) report('error', 'unknown-column', ['key'], missing(column));
    const unique = table.primaryKey?.join(',') === rule.key.join(',') || table.indexes.some((index) => index.unique && !index.partial && index.columns.join(',') === rule.key!.join(','));
    if (!unique) report('warning', 'key-not-unique', ['key'], `no primary key or unique index on (${rule.key.join(', ')}): rows sharing a key are processed together`);
    return;
  }
  const hasUnique = table.primaryKey || table.indexes.some((index) => index.unique && !index.partial && index.columns.length > 0 && index.columns.every((name) => table.columns.get(name)?.notNull));
  if (hasUnique) return;
  // Without a key a phase can still walk by physical position (TID ranges); a keyset walk cannot.
  const needsKey = rule.phases.filter((phase) => chooseWalk(rule, table, phase, rule.cascade.length > 0) === 'key');
  for (const phase of needsKey) {
    report('error', 'no-key', ['phases', phase.index], `${table.qualified} has no primary key or unique NOT NULL index, and this phase must walk by key (a join, a cascade or a view); name unique columns with 'key:'`);
  }
}

/** Deleting a row must not fail on, or silently orphan, rows that reference it. */
function checkCascades(rule: Rule, table: TableInfo, catalog: Catalog, report: Report): void {
  const deletes = rule.phases.some((phase) => phase.action === 'delete');
  const listed = rule.cascade.map((name, index) => ({ index, name, info: catalog.tables.get(tableKey(name)) }));
  for (const entry of listed) {
    if (!entry.info) report('error', 'unknown-table', ['cascade', entry.index], `table '${tableKey(entry.name)}' does not exist`);
    else if (!table.referencedBy.some((fk) => fk.table === entry.info!.qualified)) {
      report('error', 'cascade-not-child', ['cascade', entry.index], `${entry.info.qualified} has no foreign key to ${table.qualified}`);
    }
  }
  if (!deletes) return;
  const listedNames = new Set(listed.map((entry) => entry.info?.qualified));
  for (const fk of table.referencedBy) {
    if ((fk.onDelete === 'a' || fk.onDelete === 'r') && !listedNames.has(fk.table) && fk.table !== table.qualified) {
      report('error', 'missing-cascade', ['table'], `${fk.table}.${fk.columns.join(',')} references ${table.qualified} without ON DELETE CASCADE or SET NULL; list ${fk.table.split('.').pop()!.replace(/"/g, '')} in 'cascade' or change the foreign key`);
    }
  }
  // Every table a delete reaches (listed children, then ON DELETE CASCADE at any depth)
  // must not be referenced without a cascade, or the delete fails half-way through a batch.
  const byQualified = new Map([...catalog.tables.values()].map((info) => [info.qualified, info]));
  const reached = [...listed.filter((entry) => entry.info).map((entry) => ({ info: entry.info!, path: ['cascade', entry.index] as (string | number)[] }))];
  for (const fk of table.referencedBy) {
    const child = byQualified.get(fk.table);
    if (fk.onDelete === 'c' && child && child.qualified !== table.qualified) reached.push({ info: child, path: ['table'] });
  }
  const seen = new Set([table.qualified]);
  while (reached.length > 0) {
    const { info, path } = reached.shift()!;
    if (seen.has(info.qualified)) continue;
    seen.add(info.qualified);
    for (const fk of info.referencedBy) {
      if (fk.onDelete === 'a' || fk.onDelete === 'r') {
        report('error', 'missing-cascade', path, `${fk.table} references ${info.qualified} without ON DELETE CASCADE or SET NULL; deleting ${info.qualified} rows would fail`);
      } else if (fk.onDelete === 'c') {
        const grandchild = byQualified.get(fk.table);
        if (grandchild) reached.push({ info: grandchild, path });
      }
    }
  }
}

/** Without an index on the clock every batch scans the table: warn with the index to add. */
function checkClockIndex(rule: Rule, table: TableInfo, catalog: Catalog, report: Report): void {
  const bare = readBareColumn(rule.clock);
  if (!bare) return;
  const owner = bare.table ? (bare.table === table.name ? table : [...catalog.tables.values()].find((candidate) => candidate.name === bare.table)) : table;
  const column = bare.column;
  if (!owner || !owner.columns.has(column)) return;
  const indexed = owner.indexes.some((index) => index.columns[0] === column) || owner.primaryKey?.[0] === column;
  if (!indexed) {
    report('warning', 'clock-not-indexed', ['clock'], `no index starts with ${owner.qualified}.${quoteIdent(column)}; every batch scans the table. Add: CREATE INDEX CONCURRENTLY ON ${owner.qualified} (${quoteIdent(column)});`);
  }
}
