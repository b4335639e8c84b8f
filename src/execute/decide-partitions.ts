import type { SqlClient } from '../db/sql-client.js';
import { choosePartitionDrops, findDropCandidates, type PartitionNode } from '../plan/decide-partition-drops.js';
import type { PlannedPhase, PlannedRule } from '../plan/types.js';
import { readBareColumn } from '../rules/parse-fragment.js';
import {
  buildBoundsAgainstCutoffStatement,
  buildCountPartitionStatement,
  buildPartitionKeepsStatement,
  buildPartitionTreeFactsStatement,
  buildPartitionTreeStatement,
} from '../sql/build-partition-statements.js';

export interface PartitionDecision {
  /** Nodes whose bound lies wholly before the cutoff and which keep no row: detached and dropped. */
  drops: PartitionNode[];
  /** Leaves walked row by row (by pages): DEFAULT, LIST, HASH, boundary partitions, or ones that keep rows. */
  walk: PartitionNode[];
  all: PartitionNode[];
  /** Why no partition may be dropped at all, when that is so. */
  refusal: string | undefined;
}

/**
 * Decides, from the catalog's bounds (never from what a partition holds today),
 * which partitions a delete phase may drop. Reads only: no lock stronger than
 * a plain SELECT's, so the plan and the walk can both call it.
 */
export async function decidePartitions(client: SqlClient, planned: PlannedRule, window: PlannedPhase): Promise<PartitionDecision> {
  const rows = (await client.query<{ schema: string; name: string; qualified: string; parent: string; is_leaf: boolean; bound: string; parent_strategy: 'r' | 'l' | 'h'; parent_key: (string | null)[]; pages: string }>(buildPartitionTreeStatement(planned))).rows;
  const all: PartitionNode[] = rows.map((row) => ({
    schema: row.schema,
    name: row.name,
    qualified: row.qualified,
    parent: row.parent,
    isLeaf: row.is_leaf,
    bound: row.bound,
    parentStrategy: row.parent_strategy,
    parentKey: row.parent_key,
    pages: Number(row.pages),
  }));
  const facts = (await client.query<{ published: boolean; delete_triggers: boolean }>(buildPartitionTreeFactsStatement(planned))).rows[0]!;
  const clockColumn = findClockColumn(planned);
  const { candidates, refusal } = findDropCandidates(all, clockColumn, planned.rule.partitions, { published: facts.published, deleteTriggers: facts.delete_triggers });
  const droppable = new Set<string>();
  const notDue = new Set<string>();
  if (candidates.length > 0) {
    const column = planned.table.columns.get(clockColumn!)!;
    const wallClock = column.baseType === 'date' || column.baseType === 'timestamp' ? planned.rule.timezone : undefined;
    const compared = await client.query<{ index: number; before: boolean; after: boolean }>(buildBoundsAgainstCutoffStatement(candidates, column.type, window.cutoff, wallClock));
    for (const row of compared.rows) {
      if (row.before && !refusal && candidates[row.index]!.upper !== undefined) droppable.add(candidates[row.index]!.node.qualified);
      if (row.after) notDue.add(candidates[row.index]!.node.qualified);
    }
  }
  // A node that must keep a row (held, or left out by `where`) is walked instead;
  // its own partitions may still qualify by their bounds. Each node is asked once.
  const keepsNothing = new Set<string>();
  for (;;) {
    const unchecked = choosePartitionDrops(all, droppable, notDue).drops.filter((node) => !keepsNothing.has(node.qualified));
    if (unchecked.length === 0) return { ...choosePartitionDrops(all, droppable, notDue), all, refusal };
    for (const node of unchecked) {
      if (await partitionKeepsRows(client, planned, node)) droppable.delete(node.qualified);
      else keepsNothing.add(node.qualified);
    }
  }
}

export async function partitionKeepsRows(client: SqlClient, planned: PlannedRule, node: PartitionNode): Promise<boolean> {
  const result = await client.query<{ keeps: boolean }>(buildPartitionKeepsStatement(planned, node));
  return result.rows[0]?.keeps === true;
}

export async function countPartitionRows(client: SqlClient, node: PartitionNode): Promise<number> {
  const result = await client.query<{ rows: string }>(buildCountPartitionStatement(node));
  return Number(result.rows[0]?.rows ?? 0);
}

/** The clock, when it is a bare column of the rule's own table: partition bounds can only speak for that. */
function findClockColumn(planned: PlannedRule): string | undefined {
  const bare = readBareColumn(planned.rule.clock);
  if (!bare || (bare.table !== undefined && bare.table !== planned.table.name)) return undefined;
  return planned.table.columns.has(bare.column) ? bare.column : undefined;
}

/** The leaves below a node (itself when it is a leaf), in name order. */
export function leavesUnder(all: PartitionNode[], node: PartitionNode): PartitionNode[] {
  if (node.isLeaf) return [node];
  const below = new Set([node.qualified]);
  for (const candidate of all) if (below.has(candidate.parent)) below.add(candidate.qualified);
  return all.filter((candidate) => candidate.isLeaf && below.has(candidate.qualified)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
