import type { PartitionNode } from '../plan/decide-partition-drops.js';
import type { PlannedRule } from '../plan/types.js';
import { buildDropPartitionStatements, buildLockPartitionStatements, partitionAsTable } from '../sql/build-partition-statements.js';
import { buildCheckpointUpsert } from '../state/checkpoints.js';
import { buildLedgerInsert } from '../state/ledger.js';
import type { BatchResult } from './run-batch.js';
import { parsePagePosition } from './run-page-batch.js';
import type { Connection, ExecuteOptions } from './types.js';
import { inBatchTransaction } from './batch-transaction.js';
import { addBatch, walkPages, type PhaseWalkInput, type PhaseWalkState, type StopReason } from './walk-phase.js';
import { runWithRetries } from './run-with-retries.js';
import { createBatchSizer } from './batch-size.js';
import { countPartitionRows, decidePartitions, leavesUnder, partitionKeepsRows } from './decide-partitions.js';

const PARTITION_PREFIX = 'partition:';
const LEAF_PREFIX = 'leaf:';

/**
 * A delete phase on a partitioned table, in partition name order: a partition
 * whose bound lies wholly before the cutoff (on a RANGE key that is the clock)
 * and that keeps no row is detached from its direct parent and dropped — far
 * less work and WAL than deleting its rows. Every other leaf (DEFAULT, LIST,
 * HASH, the boundary partition) is walked by pages like a plain table.
 */
export async function walkPartitions(state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, stopReason: StopReason, resumeFrom: string[] | undefined): Promise<string | undefined> {
  const decision = await decidePartitions(state.connection, input.planned, input.window);
  if (decision.refusal && decision.all.length > 0) options.logger.info('partitions are walked row by row', { rule: input.planned.rule.id, because: decision.refusal });
  const units = [...decision.drops.map((node) => ({ node, drop: true })), ...decision.walk.map((node) => ({ node, drop: false }))].sort((a, b) =>
    a.node.name < b.node.name ? -1 : a.node.name > b.node.name ? 1 : 0,
  );
  const resumeUnit = resumeFrom?.find((part) => part.startsWith(PARTITION_PREFIX))?.slice(PARTITION_PREFIX.length);
  const resumeLeaf = resumeFrom?.find((part) => part.startsWith(LEAF_PREFIX))?.slice(LEAF_PREFIX.length);
  for (const unit of units) {
    if (resumeUnit !== undefined && unit.node.name < resumeUnit) continue;
    const stopped = stopReason();
    if (stopped) return stopped;
    const resumingThis = resumeUnit === unit.node.name;
    if (unit.drop && !resumingThis && (await dropPartitionIfNothingKept(state, input, options, unit.node, decision.all))) continue;
    // Not dropped (a row must stay after all, or a resumed walk): its leaves go row by row.
    for (const leaf of leavesUnder(decision.all, unit.node)) {
      if (resumingThis && resumeLeaf !== undefined && leaf.name < resumeLeaf) continue;
      const prefix = [`${PARTITION_PREFIX}${unit.node.name}`, ...(leaf === unit.node ? [] : [`${LEAF_PREFIX}${leaf.name}`])];
      const planned: PlannedRule = { ...input.planned, table: { ...input.planned.table, kind: 'table', qualified: partitionAsTable(leaf, input.planned) } };
      const resumingLeaf = resumingThis && (leaf === unit.node || resumeLeaf === leaf.name);
      const startPage = resumingLeaf ? parsePagePosition(resumeFrom) ?? 0 : 0;
      const stoppedInLeaf = await walkPages(state, input, options, stopReason, { planned, startPage, endPage: leaf.pages, prefix });
      if (stoppedInLeaf) return stoppedInLeaf;
    }
  }
  return undefined;
}

/** Detach and drop the partition when, under its lock, it still keeps no row; false when it must be walked instead. */
async function dropPartitionIfNothingKept(state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, node: PartitionNode, all: PartitionNode[]): Promise<boolean> {
  const prefix = [`${PARTITION_PREFIX}${node.name}`];
  const sizer = createBatchSizer({ targetMs: 1, maxRows: 1 });
  const result = await runWithRetries(state, input, options, (connection) => dropPartition(connection, state, input, options, node, prefix), sizer);
  if (result === 'resumed' || result.selected === 0) return false;
  state.checkpoint = { ...state.checkpoint, phasePosition: input.position, lastKey: result.lastKey ?? null };
  state.prevHash = result.hash;
  const table = input.planned.table.qualified.replace(/"/g, '');
  addBatch(input.report, result, table);
  options.onBatch?.({ ruleId: input.planned.rule.id, phase: input.window.phase.after.text, action: 'delete', rows: result.affected[table] ?? 0, ms: result.ms, totalRows: input.report.affected });
  const leaves = leavesUnder(all, node).length;
  options.logger.info('dropped a partition whose bound lies before the cutoff', { rule: input.planned.rule.id, partition: `${node.schema}.${node.name}`, bound: node.bound, leaves, rows: result.affected[table] });
  return true;
}

async function dropPartition(connection: Connection, state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, node: PartitionNode, prefix: string[]): Promise<BatchResult> {
  const started = performance.now();
  return inBatchTransaction<BatchResult>(connection, options, async () => {
    for (const statement of buildLockPartitionStatements(node.parent, node)) await connection.query(statement);
    // Rechecked under the lock: a hold committed since the decision keeps the partition.
    if (await partitionKeepsRows(connection, input.planned, node)) {
      return { value: { selected: 0, affected: {}, lastKey: undefined, hash: state.prevHash, ms: performance.now() - started }, rollback: true };
    }
    const rows = await countPartitionRows(connection, node);
    // An empty partition holds nothing to forget: it stays, as the application's structure.
    if (rows === 0) return { value: { selected: 0, affected: {}, lastKey: undefined, hash: state.prevHash, ms: performance.now() - started }, rollback: true };
    for (const statement of buildDropPartitionStatements(node.parent, node)) await connection.query(statement);
    const affected = { [input.planned.table.qualified.replace(/"/g, '')]: rows };
    const lastKey = [...prefix, 'dropped'];
    await connection.query(buildCheckpointUpsert(options.stateSchema, { ...state.checkpoint, phasePosition: input.position, lastKey }));
    const ledger = buildLedgerInsert(
      options.stateSchema,
      { runId: state.checkpoint.runId, ruleId: input.planned.rule.id, ruleHash: input.ruleHash, phaseAfter: input.window.phase.after.text, action: 'delete', rowsAffected: affected, keyFrom: prefix, keyTo: lastKey, batchMs: performance.now() - started },
      state.prevHash,
    );
    await connection.query(ledger.statement);
    return { value: { selected: rows, affected, lastKey, hash: ledger.hash, ms: performance.now() - started } };
  });
}
