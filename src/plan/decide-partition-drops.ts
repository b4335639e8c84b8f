import { parsePartitionBound } from '../rules/parse-fragment.js';

/** One partitioned table's tree below its root, as the catalog describes it. */
export interface PartitionNode {
  schema: string;
  name: string;
  qualified: string;
  /** The partitioned table this node is attached to (the root or a sub-partitioned table). */
  parent: string;
  isLeaf: boolean;
  /** `pg_get_expr(relpartbound)`: `FOR VALUES FROM (...) TO (...)`, `DEFAULT`, ... */
  bound: string;
  /** How the parent partitions: r(ange), l(ist), h(ash). */
  parentStrategy: 'r' | 'l' | 'h';
  /** The parent's partition key columns; an expression key shows as null. */
  parentKey: (string | null)[];
  pages: number;
}

export type PartitionsSetting = 'auto' | 'drop' | 'delete';

export interface DropCandidate {
  node: PartitionNode;
  /** The exclusive upper bound's literal: every row's clock is below it; undefined for MAXVALUE. */
  upper: string | undefined;
  /** The inclusive lower bound's literal: every row's clock is at or above it; undefined for MINVALUE. */
  lower: string | undefined;
}

export interface TreeFacts {
  /** A publication replicates some table of the tree: subscribers would not see a drop. */
  published: boolean;
  /** A user trigger fires on DELETE somewhere in the tree: a drop would not fire it. */
  deleteTriggers: boolean;
}

/**
 * Which nodes the bounds speak for: a RANGE partition, on a one-column key that
 * is the rule's clock column (with a refusal when none may be dropped: rows in
 * partitions wholly after the cutoff are still known not to be due). Whether that bound lies
 * before the cutoff is decided by the server, in the clock's own type.
 * DEFAULT, LIST and HASH partitions, and multi-column or expression keys, never
 * qualify: their rows are deleted one by one.
 */
export function findDropCandidates(nodes: PartitionNode[], clockColumn: string | undefined, setting: PartitionsSetting, facts: TreeFacts): { candidates: DropCandidate[]; refusal: string | undefined } {
  if (!clockColumn) return { candidates: [], refusal: 'the clock is not a column of the table' };
  const refusal =
    setting === 'delete'
      ? "the rule says 'partitions: delete'"
      : setting === 'auto' && facts.published
        ? "the table is in a publication (subscribers would keep dropped rows); 'partitions: drop' opts in"
        : setting === 'auto' && facts.deleteTriggers
          ? "the table has DELETE triggers a drop would not fire; 'partitions: drop' opts in"
          : undefined;
  const candidates: DropCandidate[] = [];
  for (const node of nodes) {
    if (node.parentStrategy !== 'r' || node.parentKey.length !== 1 || node.parentKey[0] !== clockColumn) continue;
    const bound = parsePartitionBound(node.bound);
    if (bound.kind !== 'range' || bound.upper.length !== 1) continue;
    const [upper, lower] = [bound.upper[0]!, bound.lower[0]];
    const literal = (datum: typeof upper | undefined) => (datum && 'literal' in datum ? datum.literal : undefined);
    if (literal(upper) !== undefined || literal(lower) !== undefined) candidates.push({ node, upper: literal(upper), lower: literal(lower) });
  }
  return { candidates, refusal };
}

/**
 * The nodes to drop: those whose bound lies before the cutoff, highest first (a
 * sub-partitioned table goes with all its partitions), and the leaves left to
 * walk row by row, in name order.
 */
export function choosePartitionDrops(nodes: PartitionNode[], droppable: Set<string>, notDue: Set<string> = new Set()): { drops: PartitionNode[]; walk: PartitionNode[] } {
  const byQualified = new Map(nodes.map((node) => [node.qualified, node]));
  const under = (node: PartitionNode, set: Set<string>): boolean => {
    for (let parent = byQualified.get(node.parent); parent; parent = byQualified.get(parent.parent)) if (set.has(parent.qualified)) return true;
    return false;
  };
  const drops = nodes.filter((node) => droppable.has(node.qualified) && !under(node, droppable));
  // A partition whose lower bound is at or after the cutoff holds no due row: nothing to walk.
  const skipped = (node: PartitionNode) => notDue.has(node.qualified) || under(node, notDue);
  const walk = nodes.filter((node) => node.isLeaf && !droppable.has(node.qualified) && !under(node, droppable) && !skipped(node));
  const byName = (a: PartitionNode, b: PartitionNode) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { drops: drops.sort(byName), walk: walk.sort(byName) };
}
