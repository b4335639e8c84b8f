import type { SqlClient } from '../db/sql-client.js';
import { quoteIdent } from '../sql/quote.js';
import type { PatternSet } from './patterns.js';
import type { TableFacts } from './read-schema-facts.js';
import type { SampleCounts } from './types.js';

/** Types whose text form a value pattern can be matched against. */
const SAMPLED_CATEGORIES = new Set(['S', 'I']);

/**
 * Reads up to `rows` rows of each table and counts, per column and category, the values
 * that match the category's pattern. The matching happens in SQL: only counts leave the
 * server, never a value. Call it inside a READ ONLY transaction (withReadOnlySnapshot).
 */
export async function sampleColumns(client: SqlClient, tables: TableFacts[], patterns: PatternSet, rows: number): Promise<Map<string, SampleCounts>> {
  const categories = Object.entries(patterns).filter(([, pattern]) => pattern.values !== undefined);
  const counts = new Map<string, SampleCounts>();
  if (categories.length === 0 || rows <= 0) return counts;
  // A table this role may not read is classified by its names alone.
  for (const table of tables.filter((candidate) => candidate.readable)) {
    const columns = table.columns.filter((column) => SAMPLED_CATEGORIES.has(column.category) || column.baseType === 'macaddr');
    if (columns.length === 0) continue;
    const values = categories.map(([, pattern]) => pattern.values!);
    const selects = columns.flatMap((column, c) => [
      `count(${quoteIdent(column.column)}) as "n${c}"`,
      ...categories.map((_, p) => `count(*) filter (where ${quoteIdent(column.column)}::text ~ $${p + 1}) as "m${c}_${p}"`),
    ]);
    const from = `${quoteIdent(table.schema)}.${quoteIdent(table.relname)}`;
    const result = await client.query<Record<string, string>>(
      `select ${selects.join(', ')} from (select ${columns.map((column) => quoteIdent(column.column)).join(', ')} from ${from} limit $${values.length + 1}) sampled`,
      [...values, Math.floor(rows)],
    );
    const row = result.rows[0]!;
    columns.forEach((column, c) => {
      const matches: Record<string, number> = {};
      categories.forEach(([category], p) => {
        const matched = Number(row[`m${c}_${p}`]);
        if (matched > 0) matches[category] = matched;
      });
      counts.set(`${table.name}.${column.column}`, { sampled: Number(row[`n${c}`]), matches });
    });
  }
  return counts;
}
