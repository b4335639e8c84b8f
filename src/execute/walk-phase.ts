import { LetheError } from '../errors.js';
import { isConnectionLost, isContention, isRetryable, isStatementTimeout } from '../db/sqlstate.js';
import type { PlannedPhase, PlannedRule } from '../plan/types.js';
import type { PhaseReport } from '../report/types.js';
import { readCheckpoint, type Checkpoint } from '../state/checkpoints.js';
import { readLastLedgerHash } from '../state/ledger.js';
import { tryLockRule } from './advisory-lock.js';
import { createBatchSizer } from './batch-size.js';
import { runBatch, type BatchResult } from './run-batch.js';
import { parsePagePosition, runPageBatch } from './run-page-batch.js';
import { waitForPace } from './pace.js';
import type { Connection, ExecuteOptions } from './types.js';

export interface PhaseWalkState {
  connection: Connection;
  checkpoint: Checkpoint;
  prevHash: string | null;
}

export interface PhaseWalkInput {
  planned: PlannedRule;
  window: PlannedPhase;
  position: number;
  ruleHash: string;
  report: PhaseReport;
}

/** Pages per batch to start a walk by physical position with (~60 device-log rows a page). */
const INITIAL_PAGES = 32;

/**
 * Walks one phase batch by batch from the checkpoint to the high-water mark.
 * Returns why it stopped early, or undefined when the phase is complete.
 */
export async function walkPhase(state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, stopReason: () => string | undefined): Promise<string | undefined> {
  const { planned, window, position, report } = input;
  const byPages = window.walk === 'pages';
  const sizer = byPages
    ? createBatchSizer({ targetMs: planned.rule.batch.targetMs, maxRows: 1_000_000, fixed: options.batchSize === undefined ? undefined : Math.max(1, Math.ceil(options.batchSize / 60)), initial: INITIAL_PAGES })
    : createBatchSizer({ targetMs: planned.rule.batch.targetMs, maxRows: planned.rule.batch.maxRows, fixed: options.batchSize });
  const startedAt = Date.now();
  const table = planned.table.qualified.replace(/"/g, '');
  let lastKey = state.checkpoint.phasePosition === position ? state.checkpoint.lastKey ?? undefined : undefined;
  if (byPages !== (parsePagePosition(lastKey) !== undefined)) lastKey = undefined;
  try {
    for (;;) {
      const stopped = stopReason();
      if (stopped) return stopped;
      if (byPages ? (parsePagePosition(lastKey) ?? 0) >= (state.checkpoint.highWaterPages ?? 0) : !state.checkpoint.highWater) return undefined;
      await waitForPace(state.connection, options, report.affected, startedAt);
      const result = await runWithRetries(state, input, options, (connection, size, skipLocked) => {
        const common = {
          planned,
          window,
          checkpoint: { ...state.checkpoint, phasePosition: position },
          prevHash: state.prevHash,
          ruleHash: input.ruleHash,
          stateSchema: options.stateSchema,
          lockTimeoutMs: options.lockTimeoutMs,
          statementTimeoutMs: options.statementTimeoutMs,
          readSecret: options.readSecret,
          markValue: state.checkpoint.logicalNow,
        };
        if (!byPages) return runBatch(connection, { ...common, highWater: state.checkpoint.highWater!, after: lastKey, limit: size, hashInSql: options.hasPgcrypto });
        const fromPage = parsePagePosition(lastKey) ?? 0;
        return runPageBatch(connection, { ...common, fromPage, toPage: Math.min(fromPage + size, state.checkpoint.highWaterPages ?? 0), skipLocked });
      }, sizer);
      if (result === 'resumed') {
        if (state.checkpoint.phasePosition !== position) return undefined;
        lastKey = state.checkpoint.lastKey ?? undefined;
        continue;
      }
      if (!byPages && result.selected === 0) return undefined;
      sizer.record(byPages ? Math.max(result.selected, 1) : result.selected, result.ms);
      lastKey = result.lastKey;
      state.checkpoint = { ...state.checkpoint, phasePosition: position, lastKey: result.lastKey ?? null };
      state.prevHash = result.hash;
      addBatch(report, result, table);
      options.onBatch?.({ ruleId: planned.rule.id, phase: window.phase.after.text, action: window.phase.action, rows: result.affected[table] ?? 0, ms: result.ms, totalRows: report.affected });
    }
  } finally {
    report.durationMs = (report.durationMs ?? 0) + (Date.now() - startedAt);
  }
}

type Attempt = (connection: Connection, size: number, skipLocked: boolean) => Promise<BatchResult>;

/**
 * Retries with backoff on lock timeouts, deadlocks, serialization failures,
 * statement timeouts (with a smaller batch) and lost connections (reconnect,
 * take the lock again, and continue from what the database says was committed).
 */
async function runWithRetries(state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, attempt: Attempt, sizer: ReturnType<typeof createBatchSizer>): Promise<BatchResult | 'resumed'> {
  let skipLocked = false;
  for (let tries = 0; ; tries++) {
    try {
      return await attempt(state.connection, sizer.size, skipLocked);
    } catch (error) {
      if (!isRetryable(error) || tries >= options.maxRetries) throw error;
      const delay = Math.min(10_000, 100 * 2 ** tries);
      options.logger.warn('batch failed, retrying', { rule: input.planned.rule.id, attempt: tries + 1, delayMs: delay, error: (error as Error).message });
      if (isStatementTimeout(error)) sizer.recordTimeout();
      // Rows another session keeps locked are skipped on the retry and left for the next run.
      if (isContention(error)) skipLocked = true;
      await options.sleep(delay);
      if (isConnectionLost(error)) {
        await state.connection.end().catch(() => undefined);
        state.connection = await reconnect(options, input.planned.rule.id);
        const stored = await readCheckpoint(state.connection, options.stateSchema, input.planned.rule.id);
        if (!stored) throw new LetheError('CHECKPOINT_MISMATCH', `rule '${input.planned.rule.id}': its checkpoint vanished while reconnecting`, { cause: error });
        state.checkpoint = { ...stored, runId: options.runId };
        state.prevHash = await readLastLedgerHash(state.connection, options.stateSchema, input.planned.rule.id);
        return 'resumed';
      }
    }
  }
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

function addBatch(report: PhaseReport, result: BatchResult, table: string): void {
  if ((result.affected[table] ?? 0) > 0 || Object.keys(result.affected).length > 1) report.batches = (report.batches ?? 0) + 1;
  report.affected += result.affected[table] ?? 0;
  for (const [name, rows] of Object.entries(result.affected)) {
    if (name === table) continue;
    report.cascades ??= [];
    const entry = report.cascades.find((cascade) => cascade.table === name);
    if (entry) entry.rows += rows;
    else report.cascades.push({ table: name, by: 'rule', rows });
  }
}
