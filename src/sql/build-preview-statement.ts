import type { PlannedPhase, PlannedRule } from '../plan/types.js';
import { strategySql } from '../strategies/index.js';
import { dueSql, fromClause, heldSql, keyList, targetColumn } from './build-predicates.js';
import { Params, quoteIdent, type Statement } from './quote.js';

/**
 * Up to `limit` due rows of a phase: per changed column, the original's type
 * and length, never its value. With `showValues` (a developer on a test
 * database) also the value after the strategy, computed by the same SQL the
 * executor uses, and the original of hashed columns (hashed in Node, never
 * printed); values made in Node come back as NULL here.
 */
export function buildPreviewStatement(planned: PlannedRule, window: PlannedPhase, limit: number, showValues = false): Statement {
  const params = new Params();
  const columns: string[] = [];
  window.changes.forEach((change, index) => {
    const current = targetColumn(planned, change.column);
    columns.push(`pg_typeof(${current})::text AS type_${index}`, `length(${current}::text) AS length_${index}`);
    if (!showValues) return;
    const after = strategySql(change.strategy, current, change.info, params);
    columns.push(
      `${after === undefined ? 'NULL' : `(${after})::text`} AS after_${index}`,
      change.strategy.kind === 'hash' ? `${current}::text AS source_${index}` : `NULL::text AS source_${index}`,
    );
  });
  if (columns.length === 0) columns.push('1 AS row');
  const text = `SELECT ${columns.join(',\n       ')}
FROM ${fromClause(planned)}
WHERE ${dueSql(planned, window, params)}
AND NOT ${heldSql(planned)}
ORDER BY ${planned.key.length > 0 ? keyList(planned) : `${quoteIdent(planned.table.name)}.ctid`}
LIMIT ${params.add(limit, 'integer')}`;
  return { text, values: params.values };
}
