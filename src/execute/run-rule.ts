import { isLetheError, LetheError } from '../errors.js';
import { describeError } from '../db/describe-error.js';
import { withCause } from '../report/failure-cause.js';
import { replanAt } from '../plan/build-plan.js';
import type { PlannedPhase, PlannedRule } from '../plan/types.js';
import type { PhaseReport, RuleReport } from '../report/types.js';
import { hashRule } from '../rules/hash-rule.js';
import { buildHighWaterStatement } from '../sql/build-statements.js';
import { countRemaining, type PendingCount } from './count-remaining.js';
import { buildPageCountStatement } from '../sql/build-page-statements.js';
import { heldSql } from '../sql/build-predicates.js';
import { buildCheckpointDelete, buildCheckpointUpsert, readCheckpoint, type Checkpoint } from '../state/checkpoints.js';
import { walkPhase, type PhaseWalkState } from './walk-phase.js';
import { buildRangeCheckpointsDelete } from '../state/range-checkpoints.js';
import { readLastLedgerHash } from '../state/ledger.js';
import { finishRuleRun, insertRuleRun, markInterrupted } from '../state/runs.js';
import { createHash } from 'node:crypto';
import { keyId, legacyKeyId } from '../strategies/index.js';
import { findLockHolder, tryLockRule, unlockRule } from './advisory-lock.js';
import type { Connection, ExecuteOptions } from './types.js';

/** Why a rule stopped before finishing; undefined while it may go on. */
function stopReason(options: ExecuteOptions): string | undefined {
  if (options.signal.aborted) return (options.signal.reason as Error)?.message ?? 'stopped by a signal';
  if (options.deadline !== undefined && Date.now() >= options.deadline) return '--max-runtime reached';
  return undefined;
}

function secretNamesOf(planned: PlannedRule): string[] {
  return [...new Set(planned.phases.flatMap((window) => window.changes.flatMap((change) => (change.strategy.kind === 'hash' ? [change.strategy.secretEnv] : []))))].sort();
}

/**
 * The secrets' id: which key a pseudonymizing run used, never the key itself.
 * One key: HMAC(key, label); several: a digest of their names and ids.
 */
export function keyIdOf(planned: PlannedRule, readSecret: (name: string) => string | undefined): string | null {
  const names = secretNamesOf(planned);
  if (names.length === 0) return null;
  if (names.length === 1) return keyId(readSecret(names[0]!) ?? '');
  const ids = names.map((name) => `${name}=${keyId(readSecret(name) ?? '')}`).join('\n');
  return createHash('sha256').update(ids).digest('hex').slice(0, 16);
}

/** The id versions before 0.2 wrote into checkpoints (a bare SHA-256): compared, never stored. */
function legacyKeyIdOf(planned: PlannedRule, readSecret: (name: string) => string | undefined): string | null {
  const names = secretNamesOf(planned);
  if (names.length === 0) return null;
  return legacyKeyId(names.map((name) => `${name}=${readSecret(name) ?? ''}`).join('\n'));
}

/**
 * Runs every phase of one rule on its own connection, holding the rule's
 * advisory lock; resumes an unfinished run of the same rule when the rule is
 * unchanged. Returns a report for the rule instead of throwing half-way.
 */
export async function runRule(plannedAtNow: PlannedRule, options: ExecuteOptions, now: Date, pendingCounts?: PendingCount[]): Promise<RuleReport> {
  const base = { id: plannedAtNow.rule.id, category: plannedAtNow.rule.category, table: plannedAtNow.table.qualified.replace(/"/g, '') };
  let connection = await options.connect();
  let state: PhaseWalkState | undefined;
  try {
    if (!(await tryLockRule(connection, base.id))) {
      const holder = await findLockHolder(connection, base.id);
      options.logger.info('rule skipped: another run holds its lock', { rule: base.id, pid: holder?.pid, applicationName: holder?.applicationName });
      return { ...base, status: 'skipped', phases: [], lockedBy: holder };
    }
    const ruleHash = hashRule(plannedAtNow.rule, plannedAtNow.holdsSubjects);
    const keyIdentity = keyIdOf(plannedAtNow, options.readSecret);
    const checkpoint = await startOrResume(connection, plannedAtNow, options, now, ruleHash, keyIdentity);
    let phases: PhaseReport[] = [];
    // Stopped before this rule began: its checkpoint is written all the same, so the next run
    // continues with this run's now rather than a later one (docs/run.md, Resuming).
    const stoppedEarly = stopReason(options);
    if (stoppedEarly) {
      const stoppedBecause = `${stoppedEarly} before the rule started`;
      await finishRuleRun(connection, options.stateSchema, { runId: options.runId, ruleId: base.id, status: 'partial', stopReason: stoppedBecause, rowsAffected: 0, phases: [] });
      await unlockRule(connection, base.id);
      return { ...base, status: 'partial', phases: [], stoppedBecause };
    }
    try {
      const planned = replanAt(plannedAtNow, checkpoint.logicalNow);
      phases = planned.phases.map((window) => emptyPhaseReport(window));
      state = { connection, checkpoint, prevHash: await readLastLedgerHash(connection, options.stateSchema, base.id) };
      let stoppedBecause: string | undefined;
      for (let position = checkpoint.phasePosition; position < planned.phases.length; position++) {
        const window = planned.phases[position]!;
        const report = phases[position]!;
        const fromStart = !(state.checkpoint.phasePosition === position && state.checkpoint.lastKey);
        state.metLockedRows = false;
        stoppedBecause = await walkPhase(state, { planned, window, position, ruleHash, report }, options, () => stopReason(options));
        connection = state.connection;
        if (stoppedBecause) break;
        state.checkpoint = { ...state.checkpoint, phasePosition: position + 1, lastKey: null };
        await connection.query(buildCheckpointUpsert(options.stateSchema, state.checkpoint));
        // Counted after the whole run when the caller collects them (rules sharing tables may still be running).
        const count: PendingCount = { planned, window, report, ...walkedUpTo(planned, window, state, fromStart && !report.failed) };
        if (pendingCounts) pendingCounts.push(count);
        else await countRemaining(connection, count);
      }
      const failedRows = phases.reduce((sum, phase) => sum + (phase.failed ?? 0), 0);
      const status = stoppedBecause || failedRows > 0 ? 'partial' : 'done';
      if (!stoppedBecause) {
        await connection.query(buildCheckpointDelete(options.stateSchema, checkpointIdOf(options, base.id)));
        await connection.query(buildRangeCheckpointsDelete(options.stateSchema, base.id));
      }
      const rowsAffected = phases.reduce((sum, phase) => sum + phase.affected, 0);
      // Rows a value broke are left unchanged and named in the report; the rest of the rule is done.
      const error = failedRows > 0 ? { code: 'ROWS_FAILED', message: `${failedRows} row${failedRows === 1 ? '' : 's'} left unchanged: a value broke the strategy (see failedRows)` } : undefined;
      await finishRuleRun(connection, options.stateSchema, { runId: options.runId, ruleId: base.id, status, stopReason: stoppedBecause ?? error?.message ?? null, rowsAffected, phases });
      await unlockRule(connection, base.id);
      return { ...base, status, phases, ...(stoppedBecause ? { stoppedBecause } : {}), ...(error ? { error } : {}) };
    } catch (error) {
      // Batches committed before the failure stay committed: report them (partial), record the failure without
      // any value the server quoted, and keep the checkpoint for a resume.
      const code = isLetheError(error) ? error.code : 'SQL_FAILED';
      const message = describeError(error);
      const rowsAffected = phases.reduce((sum, phase) => sum + phase.affected, 0);
      const committed = phases.some((phase) => (phase.batches ?? 0) > 0 || phase.affected > 0);
      const status = committed ? 'partial' : 'failed';
      const current = state?.connection ?? connection;
      await finishRuleRun(current, options.stateSchema, { runId: options.runId, ruleId: base.id, status, stopReason: message, rowsAffected, phases }).catch(() => undefined);
      await unlockRule(current, base.id).catch(() => undefined);
      options.logger.error('rule failed', { rule: base.id, code, error: message, rowsAffected });
      return { ...base, status, phases: committed ? phases : [], error: withCause({ code, message }, error) };
    }
  } finally {
    // After a reconnect the walk holds a newer connection than the one opened here.
    await (state?.connection ?? connection).end().catch(() => undefined);
  }
}

/** Resume the rule's checkpoint when the rule (and pseudonym key) are unchanged; else start afresh. */
async function startOrResume(connection: Connection, planned: PlannedRule, options: ExecuteOptions, now: Date, ruleHash: string, keyIdentity: string | null): Promise<Checkpoint> {
  const existing = await readCheckpoint(connection, options.stateSchema, checkpointIdOf(options, planned.rule.id));
  if (existing && existing.ruleHash === ruleHash && !options.restart) {
    // A checkpoint from an older version names the key by a bare hash: the same key still resumes it, and the
    // checkpoint written below carries the new id from then on.
    if (existing.keyId !== keyIdentity && existing.keyId !== legacyKeyIdOf(planned, options.readSecret)) {
      throw new LetheError('CHECKPOINT_MISMATCH', `rule '${planned.rule.id}': the unfinished run used another pseudonym key`, {
        hint: 'resume with the key the run started with; pseudonyms from two keys would not match',
      });
    }
    options.logger.info('resuming unfinished run', { rule: planned.rule.id, fromRun: existing.runId, logicalNow: existing.logicalNow.toISOString() });
    await markInterrupted(connection, options.stateSchema, existing.runId, planned.rule.id);
    await insertRuleRun(connection, options.stateSchema, { runId: options.runId, ruleId: planned.rule.id, ruleHash, keyId: keyIdentity, logicalNow: existing.logicalNow });
    const resumed = { ...existing, runId: options.runId, keyId: keyIdentity };
    await connection.query(buildCheckpointUpsert(options.stateSchema, resumed));
    return resumed;
  }
  if (existing) {
    options.logger.info(options.restart ? 'discarding the unfinished run (--restart): starting afresh' : 'rule changed since the unfinished run: starting afresh', { rule: planned.rule.id, fromRun: existing.runId });
    await markInterrupted(connection, options.stateSchema, existing.runId, planned.rule.id);
  }
  // A table walked only by pages may have no key, hence no highest key.
  const highWater = planned.key.length > 0 ? await connection.query<string[]>({ ...buildHighWaterStatement(planned), rowMode: 'array' }) : { rows: [] };
  const pages = await connection.query<{ pages: string }>(buildPageCountStatement(planned));
  const checkpoint: Checkpoint = {
    ruleId: checkpointIdOf(options, planned.rule.id),
    runId: options.runId,
    ruleHash,
    keyId: keyIdentity,
    logicalNow: now,
    highWater: (highWater.rows[0] as unknown as string[] | undefined) ?? null,
    highWaterPages: Number(pages.rows[0]?.pages ?? 0),
    phasePosition: 0,
    lastKey: null,
  };
  await insertRuleRun(connection, options.stateSchema, { runId: options.runId, ruleId: planned.rule.id, ruleHash, keyId: keyIdentity, logicalNow: now });
  await connection.query(buildCheckpointUpsert(options.stateSchema, checkpoint));
  return checkpoint;
}

/**
 * A walk by pages that covered every page up to its frozen end in this run, without meeting a
 * locked row or failing one, on a rule without holds, did every row the phase could select there:
 * the count afterwards need only look at pages added since (count-remaining.ts).
 */
function walkedUpTo(planned: PlannedRule, window: PlannedPhase, state: PhaseWalkState, fromStart: boolean): { walkedUpTo?: number; provenDone?: boolean } {
  if (window.walk !== 'pages' || !fromStart || state.metLockedRows || (state.checkpoint.highWaterPages ?? 0) <= 0) return {};
  if (heldSql(planned) !== 'false') return {};
  return window.phase.action === 'delete' ? { walkedUpTo: state.checkpoint.highWaterPages! } : { provenDone: true };
}

function checkpointIdOf(options: ExecuteOptions, ruleId: string): string {
  return options.checkpointIdOf ? options.checkpointIdOf(ruleId) : ruleId;
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
  };
}

