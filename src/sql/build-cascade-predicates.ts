import type { Cascade } from '../plan/types.js';
import { fragment, qualify, quoteIdent } from './quote.js';

/**
 * Predicates over cascade trees. Every table is named by its own name inside
 * its own subquery, so a rule's fragments (`payment.customer_id`) resolve.
 */

/** The cascades hanging directly from `parent` (undefined: from the rule's table). */
export function childrenOf(cascades: readonly Cascade[], parent: Cascade | undefined): Cascade[] {
  return cascades.filter((cascade) => cascade.parent === parent);
}

function columnsOf(tableName: string, columns: string[]): string {
  return columns.map((column) => qualify(tableName, column)).join(', ');
}

/**
 * Whose rows are on hold: this table's own subjects. Bare comparisons, for the WHERE of a
 * subquery (where NULL counts as false); `onlyTable` keeps one table's subjects (the plan's reasons).
 */
function subjectsHeldSql(cascade: Cascade, onlyTable: string | undefined): string[] {
  if (onlyTable !== undefined && cascade.table.qualified !== onlyTable) return [];
  return cascade.subjects.map((subject) => `${fragment(subject.sql, 'value')} = ANY(ARRAY${fragment(subject.holdsQuery, 'query')})`);
}

/** A row of the cascade's table is held: its subject is on hold, or a row it takes along is. Never NULL. */
export function cascadeHeldSql(cascade: Cascade, cascades: readonly Cascade[], onlyTable?: string): string | undefined {
  const parts = cascadeHeldParts(cascade, cascades, onlyTable).map((part) => `coalesce(${part}, false)`);
  return parts.length > 0 ? `(${parts.join('\nOR ')})` : undefined;
}

function cascadeHeldParts(cascade: Cascade, cascades: readonly Cascade[], onlyTable: string | undefined): string[] {
  const parts = subjectsHeldSql(cascade, onlyTable);
  for (const child of childrenOf(cascades, cascade)) {
    const below = childHeldSql(cascade.table.name, child, cascades, onlyTable);
    if (below) parts.push(below);
  }
  return parts;
}

/**
 * A row of the table named `parentName` takes along a held row: one of its children, at any
 * depth. Never NULL. A child that references its own table walks up from every held row to
 * each row it reaches.
 */
export function descendantsHeldSql(parentName: string, children: readonly Cascade[], cascades: readonly Cascade[], onlyTable?: string): string | undefined {
  const parts = children
    .map((child) => childHeldSql(parentName, child, cascades, onlyTable))
    .filter((part): part is string => part !== undefined)
    .map((part) => `coalesce(${part}, false)`);
  return parts.length > 0 ? `(${parts.join('\nOR ')})` : undefined;
}

/**
 * The parent's referenced values among a child's held rows, by value (uncorrelated): the set
 * is computed once per statement, hashed, and each reason is its own UNION ALL branch so each
 * uses its own index (a correlated probe would visit every partition of a partitioned child
 * for every parent row; an OR would scan the child table).
 */
function childHeldSql(parentName: string, child: Cascade, cascades: readonly Cascade[], onlyTable: string | undefined): string | undefined {
  const reasons = cascadeHeldParts(child, cascades, onlyTable);
  if (reasons.length === 0) return undefined;
  const references = columnsOf(parentName, child.foreignKey.referencedColumns);
  const keys = columnsOf(child.table.name, child.foreignKey.columns);
  const seeds = reasons.map((reason) => `SELECT ${keys} FROM ${child.table.qualified} WHERE ${reason}`).join('\nUNION ALL ');
  if (!child.recursive) return `(${references}) IN (${seeds})`;
  const names = child.foreignKey.columns.map((_, index) => `k${index}`);
  const walked = child.foreignKey.columns.map((column) => `lethe_t.${quoteIdent(column)}`).join(', ');
  const reached = child.foreignKey.referencedColumns.map((column) => `lethe_t.${quoteIdent(column)}`).join(', ');
  return `(${references}) IN (WITH RECURSIVE lethe_up(${names.join(', ')}) AS (
${seeds}
UNION SELECT ${walked} FROM ${child.table.qualified} AS lethe_t JOIN lethe_up ON (${reached}) = (${names.map((name) => `lethe_up.${name}`).join(', ')})
) SELECT * FROM lethe_up)`;
}

/** Selects values of the rule table's columns for the rows being deleted (due rows, or a batch's confirmed keys). */
export type RootSelection = (columns: string[]) => string;

/**
 * The rows of the cascade's table that deleting the selected rows of the rule's
 * table removes, through every table above it (which still exist: leaves go first).
 */
export function cascadeRowsSql(cascade: Cascade, root: RootSelection): string {
  const parent = cascade.parent;
  const selectParent: RootSelection = parent
    ? (columns) => `SELECT ${columnsOf(parent.table.name, columns)} FROM ${parent.table.qualified}\nWHERE ${cascadeRowsSql(parent, root)}`
    : root;
  const keys = columnsOf(cascade.table.name, cascade.foreignKey.columns);
  if (!cascade.recursive) return `(${keys}) IN (${selectParent(cascade.foreignKey.referencedColumns)})`;
  // Every row that reaches the parent's rows through the key, at any depth (UNION stops at cycles).
  const names = cascade.foreignKey.referencedColumns.map((_, index) => `k${index}`);
  const referenced = columnsOf(cascade.table.name, cascade.foreignKey.referencedColumns);
  const walked = cascade.foreignKey.columns.map((column) => `lethe_t.${quoteIdent(column)}`).join(', ');
  const reached = cascade.foreignKey.referencedColumns.map((column) => `lethe_t.${quoteIdent(column)}`).join(', ');
  return `(${referenced}) IN (WITH RECURSIVE lethe_down(${names.join(', ')}) AS (
SELECT ${referenced} FROM ${cascade.table.qualified} WHERE (${keys}) IN (${selectParent(cascade.foreignKey.referencedColumns)})
UNION SELECT ${reached} FROM ${cascade.table.qualified} AS lethe_t JOIN lethe_down ON (${walked}) = (${names.map((name) => `lethe_down.${name}`).join(', ')})
) SELECT * FROM lethe_down)`;
}

/** One table of a tree with every cascade that reaches it: deleted (and counted) as one set of rows. */
export interface CascadeTable {
  cascades: Cascade[];
  by: 'rule' | 'database';
}

/**
 * The tables of a tree, leaves first: a table comes before every table it hangs from,
 * so a RESTRICT key never sees its referencing rows still there. Undefined when two
 * tables hang from each other (check rejects such a tree).
 */
export function orderCascadeTables(cascades: readonly Cascade[], by: 'rule' | 'database'): CascadeTable[] | undefined {
  const groups = new Map<string, Cascade[]>();
  for (const cascade of cascades) if (cascade.by === by) groups.set(cascade.table.qualified, [...(groups.get(cascade.table.qualified) ?? []), cascade]);
  const ordered: CascadeTable[] = [];
  const remaining = new Map(groups);
  while (remaining.size > 0) {
    const ready = [...remaining.entries()].find(([table]) =>
      ![...remaining.entries()].some(([other, members]) => other !== table && members.some((member) => hangsFrom(member, table))),
    );
    if (!ready) return undefined;
    ordered.push({ cascades: ready[1], by });
    remaining.delete(ready[0]);
  }
  return ordered;
}

/** The cascade's rows are below a row of `table` (so they must go before it). */
function hangsFrom(cascade: Cascade, table: string): boolean {
  for (let parent = cascade.parent; parent; parent = parent.parent) if (parent.table.qualified === table) return true;
  return false;
}

/** A table's rows that must stay: held through any of its cascades. */
export function cascadeTableHeldSql(table: CascadeTable, cascades: readonly Cascade[]): string | undefined {
  const parts = table.cascades.map((cascade) => cascadeHeldSql(cascade, cascades)).filter((part): part is string => part !== undefined);
  return parts.length > 0 ? `(${parts.join('\nOR ')})` : undefined;
}
