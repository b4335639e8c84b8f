import type { PlannedChange, PlannedPhase, PlannedRule } from '../plan/types.js';
import { castTypeOf, strategySql } from '../strategies/index.js';
import { cascadeRowsSql, cascadeTableHeldSql, type CascadeTable, type RootSelection } from './build-cascade-predicates.js';
import { clockInstantSql, dueSql, fromClause, heldReasonsSql, heldSql, keyList, keyMatchSql, keyRangeSql, onlyMatchedSql, targetColumn } from './build-predicates.js';
import { fragment, Params, quoteIdent, type Statement } from './quote.js';

/**
 * Pure statement builders: the planner and the executor send exactly these,
 * so a dry run shows what a real run would send.
 */

/**
 * candidates, held and the oldest clock of one phase, in one scan; with more than one
 * reason to hold a row, `held_0`… count each reason of `heldReasonsSql(planned, true)`.
 */
export function buildCountStatement(planned: PlannedRule, window: PlannedPhase): Statement {
  const params = new Params();
  const due = dueSql(planned, window, params);
  const held = heldSql(planned);
  const reasons = heldReasonsSql(planned, true);
  const perReason = reasons.length > 1 ? reasons.map((reason, index) => `,\n       count(*) FILTER (WHERE ${reason.sql}) AS held_${index}`).join('') : '';
  const text = `SELECT count(*) FILTER (WHERE NOT ${held}) AS candidates,
       count(*) FILTER (WHERE ${held}) AS held,
       ${clockInstantSql(planned, `min(${fragment(planned.rule.clock, 'value')}) FILTER (WHERE NOT ${held})`, params)} AS oldest${perReason}
FROM ${fromClause(planned)}
WHERE ${due}`;
  return { text, values: params.values };
}

/** The rows of one table of the tree that deleting this phase's candidates would remove. */
export function buildCascadeCountStatement(planned: PlannedRule, window: PlannedPhase, table: CascadeTable): Statement {
  const params = new Params();
  const due = (columns: string[]) => `SELECT ${columns.map((column) => targetColumn(planned, column)).join(', ')} FROM ${fromClause(planned)}
WHERE ${dueSql(planned, window, params)}
AND NOT ${heldSql(planned)}`;
  const info = table.cascades[0]!.table;
  // Rows of the rule's own table that are candidates themselves are counted as candidates, not here.
  const notCandidates = info.qualified === planned.table.qualified ? `\nAND NOT ((${keyList(planned)}) IN (${due(planned.key.map((key) => key.name))}))` : '';
  const text =
    table.cascades.length === 1
      ? `SELECT count(*) AS rows FROM ${info.qualified}\nWHERE ${cascadeRowsSql(table.cascades[0]!, due)}${notCandidates}`
      : `SELECT count(*) AS rows FROM (${table.cascades.map((cascade) => `SELECT tableoid, ctid FROM ${info.qualified}\nWHERE ${cascadeRowsSql(cascade, due)}${notCandidates}`).join('\nUNION\n')}) AS lethe_rows`;
  return { text, values: params.values };
}

/** The highest key now: rows added later wait for the next run. */
export function buildHighWaterStatement(planned: PlannedRule): Statement {
  // Qualified, so ORDER BY sorts the column and not its text output of the same name.
  const order = planned.key.map((key) => `${targetColumn(planned, key.name)} DESC`).join(', ');
  const columns = planned.key.map((key, index) => `${targetColumn(planned, key.name)}::text AS k${index}`).join(', ');
  return { text: `SELECT ${columns} FROM ${planned.table.qualified} ORDER BY ${order} LIMIT 1`, values: [] };
}

/** One batch of due, unheld keys after the checkpoint, locked; rows others hold locked are skipped (deferred). */
export function buildSelectBatchStatement(
  planned: PlannedRule,
  window: PlannedPhase,
  after: string[] | undefined,
  highWater: string[],
  limit: number,
  options: { pending?: boolean } = {},
): Statement {
  const params = new Params();
  const referenced = cascadeParentColumns(planned).filter((column) => !planned.key.some((key) => key.name === column));
  const columns = [...planned.key.map((key) => key.name), ...referenced].map((column, index) => `${targetColumn(planned, column)}::text AS c${index}`);
  const text = `SELECT ${columns.join(', ')}
FROM ${fromClause(planned)}
WHERE ${dueSql(planned, window, params, options)}
AND NOT ${heldSql(planned)}
AND ${keyRangeSql(planned, after, highWater, params)}
ORDER BY ${keyList(planned)}
LIMIT ${params.add(limit, 'integer')}
FOR UPDATE OF ${quoteIdent(planned.table.name)} SKIP LOCKED`;
  return { text, values: params.values, rowMode: 'array' };
}

/** The rule's predicate and the holds, repeated for the keys of a batch. */
function recheckSql(planned: PlannedRule, window: PlannedPhase, keys: unknown[][], params: Params): string {
  const checked = onlyMatchedSql(keyMatchSql(planned, keys, params), `${dueSql(planned, window, params)}\nAND NOT ${heldSql(planned)}`);
  if (!planned.rule.join) return checked;
  return `(${keyList(planned)}) IN (SELECT ${keyList(planned)} FROM ${fromClause(planned)}
WHERE ${checked})`;
}

/** The batch keys that still qualify, with the columns children reference: children go only with their parent. */
export function buildConfirmBatchStatement(planned: PlannedRule, window: PlannedPhase, keys: unknown[][], extraColumns: string[]): Statement {
  const params = new Params();
  const columns = [...planned.key.map((key) => key.name), ...extraColumns].map((column) => `${targetColumn(planned, column)}::text`);
  const text = `SELECT ${columns.join(', ')}
FROM ${fromClause(planned)}
WHERE ${keyMatchSql(planned, keys, params)}
AND ${dueSql(planned, window, params)}
AND NOT ${heldSql(planned)}
FOR UPDATE OF ${quoteIdent(planned.table.name)}`;
  return { text, values: params.values, rowMode: 'array' };
}

export function buildDeleteStatement(planned: PlannedRule, window: PlannedPhase, keys: unknown[][]): Statement {
  const params = new Params();
  const text = `DELETE FROM ${planned.table.qualified}
WHERE ${recheckSql(planned, window, keys, params)}`;
  return { text, values: params.values };
}

/** The confirmed rows of a batch, as bound arrays of the rule table's columns, and their keys. */
export interface BatchRows {
  /** column -> one text value per confirmed row */
  values: Map<string, string[]>;
  keys: unknown[][];
}

function batchSelection(planned: PlannedRule, rows: BatchRows, params: Params): RootSelection {
  const placeholders = new Map<string, string>();
  const placeholder = (column: string) => {
    if (!placeholders.has(column)) placeholders.set(column, params.add(rows.values.get(column), `${planned.table.columns.get(column)?.type ?? 'text'}[]`));
    return placeholders.get(column)!;
  };
  return (columns) => (columns.length === 1 ? `SELECT unnest(${placeholder(columns[0]!)})` : `SELECT * FROM unnest(${columns.map(placeholder).join(', ')})`);
}

/** The batch's own rows are deleted by the rule, not as descendants of each other. */
function notBatchRows(planned: PlannedRule, table: CascadeTable, rows: BatchRows, params: Params): string {
  return table.cascades[0]!.table.qualified === planned.table.qualified ? `\nAND NOT ${keyMatchSql(planned, rows.keys, params)}` : '';
}

/**
 * Locks the rows of one table a batch will take along (parents first), and counts them. A
 * table reached by several paths is locked path by path (each a semi-join on its own index)
 * and its rows counted once.
 */
export function buildCascadeLockStatement(planned: PlannedRule, table: CascadeTable, rows: BatchRows): Statement {
  const params = new Params();
  const info = table.cascades[0]!.table;
  const select = batchSelection(planned, rows, params);
  const arms = table.cascades.map((cascade) => `SELECT tableoid, ctid FROM ${info.qualified}\nWHERE ${cascadeRowsSql(cascade, select)}${notBatchRows(planned, table, rows, params)}\nFOR UPDATE`);
  const text =
    arms.length === 1
      ? `SELECT count(*)::int AS rows FROM (${arms[0]}) AS lethe_locked`
      : `SELECT count(*)::int AS rows FROM (${arms.map((arm, index) => `SELECT * FROM (${arm}) AS lethe_path${index}`).join('\nUNION\n')}) AS lethe_locked`;
  return { text, values: params.values };
}

/**
 * Deletes the rows of one table a batch takes along, one statement per path that reaches
 * the table, unless a row is held now: the batch compares the total with the locked count,
 * and rolls back when they differ.
 */
export function buildCascadeDeleteStatements(planned: PlannedRule, table: CascadeTable, rows: BatchRows): Statement[] {
  const info = table.cascades[0]!.table;
  const held = cascadeTableHeldSql(table, planned.cascades);
  return table.cascades.map((cascade) => {
    const params = new Params();
    const text = `DELETE FROM ${info.qualified}
WHERE ${cascadeRowsSql(cascade, batchSelection(planned, rows, params))}${notBatchRows(planned, table, rows, params)}${held ? `\nAND NOT ${held}` : ''}`;
    return { text, values: params.values };
  });
}

export interface UpdateInputs {
  keys: unknown[][];
  /**
   * Values made in Node (fake, hash), one array per column, aligned with keys.
   * Pseudonyms are always among them: the key is never sent to the server.
   */
  nodeValues: Map<string, (string | null)[]>;
  markValue: Date;
}

export function buildUpdateStatement(planned: PlannedRule, window: PlannedPhase, inputs: UpdateInputs): Statement {
  const params = new Params();
  const fromNode = [...inputs.nodeValues.keys()];
  const assignments = window.changes.map((change) => `${quoteIdent(change.column)} = ${newValueSql(planned, change, fromNode, params)}`);
  if (window.phase.mark) assignments.push(`${quoteIdent(window.phase.mark)} = ${params.add(inputs.markValue.toISOString(), window.markInfo?.type ?? 'timestamptz')}`);
  let from = '';
  let match = '';
  if (fromNode.length > 0) {
    const keyArrays = planned.key.map((key, index) => params.add(inputs.keys[index], `${key.type}[]`));
    const valueArrays = fromNode.map((column) => params.add(inputs.nodeValues.get(column), 'text[]'));
    const names = [...planned.key.map((_, index) => `k${index}`), ...fromNode.map((_, index) => `v${index}`)];
    from = `\nFROM unnest(${[...keyArrays, ...valueArrays].join(', ')}) AS lethe_values(${names.join(', ')})`;
    match = planned.key.map((key, index) => `${targetColumn(planned, key.name)} = lethe_values.k${index}`).join(' AND ') + '\nAND ';
  }
  const text = `UPDATE ${planned.table.qualified}
SET ${assignments.join(',\n    ')}${from}
WHERE ${match}${recheckSql(planned, window, inputs.keys, params)}`;
  return { text, values: params.values };
}

function newValueSql(planned: PlannedRule, change: PlannedChange, fromNode: string[], params: Params): string {
  const index = fromNode.indexOf(change.column);
  if (index >= 0) return `lethe_values.v${index}::${castTypeOf(change.info)}`;
  const sql = strategySql(change.strategy, targetColumn(planned, change.column), change.info, params);
  if (sql === undefined) throw new Error(`internal: no value for column ${change.column} (${change.strategy.kind} values are made in Node)`);
  return sql;
}

/** Columns of the target that cascaded children reference (usually the key). */
export function cascadeParentColumns(planned: PlannedRule): string[] {
  const columns = new Set<string>();
  for (const cascade of planned.cascades) if (cascade.by === 'rule' && !cascade.parent) for (const column of cascade.foreignKey.referencedColumns) columns.add(column);
  return [...columns];
}
