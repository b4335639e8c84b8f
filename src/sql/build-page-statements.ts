import type { PlannedPhase, PlannedRule } from '../plan/types.js';
import { castTypeOf, strategySql } from '../strategies/index.js';
import { clockInstantSql, dueSql, heldSql, onlyMatchedSql, targetColumn } from './build-predicates.js';
import { fragment, Params, quoteIdent, type Statement } from './quote.js';

/**
 * Statements of the walk by physical position: a batch is a range of pages,
 * `ctid >= '(from,0)' AND ctid < '(to,0)'` (a TID range scan, PostgreSQL 14+),
 * and one statement applies the phase to the due rows in it.
 */

/** The table's size in pages now: the walk stops there; rows added later wait for the next run. */
export function buildPageCountStatement(planned: PlannedRule): Statement {
  return {
    text: `SELECT (pg_relation_size($1::regclass) / current_setting('block_size')::bigint)::text AS pages`,
    values: [planned.table.qualified],
  };
}

/**
 * The "still matches" count after a walk by pages that met no locked row and failed no row: every
 * row the phase could select in pages [0, fromPage) was done, so only the pages added since the
 * run froze its end can hold rows that still match (same TID range scan as the batches).
 */
export function buildPageTailCountStatement(planned: PlannedRule, window: PlannedPhase, fromPage: number): Statement {
  const params = new Params();
  const ctid = `${quoteIdent(planned.table.name)}.ctid`;
  const text = `SELECT count(*) AS candidates, 0 AS held, ${clockInstantSql(planned, `min(${fragment(planned.rule.clock, 'value')})`, params)} AS oldest
FROM ${planned.table.qualified}
WHERE ${ctid} >= ${params.add(`(${fromPage},0)`, 'tid')}
AND ${dueSql(planned, window, params)}`;
  return { text, values: params.values };
}

function pageRangeSql(planned: PlannedRule, fromPage: number, toPage: number, params: Params): string {
  const ctid = `${quoteIdent(planned.table.name)}.ctid`;
  return `${ctid} >= ${params.add(`(${fromPage},0)`, 'tid')} AND ${ctid} < ${params.add(`(${toPage},0)`, 'tid')}`;
}

/** Rows of the page range (or only the listed row positions in it, when a failing batch is being split). */
export interface PageRows {
  fromPage: number;
  toPage: number;
  /** After a lock timeout the range is redone skipping rows others hold. */
  skipLocked: boolean;
  /** Only these row positions (ctid text); undefined for every due row of the range. */
  ctids?: string[] | undefined;
}

function duePageRowsSql(planned: PlannedRule, window: PlannedPhase, rows: PageRows, params: Params, options: { pending?: boolean } = {}): string {
  const due = `${pageRangeSql(planned, rows.fromPage, rows.toPage, params)}\nAND ${dueSql(planned, window, params, options)}\nAND NOT ${heldSql(planned)}`;
  if (!rows.ctids) return due;
  // Listed rows only (a failing batch being split): the strategy's expression is not evaluated for the others.
  return onlyMatchedSql(`${quoteIdent(planned.table.name)}.ctid = ANY(${params.add(rows.ctids, 'tid[]')})`, due);
}

/**
 * The rows of the page range this phase changes. With `skipLocked`, rows other
 * sessions hold are left for the next run instead of waited for.
 */
function targetRowsSql(planned: PlannedRule, window: PlannedPhase, rows: PageRows, params: Params): string {
  const predicate = duePageRowsSql(planned, window, rows, params);
  if (!rows.skipLocked) return predicate;
  return `ctid = ANY(ARRAY(SELECT ctid FROM ${planned.table.qualified} WHERE ${predicate} FOR UPDATE SKIP LOCKED))`;
}

export function buildPageDeleteStatement(planned: PlannedRule, window: PlannedPhase, fromPage: number, toPage: number, skipLocked: boolean, ctids?: string[]): Statement {
  const params = new Params();
  const rows: PageRows = { fromPage, toPage, skipLocked, ctids };
  const text = `DELETE FROM ${planned.table.qualified}
WHERE ${targetRowsSql(planned, window, rows, params)}`;
  return { text, values: params.values };
}

/**
 * The due rows of a page range, locked, with the text form of the columns
 * whose new values are made in Node (pseudonyms) and the key columns: the
 * UPDATE that follows joins the values back by row position, which cannot
 * change while the rows are locked.
 */
export function buildPageSourceStatement(planned: PlannedRule, window: PlannedPhase, rows: PageRows, columns: string[], options: { pending?: boolean } = {}): Statement {
  const params = new Params();
  const selected = [`${quoteIdent(planned.table.name)}.ctid::text`, ...columns.map((column) => `${targetColumn(planned, column)}::text`)];
  const text = `SELECT ${selected.join(', ')}
FROM ${planned.table.qualified}
WHERE ${duePageRowsSql(planned, window, rows, params, options)}
FOR UPDATE${rows.skipLocked ? ' SKIP LOCKED' : ''}`;
  return { text, values: params.values, rowMode: 'array' };
}

export interface PageUpdateInputs {
  /** Random values per fake column, made in Node; each row takes one at random in SQL. */
  fakePools: Map<string, string[]>;
  /** Only these row positions (while a failing batch is split); undefined for every due row of the range. */
  ctids?: string[] | undefined;
  /** Values made in Node (pseudonyms) for the rows at these positions, one array per column, aligned with ctids. */
  nodeValues?: { ctids: string[]; columns: Map<string, (string | null)[]> } | undefined;
  markValue: Date;
}

export function buildPageUpdateStatement(planned: PlannedRule, window: PlannedPhase, fromPage: number, toPage: number, skipLocked: boolean, inputs: PageUpdateInputs): Statement {
  const params = new Params();
  const rows: PageRows = { fromPage, toPage, skipLocked, ctids: inputs.ctids };
  const fromNode = [...(inputs.nodeValues?.columns.keys() ?? [])];
  const assignments = window.changes.map((change) => {
    const current = targetColumn(planned, change.column);
    const pool = inputs.fakePools.get(change.column);
    if (pool) return `${quoteIdent(change.column)} = (${params.add(pool, 'text[]')})[1 + floor(random() * ${pool.length})::int]::${castTypeOf(change.info)}`;
    const index = fromNode.indexOf(change.column);
    if (index >= 0) return `${quoteIdent(change.column)} = lethe_values.v${index}::${castTypeOf(change.info)}`;
    const sql = strategySql(change.strategy, current, change.info, params);
    if (sql === undefined) throw new Error(`internal: no value for column ${change.column} (${change.strategy.kind} values are made in Node)`);
    return `${quoteIdent(change.column)} = ${sql}`;
  });
  if (window.phase.mark) assignments.push(`${quoteIdent(window.phase.mark)} = ${params.add(inputs.markValue.toISOString(), window.markInfo?.type ?? 'timestamptz')}`);
  if (inputs.nodeValues && fromNode.length > 0) {
    // The rows were locked by the source statement: exactly those (joined by position, a hash join: a
    // `ctid = ANY(list)` filter here is checked row by row against the whole list), predicate and holds repeated.
    const { ctids, columns } = inputs.nodeValues;
    const arrays = [params.add(ctids, 'tid[]'), ...fromNode.map((column) => params.add(columns.get(column), 'text[]'))];
    const names = ['c', ...fromNode.map((_, index) => `v${index}`)];
    const text = `UPDATE ${planned.table.qualified}
SET ${assignments.join(',\n    ')}
FROM unnest(${arrays.join(', ')}) AS lethe_values(${names.join(', ')})
WHERE ${quoteIdent(planned.table.name)}.ctid = lethe_values.c
AND ${duePageRowsSql(planned, window, { ...rows, skipLocked: false, ctids: undefined }, params)}`;
    return { text, values: params.values };
  }
  const text = `UPDATE ${planned.table.qualified}
SET ${assignments.join(',\n    ')}
WHERE ${targetRowsSql(planned, window, rows, params)}`;
  return { text, values: params.values };
}
