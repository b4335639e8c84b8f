import type { PlannedRule } from '../plan/types.js';
import { fromClause } from './build-predicates.js';
import { fragment, quoteIdent, type Statement } from './quote.js';

/**
 * Rows of the rule's table that have no clock: NULL, or no row through the
 * rule's join (a customer whose invoices are all gone). Counted before and
 * after a run to tell how many clocks another rule of the run took away.
 * Rows are matched by physical identity, so tables without a key work too.
 */
export function buildClocklessCountStatement(planned: Pick<PlannedRule, 'rule' | 'table'>): Statement {
  const target = quoteIdent(planned.table.name);
  const text = `SELECT count(*) AS rows FROM ${planned.table.qualified} AS lethe_row
WHERE NOT EXISTS (SELECT 1 FROM ${fromClause(planned)}
  WHERE ${target}.tableoid = lethe_row.tableoid AND ${target}.ctid = lethe_row.ctid
  AND ${fragment(planned.rule.clock, 'value')} IS NOT NULL)`;
  return { text, values: [] };
}
