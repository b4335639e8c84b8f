import type { PlannedPhase, PlannedRule } from '../plan/types.js';
import { castTypeOf, strategySql, hashSql } from '../strategies/index.js';
import { dueSql, heldSql, targetColumn } from './build-predicates.js';
import { Params, quoteIdent, type Statement } from './quote.js';

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

function pageRangeSql(planned: PlannedRule, fromPage: number, toPage: number, params: Params): string {
  const ctid = `${quoteIdent(planned.table.name)}.ctid`;
  return `${ctid} >= ${params.add(`(${fromPage},0)`, 'tid')} AND ${ctid} < ${params.add(`(${toPage},0)`, 'tid')}`;
}

/**
 * The rows of the page range this phase changes. With `skipLocked`, rows other
 * sessions hold are left for the next run instead of waited for.
 */
function targetRowsSql(planned: PlannedRule, window: PlannedPhase, fromPage: number, toPage: number, skipLocked: boolean, params: Params): string {
  const predicate = `${pageRangeSql(planned, fromPage, toPage, params)}\nAND ${dueSql(planned, window, params)}\nAND NOT ${heldSql(planned)}`;
  if (!skipLocked) return predicate;
  return `ctid = ANY(ARRAY(SELECT ctid FROM ${planned.table.qualified} WHERE ${predicate} FOR UPDATE SKIP LOCKED))`;
}

export function buildPageDeleteStatement(planned: PlannedRule, window: PlannedPhase, fromPage: number, toPage: number, skipLocked: boolean): Statement {
  const params = new Params();
  const text = `DELETE FROM ${planned.table.qualified}
WHERE ${targetRowsSql(planned, window, fromPage, toPage, skipLocked, params)}`;
  return { text, values: params.values };
}

export interface PageUpdateInputs {
  /** Random values per fake column, made in Node; each row takes one at random in SQL. */
  fakePools: Map<string, string[]>;
  /** Pseudonym secrets by environment variable name; bound as parameters, never logged. */
  secrets: Map<string, string>;
  markValue: Date;
}

export function buildPageUpdateStatement(planned: PlannedRule, window: PlannedPhase, fromPage: number, toPage: number, skipLocked: boolean, inputs: PageUpdateInputs): Statement {
  const params = new Params();
  const assignments = window.changes.map((change) => {
    const current = targetColumn(planned, change.column);
    const pool = inputs.fakePools.get(change.column);
    if (pool) return `${quoteIdent(change.column)} = (${params.add(pool, 'text[]')})[1 + floor(random() * ${pool.length})::int]::${castTypeOf(change.info)}`;
    if (change.strategy.kind === 'hash') return `${quoteIdent(change.column)} = ${hashSql(current, change.info, params.add(inputs.secrets.get(change.strategy.secretEnv), 'text'))}`;
    return `${quoteIdent(change.column)} = ${strategySql(change.strategy, current, change.info, params)!}`;
  });
  if (window.phase.mark) assignments.push(`${quoteIdent(window.phase.mark)} = ${params.add(inputs.markValue.toISOString(), window.markInfo?.type ?? 'timestamptz')}`);
  const text = `UPDATE ${planned.table.qualified}
SET ${assignments.join(',\n    ')}
WHERE ${targetRowsSql(planned, window, fromPage, toPage, skipLocked, params)}`;
  return { text, values: params.values };
}
