import { cascadeRowsSql } from '../sql/build-cascade-predicates.js';
import { fromClause } from '../sql/build-predicates.js';
import { fragment, qualify, type Statement } from '../sql/quote.js';
import type { ExportSource, ExportTable } from './build-export-plan.js';

/**
 * Pure statement builders for `lethe export`. The subject is always `$1`, a bound
 * parameter; every table is named by its own name inside its own subquery, so the
 * rules' fragments (`models.owner_id`) resolve.
 */

/** The table's rows of the person: one predicate over the table, whatever the number of rules reaching it. */
export function exportPredicateSql(entry: ExportTable): string {
  const only = entry.sources.length === 1 ? entry.sources[0]! : undefined;
  if (only && !only.cascade && !only.planned.rule.join) return subjectMatchSql(only);
  const name = entry.table.name;
  const selections = entry.sources.map((source) => `SELECT ${rowIdColumns(entry)} FROM ${sourceFrom(source)}\nWHERE ${sourcePredicate(source)}`);
  const union = selections.join('\nUNION\n');
  // A plain table is read by row position (a TID scan); a partitioned one by partition and position.
  if (entry.table.kind === 'partitioned') return `(${qualify(name, 'tableoid')}, ${qualify(name, 'ctid')}) IN (\n${union}\n)`;
  return `${qualify(name, 'ctid')} = ANY(ARRAY(\n${union}\n))`;
}

function rowIdColumns(entry: ExportTable): string {
  const name = entry.table.name;
  return entry.table.kind === 'partitioned' ? `${qualify(name, 'tableoid')}, ${qualify(name, 'ctid')}` : qualify(name, 'ctid');
}

function sourceFrom(source: ExportSource): string {
  return source.cascade ? source.cascade.table.qualified : fromClause(source.planned);
}

function sourcePredicate(source: ExportSource): string {
  if (!source.cascade) return subjectMatchSql(source);
  const { planned } = source;
  return cascadeRowsSql(source.cascade, (columns) => `SELECT ${columns.map((column) => qualify(planned.table.name, column)).join(', ')} FROM ${fromClause(planned)}\nWHERE ${subjectMatchSql(source)}`);
}

function subjectMatchSql(source: ExportSource): string {
  return `${fragment(source.planned.rule.subject!, 'value')} = $1`;
}

/** How many of the person's rows the table holds. */
export function buildExportCountStatement(entry: ExportTable, subject: string): Statement {
  return { text: `SELECT count(*)::bigint AS rows FROM ${entry.table.qualified}\nWHERE ${exportPredicateSql(entry)}`, values: [subject] };
}

/**
 * The person's rows as JSON text made by the server (exact numbers, ISO times, bytea as hex),
 * only the exported columns, in key order when the table has a primary key.
 */
export function buildExportRowsStatement(entry: ExportTable, subject: string): Statement {
  const name = entry.table.name;
  const columns = entry.columns.map((column) => qualify(name, column)).join(', ');
  const order = entry.table.primaryKey ? `\nORDER BY ${entry.table.primaryKey.map((column) => qualify(name, column)).join(', ')}` : '';
  const inner = `SELECT ${columns} FROM ${entry.table.qualified}\nWHERE ${exportPredicateSql(entry)}${order}`;
  return { text: `SELECT row_to_json(lethe_row)::text AS row FROM (\n${inner}\n) AS lethe_row`, values: [subject] };
}
