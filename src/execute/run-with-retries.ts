import { LetheError } from '../errors.js';
import { describeError } from '../db/describe-error.js';
import { isConnectionLost, isContention, isRetryable, isStatementTimeout } from '../db/sqlstate.js';
import { readCheckpoint } from '../state/checkpoints.js';
import { readLastLedgerHash } from '../state/ledger.js';
import { readRangeCheckpoints } from '../state/range-checkpoints.js';
import { tryLockRule } from './advisory-lock.js';
import type { BatchSizer } from './batch-size.js';
import type { BatchResult } from './run-batch.js';
import type { Connection, ExecuteOptions } from './types.js';
import type { PhaseWalkInput, PhaseWalkState } from './walk-phase.js';

type Attempt = (connection: Connection, size: number, skipLocked: boolean) => Promise<BatchResult>;

/**
 * Retries with backoff on lock timeouts, deadlocks, serialization failures,
 * statement timeouts (with a smaller batch) and lost connections (reconnect,
 * take the lock again, and continue from what the database says was committed).
 */
export async function runWithRetries(state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, attempt: Attempt, sizer: BatchSizer): Promise<BatchResult | 'resumed'> {
  let skipLocked = false;
  for (let tries = 0; ; tries++) {
    try {
      return await attempt(state.connection, sizer.size, skipLocked);
    } catch (error) {
      if (!isRetryable(error) || tries >= options.maxRetries) throw error;
      const delay = Math.min(10_000, 100 * 2 ** tries);
      options.logger.warn('batch failed, retrying', { rule: input.planned.rule.id, attempt: tries + 1, delayMs: delay, error: describeError(error) });
      if (isStatementTimeout(error)) sizer.recordTimeout();
      // Rows another session keeps locked are skipped on the retry and left for the next run.
      if (isContention(error)) {
        skipLocked = true;
        state.metLockedRows = true;
      }
      await options.sleep(delay);
      if (isConnectionLost(error)) {
        await state.connection.end().catch(() => undefined);
        if (state.range) {
          // A worker of a split walk: its own range lock, and its range's progress as the database has it.
          state.connection = await reconnect(options, rangeLockName(input.planned.rule.id, state.range.part));
          const ranges = await readRangeCheckpoints(state.connection, options.stateSchema, input.planned.rule.id, input.position);
          const mine = ranges.find((range) => range.part === state.range!.part);
          if (!mine) throw new LetheError('CHECKPOINT_MISMATCH', `rule '${input.planned.rule.id}': its range checkpoint vanished while reconnecting`, { cause: error });
          state.checkpoint = { ...state.checkpoint, lastKey: [`page:${mine.nextPage}`] };
          return 'resumed';
        }
        state.connection = await reconnect(options, input.planned.rule.id);
        const stored = await readCheckpoint(state.connection, options.stateSchema, state.checkpoint.ruleId);
        if (!stored) throw new LetheError('CHECKPOINT_MISMATCH', `rule '${input.planned.rule.id}': its checkpoint vanished while reconnecting`, { cause: error });
        state.checkpoint = { ...stored, runId: options.runId };
        state.prevHash = await readLastLedgerHash(state.connection, options.stateSchema, input.planned.rule.id);
        return 'resumed';
      }
    }
  }
}

/** The advisory lock of one range of a split walk (rule ids are kebab-case: no clash with a rule's own). */
export function rangeLockName(ruleId: string, part: number): string {
  return `${ruleId}#range:${part}`;
}

async function reconnect(options: ExecuteOptions, ruleId: string): Promise<Connection> {
  for (let attempt = 0; ; attempt++) {
    try {
      const connection = await options.connect();
      if (!(await tryLockRule(connection, ruleId))) {
        await connection.end();
        throw new LetheError('RUN_LOCKED', `rule '${ruleId}': another run took its lock while this one reconnected`);
      }
      return connection;
    } catch (error) {
      if (error instanceof LetheError || attempt >= options.maxRetries) throw error;
      await options.sleep(Math.min(10_000, 200 * 2 ** attempt));
    }
  }
}
