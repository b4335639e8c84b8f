import type { PlannedRule } from '../plan/types.js';
import { heldSql } from './build-predicates.js';
import { fragment, quoteIdent, type Statement } from './quote.js';

interface Relation {
  schema: string;
  name: string;
}

function qualified(relation: Relation): string {
  return `${quoteIdent(relation.schema)}.${quoteIdent(relation.name)}`;
}

/**
 * Every partition below the table, at any depth, with its bound, how its direct
 * parent partitions (strategy and key columns) and its size in pages.
 */
export function buildPartitionTreeStatement(planned: PlannedRule): Statement {
  return {
    text: `SELECT n.nspname AS schema, c.relname AS name,
       format('%I.%I', n.nspname, c.relname) AS qualified,
       format('%I.%I', pn.nspname, p.relname) AS parent,
       t.isleaf AS is_leaf,
       pg_get_expr(c.relpartbound, c.oid) AS bound,
       pt.partstrat AS parent_strategy,
       ARRAY(SELECT a.attname::text FROM unnest(pt.partattrs::int2[]) WITH ORDINALITY AS k(attnum, ord)
             LEFT JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS parent_key,
       (pg_relation_size(c.oid) / current_setting('block_size')::bigint)::text AS pages
  FROM pg_partition_tree($1::regclass) t
  JOIN pg_class c ON c.oid = t.relid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class p ON p.oid = t.parentrelid
  JOIN pg_namespace pn ON pn.oid = p.relnamespace
  JOIN pg_partitioned_table pt ON pt.partrelid = t.parentrelid
 WHERE t.level > 0
 ORDER BY t.level, c.relname`,
    values: [planned.table.qualified],
  };
}

/** Whether a publication replicates any table of the tree, and whether user DELETE triggers fire in it. */
export function buildPartitionTreeFactsStatement(planned: PlannedRule): Statement {
  return {
    text: `WITH tree AS (SELECT relid FROM pg_partition_tree($1::regclass))
SELECT EXISTS (SELECT 1 FROM pg_publication_tables pub
                 JOIN pg_namespace n ON n.nspname = pub.schemaname
                 JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = pub.tablename
                WHERE c.oid IN (SELECT relid FROM tree)) AS published,
       EXISTS (SELECT 1 FROM pg_trigger tg
                WHERE tg.tgrelid IN (SELECT relid FROM tree) AND NOT tg.tgisinternal AND (tg.tgtype & 8) <> 0) AS delete_triggers`,
    values: [planned.table.qualified],
  };
}

/**
 * For each range partition: does its upper bound lie at or before the cutoff
 * (every row is due), and does its lower bound lie at or after it (no row is)?
 * Compared by the server in the clock column's own type, as the row-by-row walk compares.
 */
export function buildBoundsAgainstCutoffStatement(
  bounds: { upper: string | undefined; lower: string | undefined }[],
  clockType: string,
  cutoff: Date,
  /** For a date or timestamp clock: the rule's timezone, in which its wall time is read (see cutoffSql). */
  wallClockTimezone?: string,
): Statement {
  const at = wallClockTimezone === undefined ? '$3::timestamptz' : '($3::timestamptz AT TIME ZONE $4::text)';
  return {
    text: `SELECT (u.ord - 1)::int AS index,
       coalesce(u.upper::${clockType} <= ${at}, false) AS before,
       coalesce(u.lower::${clockType} >= ${at}, false) AS after
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(upper, lower, ord)`,
    values: [bounds.map((bound) => bound.upper ?? null), bounds.map((bound) => bound.lower ?? null), cutoff.toISOString(), ...(wallClockTimezone === undefined ? [] : [wallClockTimezone])],
  };
}

/** The rule's statements read a partition under the table's own name, so its fragments still apply. */
export function partitionAsTable(partition: Relation, planned: PlannedRule): string {
  return `${qualified(partition)} AS ${quoteIdent(planned.table.name)}`;
}

/**
 * Whether any row of a partition must stay although its bound lies before the
 * cutoff: a held row (by the subject's index, when it has one), or a row the
 * rule's `where` leaves out. The clock needs no test: the bound proves it.
 */
export function buildPartitionKeepsStatement(planned: PlannedRule, partition: Relation): Statement {
  const from = partitionAsTable(partition, planned);
  const tests = [`EXISTS (SELECT 1 FROM ${from} WHERE ${heldSql(planned)})`];
  if (planned.rule.where) tests.push(`EXISTS (SELECT 1 FROM ${from} WHERE NOT coalesce(${fragment(planned.rule.where, 'predicate')}, false))`);
  return { text: `SELECT ${tests.join('\n    OR ')} AS keeps`, values: [] };
}

export function buildCountPartitionStatement(partition: Relation): Statement {
  return { text: `SELECT count(*)::text AS rows FROM ${qualified(partition)}`, values: [] };
}

/**
 * Parent before child, as every query on the table locks them; each waits at
 * most the batch's lock_timeout, then the drop is retried.
 */
export function buildLockPartitionStatements(parent: string, partition: Relation): Statement[] {
  return [
    { text: `LOCK TABLE ${parent} IN ACCESS EXCLUSIVE MODE`, values: [] },
    { text: `LOCK TABLE ${qualified(partition)} IN ACCESS EXCLUSIVE MODE`, values: [] },
  ];
}

/** Detached from its direct parent (not the root), then dropped with whatever it holds. */
export function buildDropPartitionStatements(parent: string, partition: Relation): Statement[] {
  return [
    { text: `ALTER TABLE ${parent} DETACH PARTITION ${qualified(partition)}`, values: [] },
    { text: `DROP TABLE ${qualified(partition)}`, values: [] },
  ];
}
