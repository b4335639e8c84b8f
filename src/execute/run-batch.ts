import type { PlannedPhase, PlannedRule } from '../plan/types.js';
import { LetheError } from '../errors.js';
import { orderCascadeTables, type CascadeTable } from '../sql/build-cascade-predicates.js';
import {
  buildCascadeDeleteStatements,
  buildCascadeLockStatement,
  buildConfirmBatchStatement,
  type BatchRows,
  buildDeleteStatement,
  buildSelectBatchStatement,
  buildUpdateStatement,
  cascadeParentColumns,
} from '../sql/build-statements.js';
import { keyMatchSql, targetColumn } from '../sql/build-predicates.js';
import { Params } from '../sql/quote.js';
import { buildCheckpointUpsert, type Checkpoint } from '../state/checkpoints.js';
import { buildLedgerInsert } from '../state/ledger.js';
import { recordedKey } from '../state/ledger-keys.js';
import { createFakeGenerator, hashInNode } from '../strategies/index.js';
import type { Connection } from './types.js';
import { inBatchTransaction, withHeldTime } from './batch-transaction.js';
import { enforceBudget } from './enforce-budget.js';
import { secretsOf } from './run-page-batch.js';

export interface BatchInput {
  planned: PlannedRule;
  window: PlannedPhase;
  highWater: string[];
  after: string[] | undefined;
  limit: number;
  checkpoint: Omit<Checkpoint, 'lastKey'>;
  prevHash: string | null;
  ruleHash: string;
  stateSchema: string;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  /**
   * The rows to apply the phase to instead of selecting the next batch (as the
   * select returns them: key columns, then referenced columns): while a batch
   * that failed on a value is split to isolate the offending rows.
   */
  rows?: string[][] | undefined;
  readSecret(name: string): string | undefined;
  markValue: Date;
  /** Keys that are not surrogate keys are recorded as digests under this key. */
  ledgerKey: string;
  /** Rows per table this batch may still change (an erasure's approved counts); beyond them it rolls back. */
  budget?: Record<string, number> | undefined;
}

export interface BatchResult {
  selected: number;
  affected: Record<string, number>;
  lastKey: string[] | undefined;
  hash: string | null;
  ms: number;
  /** BEGIN to the end of COMMIT: the longest any row of the batch stayed locked. */
  heldMs?: number;
  /** WAL written while the batch's statement ran (the server's, other sessions' included): what its COMMIT must flush. */
  walBytes?: number;
}

/**
 * One short transaction: lock a batch of due keys, apply the action with the
 * predicate and holds repeated, write the checkpoint and the ledger row,
 * commit. Killed at any instant, it either happened whole or not at all.
 */
export async function runBatch(connection: Connection, input: BatchInput): Promise<BatchResult> {
  const started = performance.now();
  const { planned, window } = input;
  return withHeldTime(started, inBatchTransaction<BatchResult>(connection, input, async () => {
    const rows = input.rows ?? ((await connection.query(buildSelectBatchStatement(planned, window, input.after, input.highWater, input.limit))).rows as unknown as string[][]);
    if (rows.length === 0) return { value: { selected: 0, affected: {}, lastKey: undefined, hash: input.prevHash, ms: performance.now() - started } };
    const keyCount = planned.key.length;
    const lastKey = rows[rows.length - 1]!.slice(0, keyCount);
    const affected = window.phase.action === 'delete' ? await applyDelete(connection, input, rows) : await applyUpdate(connection, input, columnsOf(rows, keyCount));
    if (input.budget) enforceBudget(planned.rule.id, affected, input.budget);
    await connection.query(buildCheckpointUpsert(input.stateSchema, { ...input.checkpoint, lastKey }));
    const ledger = buildLedgerInsert(
      input.stateSchema,
      {
        runId: input.checkpoint.runId,
        ruleId: planned.rule.id,
        ruleHash: input.ruleHash,
        phaseAfter: window.phase.after.text,
        action: window.phase.action,
        rowsAffected: affected,
        keyFrom: recordedKey(planned.key, rows[0]!.slice(0, keyCount), input.ledgerKey),
        keyTo: recordedKey(planned.key, lastKey, input.ledgerKey),
        batchMs: performance.now() - started,
      },
      input.prevHash,
    );
    await connection.query(ledger.statement);
    return { value: { selected: rows.length, affected, lastKey, hash: ledger.hash, ms: performance.now() - started } };
  }));
}

function columnsOf(rows: string[][], count: number): string[][] {
  return Array.from({ length: count }, (_, index) => rows.map((row) => row[index]!));
}

/** How often a batch whose rows changed under it (a hold placed mid-batch) is rolled back and tried again. */
const TREE_ATTEMPTS = 5;

async function applyDelete(connection: Connection, input: BatchInput, rows: string[][]): Promise<Record<string, number>> {
  const { planned, window } = input;
  const keys = columnsOf(rows, planned.key.length);
  const tables = orderCascadeTables(planned.cascades, 'rule');
  if (!tables || tables.length === 0) {
    const result = await connection.query(buildDeleteStatement(planned, window, keys));
    return { [nameOf(planned.table.qualified)]: result.rowCount ?? 0 };
  }
  for (let attempt = 1; attempt <= TREE_ATTEMPTS; attempt++) {
    await connection.query('SAVEPOINT lethe_tree');
    const affected = await deleteTree(connection, input, keys, tables);
    if (affected) {
      await connection.query('RELEASE SAVEPOINT lethe_tree');
      return affected;
    }
    await connection.query('ROLLBACK TO SAVEPOINT lethe_tree');
  }
  throw new LetheError('SQL_FAILED', `rule '${planned.rule.id}': the rows of a batch kept changing while it ran (${TREE_ATTEMPTS} attempts)`, {
    hint: 'another session keeps placing holds or changing the cascaded rows; run again later',
  });
}

/**
 * Confirms and locks the parents, locks what they take along (parents first), then
 * deletes leaves first, each table unless a row became held. Undefined when fewer rows
 * go than were locked: a hold arrived mid-batch, and the caller rolls back and retries
 * (the parent is then no longer confirmed). A parent's descendants go only with it.
 */
async function deleteTree(connection: Connection, input: BatchInput, keys: string[][], tables: CascadeTable[]): Promise<Record<string, number> | undefined> {
  const { planned, window } = input;
  const keyCount = planned.key.length;
  const extras = cascadeParentColumns(planned).filter((column) => !planned.key.some((key) => key.name === column));
  const confirmed = (await connection.query(buildConfirmBatchStatement(planned, window, keys, extras))).rows as unknown as string[][];
  const affected: Record<string, number> = {};
  if (confirmed.length === 0) return { [nameOf(planned.table.qualified)]: 0 };
  const columns = [...planned.key.map((key) => key.name), ...extras];
  const batch: BatchRows = { values: new Map(columns.map((column, index) => [column, confirmed.map((row) => row[index]!)])), keys: columnsOf(confirmed, keyCount) };
  const locked = new Map<CascadeTable, number>();
  for (const table of [...tables].reverse()) {
    const result = await connection.query<{ rows: number }>(buildCascadeLockStatement(planned, table, batch));
    locked.set(table, Number(result.rows[0]!.rows));
  }
  for (const table of tables) {
    let deleted = 0;
    for (const statement of buildCascadeDeleteStatements(planned, table, batch)) deleted += (await connection.query(statement)).rowCount ?? 0;
    if (deleted !== locked.get(table)) return undefined;
    const name = nameOf(table.cascades[0]!.table.qualified);
    affected[name] = (affected[name] ?? 0) + deleted;
  }
  const result = await connection.query(buildDeleteStatement(planned, window, batch.keys));
  if ((result.rowCount ?? 0) !== confirmed.length) return undefined;
  const own = nameOf(planned.table.qualified);
  affected[own] = (affected[own] ?? 0) + (result.rowCount ?? 0);
  return affected;
}

function nameOf(qualified: string): string {
  return qualified.replace(/"/g, '');
}

async function applyUpdate(connection: Connection, input: BatchInput, keys: string[][]): Promise<Record<string, number>> {
  const { planned, window } = input;
  const nodeValues = new Map<string, (string | null)[]>();
  const generate = window.changes.some((change) => change.strategy.kind === 'fake') ? await createFakeGenerator() : undefined;
  for (const change of window.changes) {
    if (change.strategy.kind === 'fake') {
      const strategy = change.strategy;
      nodeValues.set(change.column, keys[0]!.map(() => generate!(strategy, change.info)));
    }
  }
  const secrets = secretsOf(window, input.readSecret);
  for (const change of window.changes) {
    if (change.strategy.kind !== 'hash') continue;
    nodeValues.set(change.column, await hashColumnInNode(connection, planned, change.column, change.info, keys, secrets.get(change.strategy.secretEnv)!));
  }
  const result = await connection.query(buildUpdateStatement(planned, window, { keys, nodeValues, markValue: input.markValue }));
  return { [planned.table.qualified.replace(/"/g, '')]: result.rowCount ?? 0 };
}

/** Read the originals of this batch (aligned with keys) and hash them here: the key never leaves Node. */
async function hashColumnInNode(
  connection: Connection,
  planned: PlannedRule,
  column: string,
  info: Parameters<typeof hashInNode>[1],
  keys: string[][],
  secret: string,
): Promise<(string | null)[]> {
  const params = new Params();
  const keyColumns = planned.key.map((key) => `${targetColumn(planned, key.name)}::text`);
  const result = await connection.query({
    text: `SELECT ${keyColumns.join(', ')}, ${targetColumn(planned, column)}::text FROM ${planned.table.qualified} WHERE ${keyMatchSql(planned, keys, params)}`,
    values: params.values,
    rowMode: 'array',
  });
  const byKey = new Map((result.rows as unknown as (string | null)[][]).map((row) => [JSON.stringify(row.slice(0, planned.key.length)), row[planned.key.length] ?? null]));
  return keys[0]!.map((_, index) => hashInNode(byKey.get(JSON.stringify(keys.map((column) => column[index]))) ?? null, info, secret));
}
