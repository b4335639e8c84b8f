import type { Cascade } from '../plan/types.js';
import { fragment, qualify, quoteIdent } from './quote.js';

/**
 * Predicates over cascade trees. Every table is named by its own name inside
 * its own subquery (so a rule's fragments, `payment.customer_id`, resolve), and
 * a parent is matched to its children by uncorrelated `IN (SELECT …)`, so a
 * table that references itself never shadows the row it is compared with.
 */

/** The cascades hanging directly from `parent` (undefined: from the rule's table). */
export function childrenOf(cascades: readonly Cascade[], parent: Cascade | undefined): Cascade[] {
  return cascades.filter((cascade) => cascade.parent === parent);
}

function columnsOf(tableName: string, columns: string[]): string {
  return columns.map((column) => qualify(tableName, column)).join(', ');
}

/** Whose rows are on hold: this table's own subjects. `onlyTable` keeps one table's subjects (for the plan's reasons). */
function subjectsHeldSql(cascade: Cascade, onlyTable: string | undefined): string[] {
  if (onlyTable !== undefined && cascade.table.qualified !== onlyTable) return [];
  return cascade.subjects.map((subject) => `coalesce(${fragment(subject.sql, 'value')} = ANY(ARRAY${fragment(subject.holdsQuery, 'query')}), false)`);
}

/** A row of the cascade's table is held: its subject is on hold, or a row it takes along is. */
export function cascadeHeldSql(cascade: Cascade, cascades: readonly Cascade[], onlyTable?: string): string | undefined {
  const parts = subjectsHeldSql(cascade, onlyTable);
  const below = descendantsHeldSql(cascade.table.name, childrenOf(cascades, cascade), cascades, onlyTable);
  if (below) parts.push(below);
  return parts.length > 0 ? `(${parts.join('\nOR ')})` : undefined;
}

/**
 * A row of the table named `parentName` takes along a held row: one of its children, at any
 * depth. A child that references its own table walks up from every held row to each row it reaches.
 */
export function descendantsHeldSql(parentName: string, children: readonly Cascade[], cascades: readonly Cascade[], onlyTable?: string): string | undefined {
  const parts: string[] = [];
  for (const child of children) {
    const held = cascadeHeldSql(child, cascades, onlyTable);
    if (!held) continue;
    const references = columnsOf(parentName, child.foreignKey.referencedColumns);
    const keys = columnsOf(child.table.name, child.foreignKey.columns);
    if (!child.recursive) {
      parts.push(`coalesce((${references}) IN (SELECT ${keys} FROM ${child.table.qualified} WHERE ${held}), false)`);
      continue;
    }
    const names = child.foreignKey.columns.map((_, index) => `k${index}`);
    const walked = child.foreignKey.columns.map((column) => `lethe_t.${quoteIdent(column)}`).join(', ');
    const reached = child.foreignKey.referencedColumns.map((column) => `lethe_t.${quoteIdent(column)}`).join(', ');
    parts.push(`coalesce((${references}) IN (WITH RECURSIVE lethe_up(${names.join(', ')}) AS (
SELECT ${keys} FROM ${child.table.qualified} WHERE ${held}
UNION SELECT ${walked} FROM ${child.table.qualified} AS lethe_t JOIN lethe_up ON (${reached}) = (${names.map((name) => `lethe_up.${name}`).join(', ')})
) SELECT * FROM lethe_up), false)`);
  }
  return parts.length > 0 ? `(${parts.join('\nOR ')})` : undefined;
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

/** A table's rows that a deletion removes: reached by any of its cascades. */
export function cascadeTableRowsSql(table: CascadeTable, root: RootSelection): string {
  return table.cascades.length === 1 ? cascadeRowsSql(table.cascades[0]!, root) : `(${table.cascades.map((cascade) => cascadeRowsSql(cascade, root)).join('\nOR ')})`;
}

/** A table's rows that must stay: held through any of its cascades. */
export function cascadeTableHeldSql(table: CascadeTable, cascades: readonly Cascade[]): string | undefined {
  const parts = table.cascades.map((cascade) => cascadeHeldSql(cascade, cascades)).filter((part): part is string => part !== undefined);
  return parts.length > 0 ? `(${parts.join('\nOR ')})` : undefined;
}
