import type { PlannedRule } from '../plan/types.js';
import {
  buildDropPartitionStatements,
  buildLeafPartitionsStatement,
  buildLockPartitionStatement,
  buildPartitionCensusStatement,
  buildPartitionKeepsRowsStatement,
  partitionAsTable,
} from '../sql/build-partition-statements.js';
import { buildCheckpointUpsert } from '../state/checkpoints.js';
import { buildLedgerInsert } from '../state/ledger.js';
import type { BatchResult } from './run-batch.js';
import { parsePagePosition } from './run-page-batch.js';
import type { Connection, ExecuteOptions } from './types.js';
import { inBatchTransaction } from './batch-transaction.js';
import { addBatch, runWithRetries, walkPages, type PhaseWalkInput, type PhaseWalkState, type StopReason } from './walk-phase.js';
import { createBatchSizer } from './batch-size.js';

interface Leaf {
  schema: string;
  name: string;
  pages: number;
}

const PARTITION_PREFIX = 'partition:';

/**
 * A delete phase on a partitioned table, partition by partition in name order:
 * a partition whose every row is due (and not held) is detached and dropped
 * whole — far less work and WAL than deleting its rows; the boundary
 * partitions are walked by pages like a plain table.
 */
export async function walkPartitions(state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, stopReason: StopReason, resumeFrom: string[] | undefined): Promise<string | undefined> {
  const leaves = (await state.connection.query<{ schema: string; name: string; pages: string }>(buildLeafPartitionsStatement(input.planned))).rows.map(
    (row): Leaf => ({ schema: row.schema, name: row.name, pages: Number(row.pages) }),
  );
  const resumeLeaf = resumeFrom?.find((part) => part.startsWith(PARTITION_PREFIX))?.slice(PARTITION_PREFIX.length);
  for (const leaf of leaves) {
    if (resumeLeaf !== undefined && leaf.name < resumeLeaf) continue;
    const stopped = stopReason();
    if (stopped) return stopped;
    const prefix = [`${PARTITION_PREFIX}${leaf.name}`];
    const resumingThis = resumeLeaf === leaf.name;
    if (!resumingThis && (await dropIfWhollyDue(state, input, options, leaf, prefix))) continue;
    const planned: PlannedRule = { ...input.planned, table: { ...input.planned.table, kind: 'table', qualified: partitionAsTable(leaf, input.planned) } };
    const startPage = resumingThis ? parsePagePosition(resumeFrom) ?? 0 : 0;
    const stoppedInLeaf = await walkPages(state, input, options, stopReason, { planned, startPage, endPage: leaf.pages, prefix });
    if (stoppedInLeaf) return stoppedInLeaf;
  }
  return undefined;
}

/** Detach and drop the partition when no row in it must stay; counted and dropped under one lock. */
async function dropIfWhollyDue(state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, leaf: Leaf, prefix: string[]): Promise<boolean> {
  const probe = await state.connection.query<{ keeps: boolean; has_rows: boolean }>(buildPartitionKeepsRowsStatement(input.planned, input.window, leaf));
  if (probe.rows[0]?.keeps || !probe.rows[0]?.has_rows) return false;
  const sizer = createBatchSizer({ targetMs: 1, maxRows: 1 });
  const result = await runWithRetries(state, input, options, (connection) => dropPartition(connection, state, input, options, leaf, prefix), sizer);
  if (result === 'resumed') return false;
  if (result.selected === 0) return false;
  state.checkpoint = { ...state.checkpoint, phasePosition: input.position, lastKey: result.lastKey ?? null };
  state.prevHash = result.hash;
  const table = input.planned.table.qualified.replace(/"/g, '');
  addBatch(input.report, result, table);
  options.onBatch?.({ ruleId: input.planned.rule.id, phase: input.window.phase.after.text, action: 'delete', rows: result.affected[table] ?? 0, ms: result.ms, totalRows: input.report.affected });
  options.logger.info('dropped a partition whose rows were all due', { rule: input.planned.rule.id, partition: `${leaf.schema}.${leaf.name}`, rows: result.affected[table] });
  return true;
}

async function dropPartition(connection: Connection, state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, leaf: Leaf, prefix: string[]): Promise<BatchResult> {
  const started = performance.now();
  return inBatchTransaction<BatchResult>(connection, options, async () => {
    await connection.query(buildLockPartitionStatement(leaf));
    const census = (await connection.query<{ total: string; keep: string }>(buildPartitionCensusStatement(input.planned, input.window, leaf))).rows[0]!;
    if (Number(census.keep) > 0 || Number(census.total) === 0) {
      return { value: { selected: 0, affected: {}, lastKey: undefined, hash: state.prevHash, ms: performance.now() - started }, rollback: true };
    }
    for (const statement of buildDropPartitionStatements(input.planned, leaf)) await connection.query(statement);
    const affected = { [input.planned.table.qualified.replace(/"/g, '')]: Number(census.total) };
    const lastKey = [...prefix, 'dropped'];
    await connection.query(buildCheckpointUpsert(options.stateSchema, { ...state.checkpoint, phasePosition: input.position, lastKey }));
    const ledger = buildLedgerInsert(
      options.stateSchema,
      { runId: state.checkpoint.runId, ruleId: input.planned.rule.id, ruleHash: input.ruleHash, phaseAfter: input.window.phase.after.text, action: 'delete', rowsAffected: affected, keyFrom: prefix, keyTo: lastKey, batchMs: performance.now() - started },
      state.prevHash,
    );
    await connection.query(ledger.statement);
    return { value: { selected: Number(census.total), affected, lastKey, hash: ledger.hash, ms: performance.now() - started } };
  });
}
