import type { Connection } from './types.js';

export interface BatchTimeouts {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

/**
 * One batch's transaction: per-batch lock and statement timeouts, UTC, and
 * all-or-nothing (a failure or a kill leaves no part of the batch behind).
 * `work` returns `rollback: true` to end without writing.
 */
export async function inBatchTransaction<T>(connection: Connection, timeouts: BatchTimeouts, work: () => Promise<{ value: T; rollback?: boolean }>): Promise<T> {
  await connection.query('BEGIN');
  try {
    await connection.query(`SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true), set_config('TimeZone', 'UTC', true), set_config('standard_conforming_strings', 'on', true)`, [
      `${timeouts.lockTimeoutMs}ms`,
      `${timeouts.statementTimeoutMs}ms`,
    ]);
    const { value, rollback } = await work();
    await connection.query(rollback ? 'ROLLBACK' : 'COMMIT');
    return value;
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Adds to a batch's result the time from its start to the end of its COMMIT (row locks are held that long). */
export async function withHeldTime<T extends { heldMs?: number }>(started: number, batch: Promise<T>): Promise<T> {
  const result = await batch;
  result.heldMs = performance.now() - started;
  return result;
}
