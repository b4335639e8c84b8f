import type { PlannedPhase, PlannedRule } from '../plan/types.js';
import { dueSql, heldSql } from './build-predicates.js';
import { Params, quoteIdent, type Statement } from './quote.js';

/** Leaf partitions of a partitioned table, in name order (the walk's order), with their size in pages. */
export function buildLeafPartitionsStatement(planned: PlannedRule): Statement {
  return {
    text: `SELECT n.nspname AS schema, c.relname AS name,
       (pg_relation_size(c.oid) / current_setting('block_size')::bigint)::text AS pages
  FROM pg_partition_tree($1::regclass) t
  JOIN pg_class c ON c.oid = t.relid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE t.isleaf
 ORDER BY c.relname`,
    values: [planned.table.qualified],
  };
}

/** The rule's statements read a partition under the table's own name, so its fragments still apply. */
export function partitionAsTable(partition: { schema: string; name: string }, planned: PlannedRule): string {
  return `${quoteIdent(partition.schema)}.${quoteIdent(partition.name)} AS ${quoteIdent(planned.table.name)}`;
}

/**
 * How many rows a partition has, and how many it must keep (not due, held, or
 * with a NULL clock). A partition that keeps none can be dropped whole.
 */
export function buildPartitionCensusStatement(planned: PlannedRule, window: PlannedPhase, partition: { schema: string; name: string }): Statement {
  const params = new Params();
  const goes = `coalesce((${dueSql(planned, window, params)}) AND NOT ${heldSql(planned)}, false)`;
  const text = `SELECT count(*)::text AS total, count(*) FILTER (WHERE NOT ${goes})::text AS keep
FROM ${partitionAsTable(partition, planned)}`;
  return { text, values: params.values };
}

/** Whether any row must stay: stops at the first one, so a partition that keeps rows costs little. */
export function buildPartitionKeepsRowsStatement(planned: PlannedRule, window: PlannedPhase, partition: { schema: string; name: string }): Statement {
  const params = new Params();
  const goes = `coalesce((${dueSql(planned, window, params)}) AND NOT ${heldSql(planned)}, false)`;
  const text = `SELECT EXISTS (SELECT 1 FROM ${partitionAsTable(partition, planned)} WHERE NOT ${goes}) AS keeps,
       EXISTS (SELECT 1 FROM ${quoteIdent(partition.schema)}.${quoteIdent(partition.name)}) AS has_rows`;
  return { text, values: params.values };
}

export function buildLockPartitionStatement(partition: { schema: string; name: string }): Statement {
  return { text: `LOCK TABLE ${quoteIdent(partition.schema)}.${quoteIdent(partition.name)} IN ACCESS EXCLUSIVE MODE`, values: [] };
}

export function buildDropPartitionStatements(planned: PlannedRule, partition: { schema: string; name: string }): Statement[] {
  const leaf = `${quoteIdent(partition.schema)}.${quoteIdent(partition.name)}`;
  return [
    { text: `ALTER TABLE ${planned.table.qualified} DETACH PARTITION ${leaf}`, values: [] },
    { text: `DROP TABLE ${leaf}`, values: [] },
  ];
}
