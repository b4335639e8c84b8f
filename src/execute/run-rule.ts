import { LetheError } from '../errors.js';
import { isConnectionLost, isRetryable, isStatementTimeout } from '../db/sqlstate.js';
import { replanAt } from '../plan/build-plan.js';
import type { PlannedPhase, PlannedRule } from '../plan/types.js';
import type { PhaseReport, RuleReport } from '../report/types.js';
import { hashRule } from '../rules/hash-rule.js';
import { buildCountStatement, buildHighWaterStatement } from '../sql/build-statements.js';
import { buildCheckpointDelete, buildCheckpointUpsert, readCheckpoint, type Checkpoint } from '../state/checkpoints.js';
import { readLastLedgerHash } from '../state/ledger.js';
import { finishRuleRun, insertRuleRun } from '../state/runs.js';
import { keyId } from '../strategies/index.js';
import { findLockHolder, tryLockRule, unlockRule } from './advisory-lock.js';
import { createBatchSizer } from './batch-size.js';
import { runBatch, type BatchResult } from './run-batch.js';
import { waitForPace } from './pace.js';
import type { Connection, ExecuteOptions } from './types.js';

/** Why a rule stopped before finishing; undefined while it may go on. */
function stopReason(options: ExecuteOptions): string | undefined {
  if (options.signal.aborted) return (options.signal.reason as Error)?.message ?? 'stopped by a signal';
  if (options.deadline !== undefined && Date.now() >= options.deadline) return '--max-runtime reached';
  return undefined;
}

/** The secrets' id: which key a pseudonymizing run used, never the key itself. */
export function keyIdOf(planned: PlannedRule, readSecret: (name: string) => string | undefined): string | null {
  const names = [...new Set(planned.phases.flatMap((window) => window.changes.flatMap((change) => (change.strategy.kind === 'hash' ? [change.strategy.secretEnv] : []))))].sort();
  if (names.length === 0) return null;
  return keyId(names.map((name) => `${name}=${readSecret(name) ?? ''}`).join('\n'));
}

/**
 * Runs every phase of one rule on its own connection, holding the rule's
 * advisory lock; resumes an unfinished run of the same rule when the rule is
 * unchanged. Returns a report for the rule instead of throwing half-way.
 */
export async function runRule(plannedAtNow: PlannedRule, options: ExecuteOptions, now: Date): Promise<RuleReport> {
  const base = { id: plannedAtNow.rule.id, category: plannedAtNow.rule.category, table: plannedAtNow.table.qualified.replace(/"/g, '') };
  let connection = await options.connect();
  try {
    if (!(await tryLockRule(connection, base.id))) {
      const holder = await findLockHolder(connection, base.id);
      options.logger.info('rule skipped: another run holds its lock', { rule: base.id, pid: holder?.pid, applicationName: holder?.applicationName });
      return { ...base, status: 'skipped', phases: [], lockedBy: holder };
    }
    const ruleHash = hashRule(plannedAtNow.rule, plannedAtNow.holdsSubjects);
    const keyIdentity = keyIdOf(plannedAtNow, options.readSecret);
    let checkpoint = await startOrResume(connection, plannedAtNow, options, now, ruleHash, keyIdentity);
    const planned = replanAt(plannedAtNow, checkpoint.logicalNow);
    const phases: PhaseReport[] = planned.phases.map((window) => emptyPhaseReport(window));
    let prevHash = await readLastLedgerHash(connection, options.stateSchema, base.id);
    let stoppedBecause: string | undefined;

    for (let position = checkpoint.phasePosition; position < planned.phases.length && !stoppedBecause; position++) {
      const window = planned.phases[position]!;
      const report = phases[position]!;
      const sizer = createBatchSizer({ targetMs: planned.rule.batch.targetMs, maxRows: planned.rule.batch.maxRows, fixed: options.batchSize });
      let lastKey = position === checkpoint.phasePosition ? checkpoint.lastKey ?? undefined : undefined;
      const phaseStarted = Date.now();
      let phaseRows = 0;
      while (checkpoint.highWater) {
        stoppedBecause = stopReason(options);
        if (stoppedBecause) break;
        await waitForPace(connection, options, phaseRows, phaseStarted);
        const attempt = await runBatchWithRetries(connection, options, planned, window, checkpoint, position, lastKey, sizer.size, prevHash, ruleHash);
        connection = attempt.connection;
        if (attempt.resumedFrom) {
          ({ checkpoint, lastKey, prevHash } = attempt.resumedFrom);
          if (checkpoint.phasePosition !== position) break;
          continue;
        }
        const result = attempt.result!;
        if (result.selected === 0) break;
        sizer.record(result.selected, result.ms);
        lastKey = result.lastKey;
        prevHash = result.hash;
        addBatch(report, result, planned);
        phaseRows = report.affected;
        options.onBatch?.({ ruleId: base.id, phase: window.phase.after.text, action: window.phase.action, rows: result.affected[base.table] ?? 0, ms: result.ms, totalRows: report.affected });
      }
      report.durationMs = (report.durationMs ?? 0) + (Date.now() - phaseStarted);
      if (stoppedBecause) break;
      await connection.query(buildCheckpointUpsert(options.stateSchema, { ...checkpoint, phasePosition: position + 1, lastKey: null }));
      checkpoint = { ...checkpoint, phasePosition: position + 1, lastKey: null };
      await countRemaining(connection, planned, window, report);
    }
    const status = stoppedBecause ? 'partial' : 'done';
    if (!stoppedBecause) await connection.query(buildCheckpointDelete(options.stateSchema, base.id));
    const rowsAffected = phases.reduce((sum, phase) => sum + phase.affected, 0);
    await finishRuleRun(connection, options.stateSchema, { runId: options.runId, ruleId: base.id, status, stopReason: stoppedBecause ?? null, rowsAffected, phases });
    await unlockRule(connection, base.id);
    return { ...base, status, phases, ...(stoppedBecause ? { stoppedBecause } : {}) };
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/** Resume the rule's checkpoint when the rule (and pseudonym key) are unchanged; else start afresh. */
async function startOrResume(connection: Connection, planned: PlannedRule, options: ExecuteOptions, now: Date, ruleHash: string, keyIdentity: string | null): Promise<Checkpoint> {
  const existing = await readCheckpoint(connection, options.stateSchema, planned.rule.id);
  if (existing && existing.ruleHash === ruleHash) {
    if (existing.keyId !== keyIdentity) {
      throw new LetheError('CHECKPOINT_MISMATCH', `rule '${planned.rule.id}': the unfinished run used another pseudonym key`, {
        hint: 'resume with the key the run started with; pseudonyms from two keys would not match',
      });
    }
    options.logger.info('resuming unfinished run', { rule: planned.rule.id, fromRun: existing.runId, logicalNow: existing.logicalNow.toISOString() });
    await insertRuleRun(connection, options.stateSchema, { runId: options.runId, ruleId: planned.rule.id, ruleHash, keyId: keyIdentity, logicalNow: existing.logicalNow });
    const resumed = { ...existing, runId: options.runId };
    await connection.query(buildCheckpointUpsert(options.stateSchema, resumed));
    return resumed;
  }
  if (existing) options.logger.info('rule changed since the unfinished run: starting afresh', { rule: planned.rule.id });
  const highWater = await connection.query<string[]>({ ...buildHighWaterStatement(planned), rowMode: 'array' });
  const checkpoint: Checkpoint = {
    ruleId: planned.rule.id,
    runId: options.runId,
    ruleHash,
    keyId: keyIdentity,
    logicalNow: now,
    highWater: (highWater.rows[0] as unknown as string[] | undefined) ?? null,
    phasePosition: 0,
    lastKey: null,
  };
  await insertRuleRun(connection, options.stateSchema, { runId: options.runId, ruleId: planned.rule.id, ruleHash, keyId: keyIdentity, logicalNow: now });
  await connection.query(buildCheckpointUpsert(options.stateSchema, checkpoint));
  return checkpoint;
}

interface Attempt {
  connection: Connection;
  result?: BatchResult;
  /** After a lost connection: where the database says we are (the last commit may or may not have landed). */
  resumedFrom?: { checkpoint: Checkpoint; lastKey: string[] | undefined; prevHash: string | null };
}

async function runBatchWithRetries(
  connection: Connection,
  options: ExecuteOptions,
  planned: PlannedRule,
  window: PlannedPhase,
  checkpoint: Checkpoint,
  position: number,
  lastKey: string[] | undefined,
  limit: number,
  prevHash: string | null,
  ruleHash: string,
): Promise<Attempt> {
  let size = limit;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await runBatch(connection, {
        planned,
        window,
        highWater: checkpoint.highWater!,
        after: lastKey,
        limit: size,
        checkpoint: { ...checkpoint, phasePosition: position },
        prevHash,
        ruleHash,
        stateSchema: options.stateSchema,
        lockTimeoutMs: options.lockTimeoutMs,
        statementTimeoutMs: options.statementTimeoutMs,
        hashInSql: options.hasPgcrypto,
        readSecret: options.readSecret,
        markValue: checkpoint.logicalNow,
      });
      return { connection, result };
    } catch (error) {
      if (!isRetryable(error) || attempt >= options.maxRetries) throw error;
      const delay = Math.min(10_000, 100 * 2 ** attempt);
      options.logger.warn('batch failed, retrying', { rule: planned.rule.id, attempt: attempt + 1, delayMs: delay, error: (error as Error).message });
      if (isStatementTimeout(error)) size = Math.max(10, Math.floor(size / 4));
      await options.sleep(delay);
      if (isConnectionLost(error)) {
        await connection.end().catch(() => undefined);
        connection = await reconnect(options, planned.rule.id);
        const stored = await readCheckpoint(connection, options.stateSchema, planned.rule.id);
        if (!stored) throw new LetheError('CHECKPOINT_MISMATCH', `rule '${planned.rule.id}': its checkpoint vanished while reconnecting`, { cause: error });
        const storedHash = await readLastLedgerHash(connection, options.stateSchema, planned.rule.id);
        return { connection, resumedFrom: { checkpoint: { ...stored, runId: options.runId }, lastKey: stored.lastKey ?? undefined, prevHash: storedHash } };
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

function emptyPhaseReport(window: PlannedPhase): PhaseReport {
  return {
    after: window.phase.after.text,
    action: window.phase.action,
    cutoff: window.cutoff.toISOString(),
    candidates: 0,
    held: 0,
    affected: 0,
    oldest: null,
    batches: 0,
    durationMs: 0,
    deferred: 0,
    remaining: 0,
  };
}

function addBatch(report: PhaseReport, result: BatchResult, planned: PlannedRule): void {
  const table = planned.table.qualified.replace(/"/g, '');
  report.batches = (report.batches ?? 0) + 1;
  report.affected += result.affected[table] ?? 0;
  for (const [name, rows] of Object.entries(result.affected)) {
    if (name === table) continue;
    report.cascades ??= [];
    const entry = report.cascades.find((cascade) => cascade.table === name);
    if (entry) entry.rows += rows;
    else report.cascades.push({ table: name, by: 'rule', rows });
  }
}

/** After a phase: what still matches is explained by holds, rows locked by others, or rows added since. */
async function countRemaining(connection: Connection, planned: PlannedRule, window: PlannedPhase, report: PhaseReport): Promise<void> {
  const result = await connection.query<{ candidates: string; held: string; oldest: Date | null }>(buildCountStatement(planned, window));
  const row = result.rows[0]!;
  report.remaining = Number(row.candidates);
  report.deferred = report.remaining;
  report.held = Number(row.held);
  report.candidates = report.affected + report.remaining;
  report.oldest = row.oldest ? new Date(row.oldest).toISOString() : null;
}
