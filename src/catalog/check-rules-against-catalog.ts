import { readBareColumn } from '../rules/parse-fragment.js';
import type { CascadeNode, Rule, RuleProblem, RuleSet, Severity, TableName } from '../rules/types.js';
import { orderCascadeTables } from '../sql/build-cascade-predicates.js';
import { checkStrategyColumn } from '../strategies/index.js';
import { quoteIdent } from '../sql/quote.js';
import { tableKey } from './read-catalog.js';
import { chooseWalk, resolveCascades } from '../plan/build-plan.js';
import type { Catalog, TableInfo } from './types.js';
import { writeIdentifier, writeTableName } from '../rules/identifiers.js';
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
    report('error', 'unknown-table', ['table'], `table '${tableKey(rule.table)}' does not exist${didYouMeanTable(catalog, tableKey(rule.table))}`);
    return;
  }
  if (table.kind === 'view' || table.kind === 'other') {
    report('error', 'not-a-table', ['table'], `'${tableKey(rule.table)}' is not a table`);
    return;
  }
  const missing = (column: string) => `column '${column}' does not exist in ${table.qualified}${didYouMeanColumn(table, column)}`;
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
  checkKeptColumns(rule, table, report, missing);
  rule.export?.omit.forEach((column, index) => {
    if (!table.columns.has(column)) report('error', 'unknown-column', ['export', 'omit', index], missing(column));
  });
  checkCascades(rule, table, catalog, report);
  checkDeletePaths(rule, table, catalog, report);
  checkWrittenColumns(rule, table, report);
  checkClockTriggers(rule, table, report);
  checkJoinFanOut(rule, table, catalog, report);
  checkClockIndex(rule, table, catalog, report);
}

/** `keep:` names columns of the table, and a kept column is one no phase changes. */
function checkKeptColumns(rule: Rule, table: TableInfo, report: Report, missing: (column: string) => string): void {
  for (const { column } of rule.keep ?? []) {
    if (!table.columns.has(column)) report('error', 'unknown-column', ['keep', column], missing(column));
    const changing = rule.phases.find((phase) => phase.set.some((change) => change.column === column) || phase.mark === column);
    if (changing) report('warning', 'kept-column-changed', ['keep', column], `'${column}' is kept, yet phase ${changing.index + 1} (${changing.action}) changes it; remove it from 'keep' or from the phase`);
  }
}

function checkKey(rule: Rule, table: TableInfo, report: Report, missing: (column: string) => string): void {
  if (rule.key) {
    for (const column of rule.key) if (!table.columns.has(column)) report('error', 'unknown-column', ['key'], missing(column));
    // A key is a set of columns: (TrackId, PlaylistId) is unique when the primary key is (PlaylistId, TrackId).
    const unique = sameColumns(table.primaryKey, rule.key) || table.indexes.some((index) => index.unique && !index.partial && sameColumns(index.columns, rule.key!));
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

/**
 * Deleting a row must not fail on, or silently orphan, rows that reference it: every table
 * of the tree (the rule's, and each one listed at any depth) has each RESTRICT / NO ACTION
 * child listed under it, and each table reached by ON DELETE CASCADE has none unlisted.
 */
function checkCascades(rule: Rule, table: TableInfo, catalog: Catalog, report: Report): void {
  const deletes = rule.phases.some((phase) => phase.action === 'delete');
  const byQualified = new Map([...catalog.tables.values()].map((info) => [info.qualified, info]));
  const deleted: { info: TableInfo; path: (string | number)[]; listed: Set<string> }[] = [];
  let treeOk = true;
  // A table listed under itself is walked at every depth: its own key needs nothing more.
  const visit = (parent: TableInfo, nodes: CascadeNode[], path: (string | number)[], ancestors: string[], selfWalked = false) => {
    const listed = new Set<string>(selfWalked ? [parent.qualified] : []);
    for (const node of nodes) {
      const info = catalog.tables.get(tableKey(node.table));
      if (!info) {
        report('error', 'unknown-table', node.path, `table '${tableKey(node.table)}' does not exist${didYouMeanTable(catalog, tableKey(node.table))}`);
        treeOk = false;
        continue;
      }
      listed.add(info.qualified);
      if (!parent.referencedBy.some((fk) => fk.table === info.qualified)) {
        report('error', 'cascade-not-child', node.path, `${info.qualified} has no foreign key to ${parent.qualified}${placementHint(info, catalog, rule)}`);
        treeOk = false;
        continue;
      }
      if (info.qualified !== parent.qualified && ancestors.includes(info.qualified)) {
        report('error', 'cascade-cycle', node.path, `${info.qualified} is already above this place in the tree: a cascade cannot go round in a circle`);
        treeOk = false;
        continue;
      }
      visit(info, node.children, node.path, [...ancestors, info.qualified], info.qualified === parent.qualified);
    }
    deleted.push({ info: parent, path, listed });
  };
  visit(table, rule.cascade, ['table'], [table.qualified]);
  if (!deletes) return;
  for (const { info, path, listed } of deleted) {
    const isRule = info.qualified === table.qualified && path[0] === 'table';
    for (const fk of info.referencedBy) {
      if (fk.onDelete !== 'a' && fk.onDelete !== 'r') continue;
      if (listed.has(fk.table) || (isRule && fk.table === table.qualified)) continue;
      const child = writtenTable(fk.table, catalog);
      report(
        'error',
        'missing-cascade',
        path,
        isRule
          ? `${fk.table}.${fk.columns.join(',')} references ${table.qualified} without ON DELETE CASCADE or SET NULL; list ${child} in 'cascade' or change the foreign key`
          : `${fk.table}.${fk.columns.join(',')} references ${info.qualified} without ON DELETE CASCADE or SET NULL; list it under ${writtenTable(info.qualified, catalog)}: cascade: [{ ${writtenTable(info.qualified, catalog)}: [${child}] }], or change the foreign key`,
      );
    }
  }
  // Tables emptied by ON DELETE CASCADE, at any depth below any table of the tree, must not
  // be referenced without a cascade either, or the delete fails half-way through a batch.
  const seen = new Set(deleted.map((entry) => entry.info.qualified));
  const reached: { info: TableInfo; path: (string | number)[] }[] = [];
  for (const { info, path, listed } of deleted) {
    for (const fk of info.referencedBy) {
      const child = byQualified.get(fk.table);
      if (fk.onDelete === 'c' && child && !listed.has(fk.table) && !seen.has(child.qualified)) reached.push({ info: child, path });
    }
  }
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
  if (treeOk && !orderCascadeTables(resolveCascades(rule, table, catalog, { subjects: undefined, kinds: {} }), 'rule')) {
    report('error', 'cascade-cycle', ['cascade'], 'two tables of the tree hang from each other: no order deletes the leaves first');
  }
}

/** Where a table that is no child of its parent could go: under a table of the tree it does reference. */
function placementHint(info: TableInfo, catalog: Catalog, rule: Rule): string {
  const ruleTable = catalog.tables.get(tableKey(rule.table))?.qualified;
  const parents = [...catalog.tables.values()].filter((candidate) => candidate.referencedBy.some((fk) => fk.table === info.qualified));
  const inTree = parents.filter((candidate) => candidate.qualified === ruleTable || treeTables(rule.cascade).some((name) => catalog.tables.get(tableKey(name))?.qualified === candidate.qualified));
  const parent = inTree[0] ?? parents[0];
  if (!parent) return '';
  if (parent.qualified === ruleTable) return `; it references the rule's table: list it directly in 'cascade'`;
  return `; it references ${parent.qualified}: write it under that table, e.g. cascade: [{ ${writtenTable(parent.qualified, catalog)}: [${writtenTable(info.qualified, catalog)}] }]`;
}

function treeTables(nodes: CascadeNode[]): TableName[] {
  return nodes.flatMap((node) => [node.table, ...treeTables(node.children)]);
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

function sameColumns(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && [...a].sort().join('\0') === [...b].sort().join('\0');
}

/** A table as a rule must write it: with its schema unless that schema is the first on search_path. */
function writtenTable(qualified: string, catalog: Catalog): string {
  const info = [...catalog.tables.values()].find((candidate) => candidate.qualified === qualified);
  const match = /^"((?:[^"]|"")*)"\."((?:[^"]|"")*)"$/.exec(qualified);
  const [schema, name] = info ? [info.schema, info.name] : match ? [match[1]!.replace(/""/g, '"'), match[2]!.replace(/""/g, '"')] : [undefined, qualified];
  return schema === undefined ? name : writeTableName(schema, name, catalog.searchPath?.[0]);
}

function didYouMeanTable(catalog: Catalog, written: string): string {
  const others = catalog.otherSpellings?.get(written) ?? [];
  if (others.length === 0) return '';
  return `; did you mean ${others.map((other) => `'${other}'`).join(' or ')}? Names are matched exactly, case included`;
}

/** A column that exists spelled the same but for case: names are exact, so say the exact spelling. */
function didYouMeanColumn(table: TableInfo, written: string): string {
  const sameButCase = [...table.columns.keys()].find((name) => name.toLowerCase() === written.toLowerCase());
  return sameButCase ? `; did you mean '${writeIdentifier(sameButCase)}'? Names are matched exactly, case included` : '';
}
