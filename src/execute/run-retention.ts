import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { openConnection } from '../db/open-connection.js';
import { withClient, withReadOnlySnapshot, type SqlClient } from '../db/sql-client.js';
import { LetheError } from '../errors.js';
import { describeError } from '../db/describe-error.js';
import type { Logger } from '../log/logger.js';
import { measurePlan } from '../plan/measure-plan.js';
import { preparePlan } from '../plan/plan-retention.js';
import type { Plan } from '../plan/types.js';
import type { ResumeOptions } from '../plan/resolve-resume.js';
import type { Report } from '../report/types.js';
import type { RuleSet } from '../rules/types.js';
import { DEFAULT_STATE_SCHEMA, prepareStateSchema, stateSchemaExists } from '../state/ensure-state-schema.js';
import { readResumableRules, readRuleHistory } from '../state/read-rule-history.js';
import { findDueRules } from '../schedule/find-due-rules.js';
import { selectRules } from '../plan/build-plan.js';
import { finishRun, insertRun } from '../state/runs.js';
import { readLedgerHead } from '../state/ledger.js';
import { readLedgerKey } from '../state/ledger-keys.js';
import { readCheckedRules, recordCheckedRules } from '../state/checked-rules.js';
import { executePlan } from './execute-plan.js';
import { countClockless, reportLostClocks, rulesWithDerivedClocks } from './count-lost-clocks.js';
import { enforceGuards, type GuardOptions } from '../guard/enforce-guards.js';
import { fingerprintPlan } from '../guard/fingerprint-plan.js';
import { readBlastRadius, readDatabaseNow } from '../guard/read-guard-facts.js';
import { recordGuardOverrides } from '../guard/record-guard-overrides.js';
import type { BatchEvent, ExecuteOptions, ReplicaWaitEvent } from './types.js';
import { createLagTracker } from './replica-lag.js';
import { retryWhileServerAway, type Outage } from '../db/retry-connection.js';
import { requireReplicaLagAccess } from '../check/read-replica-lag-access.js';

export interface RunRetentionOptions {
  url: string;
  now: Date;
  only: string[] | undefined;
  /** Only rules whose schedule fired since their last completed run (or that can resume). */
  due?: boolean;
  batchSize?: number | undefined;
  maxRowsPerSecond?: number | undefined;
  maxReplicaLagMs?: number | undefined;
  maxRuntimeMs?: number | undefined;
  concurrency?: number;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  stateSchema?: string;
  /** Unfinished runs: continue (default, refused when --now names another time), resume or restart. */
  resume?: ResumeOptions;
  signal: AbortSignal;
  logger: Logger;
  readSecret(name: string): string | undefined;
  /** Safety guards: a future `now`, blast radius, a reviewed plan (docs/run.md#safety-guards). */
  guards?: GuardOptions;
  /** Shown the plan's counts before anything is written; returning false writes nothing. */
  confirm?(preview: Report): Promise<boolean>;
  onBatch?(event: BatchEvent): void;
  onReplicaWait?(event: ReplicaWaitEvent): void;
}

/** A real run: check and plan read-only, then execute in batches, recording the run. */
export async function runRetention(db: Knex, ruleSet: RuleSet, options: RunRetentionOptions): Promise<Report> {
  const startedAt = Date.now();
  const stateSchema = options.stateSchema ?? DEFAULT_STATE_SCHEMA;
  const only = options.due ? await selectDueRules(db, ruleSet, options, stateSchema) : options.only;
  if (only && only.length === 0) {
    options.logger.info('no rule is due', { now: options.now.toISOString() });
    return { lethe: 1, mode: 'run', now: options.now.toISOString(), status: 'ok', rules: [] };
  }
  const { plan, preview, overridden, derivedClocks, clocklessBefore, passedChecks } = await withReadOnlySnapshot(db, async (client) => {
    const knownChecks = (await stateSchemaExists(client, stateSchema)) ? await readCheckedRules(client, stateSchema) : new Map();
    const prepared = await preparePlan(client, ruleSet, options.now, only, { ...(options.resume ?? { choice: 'default', explicitNow: false }), stateSchema }, 'write', knownChecks);
    if (prepared.skipped.length > 0) options.logger.info('check: statements not EXPLAINed again (rules and tables unchanged since a run checked them)', { rules: prepared.skipped });
    if (options.maxReplicaLagMs !== undefined) await requireReplicaLagAccess(client);
    requireSecrets(prepared.plan, options.readSecret);
    // Counted before anything is written: the guards, a reviewed plan and the prompt all read these numbers.
    const counted = await measurePlan(client, prepared.plan, { mode: 'dry-run', readSecret: options.readSecret, previewRows: 0, describePartitions: Boolean(options.confirm) });
    const guardInput = {
      now: options.now,
      databaseNow: await readDatabaseNow(client),
      radii: await readBlastRadius(client, prepared.plan, counted, stateSchema),
      counted,
      fingerprint: fingerprintPlan(prepared.plan),
    };
    const passed = enforceGuards(guardInput, options.guards ?? { allowFutureNow: false, overrideGuards: [] });
    const derived = rulesWithDerivedClocks(prepared.plan);
    const clockless = await countClockless(client, derived, { inTransaction: true, logger: options.logger });
    return { plan: prepared.plan, preview: counted, overridden: passed, derivedClocks: derived, clocklessBefore: clockless, passedChecks: prepared.passed };
  });
  if (options.confirm && !(await options.confirm(preview))) {
    throw new LetheError('USAGE', 'run cancelled: nothing was written', { hint: 'pass --yes to run without asking' });
  }
  const runId = randomUUID();
  const ledgerKey = await withClient(db, async (client) => {
    await prepareStateSchema(client, stateSchema);
    await insertRun(client, stateSchema, { runId, mode: 'run', logicalNow: options.now });
    // Only saves the next run its EXPLAINs: a role that may not write it still runs.
    await recordCheckedRules(client, stateSchema, passedChecks).catch((error: unknown) => options.logger.warn('could not record the checked rules', { error: describeError(error) }));
    await recordGuardOverrides(client, stateSchema, runId, plan, overridden);
    return readLedgerKey(client, stateSchema);
  });
  for (const trip of overridden) options.logger.warn('safety guard overridden', { rule: trip.ruleId, guard: trip.guard, detail: trip.message });
  options.logger.info('run started', { runId, rules: plan.rules.length, now: options.now.toISOString() });
  const sleep = (ms: number) => abortableSleep(ms, options.signal);
  const outage: Outage = { since: undefined };
  // The pool's sessions may have died with the server during the run: its last steps wait for it too.
  const afterRun = <T>(what: string, use: (client: SqlClient) => Promise<T>) => retryWhileServerAway(() => withClient(db, use), { logger: options.logger, sleep, what, outage });
  const executeOptions: ExecuteOptions = {
    runId,
    stateSchema,
    batchSize: options.batchSize,
    maxRowsPerSecond: options.maxRowsPerSecond,
    maxReplicaLagMs: options.maxReplicaLagMs,
    deadline: options.maxRuntimeMs === undefined ? undefined : startedAt + options.maxRuntimeMs,
    concurrency: options.concurrency ?? 1,
    lockTimeoutMs: options.lockTimeoutMs ?? 5_000,
    statementTimeoutMs: options.statementTimeoutMs ?? 60_000,
    maxRetries: 5,
    restart: options.resume?.choice === 'restart',
    signal: options.signal,
    logger: options.logger,
    readSecret: options.readSecret,
    ledgerKey,
    // A server that restarts or cuts the session: every (re)connect waits for it within a budget.
    connect: () => retryWhileServerAway(() => openConnection(options.url, `lethe run ${runId.slice(0, 8)}`), { logger: options.logger, sleep, what: 'connect', outage }),
    sleep,
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
    ...(options.onReplicaWait ? { onReplicaWait: options.onReplicaWait } : {}),
    replicaLag: createLagTracker(),
  };
  const executed = await executePlan(plan, executeOptions);
  if (derivedClocks.length > 0) {
    const clocklessAfter = await afterRun('count rows without a clock', (client) => countClockless(client, derivedClocks, { inTransaction: false, logger: options.logger }));
    reportLostClocks(executed, derivedClocks, clocklessBefore, clocklessAfter);
  }
  // The chain head after this run: printed in the report so it can be kept outside the database.
  const report: Report = { ...executed, ledgerHead: await afterRun('read the ledger head', (client) => readLedgerHead(client, stateSchema)) };
  if (overridden.length > 0) report.overriddenGuards = overridden.map(({ ruleId, guard, message }) => ({ ruleId, guard, message }));
  const stopReason = report.rules.find((rule) => rule.stoppedBecause)?.stoppedBecause ?? report.rules.find((rule) => rule.error)?.error?.message ?? null;
  await afterRun('record the run', (client) => finishRun(client, stateSchema, runId, report.status, stopReason, report));
  options.logger.info('run finished', { runId, status: report.status, ms: Date.now() - startedAt });
  return report;
}

/** The ids of the selected rules that are due now (used by run --due and run --dry-run --due). */
export async function selectDueRules(
  db: Knex,
  ruleSet: RuleSet,
  options: Pick<RunRetentionOptions, 'only' | 'now' | 'logger'>,
  stateSchema: string = DEFAULT_STATE_SCHEMA,
): Promise<string[]> {
  const candidates = selectRules(ruleSet.rules, options.only);
  const decisions = await withClient(db, async (client) => {
    const exists = await stateSchemaExists(client, stateSchema);
    const history = exists ? await readRuleHistory(client, stateSchema) : { lastCompleted: new Map<string, Date>() };
    const resumable = exists ? await readResumableRules(client, stateSchema) : new Set<string>();
    return findDueRules(candidates, history.lastCompleted, resumable, options.now);
  });
  for (const decision of decisions) options.logger.info(decision.due ? 'rule is due' : 'rule is not due', { rule: decision.rule.id, reason: decision.reason });
  return decisions.filter((decision) => decision.due).map((decision) => decision.rule.id);
}

/** Every secret a pseudonymizing phase needs must be there before anything is written. */
export function requireSecrets(plan: Plan, readSecret: (name: string) => string | undefined): void {
  for (const planned of plan.rules) {
    for (const window of planned.phases) {
      for (const change of window.changes) {
        if (change.strategy.kind === 'hash' && !readSecret(change.strategy.secretEnv)) {
          throw new LetheError('PSEUDONYM_KEY_MISSING', `rule '${planned.rule.id}': the environment variable ${change.strategy.secretEnv} holding the pseudonym key is not set`, {
            hint: `set ${change.strategy.secretEnv} (from a secret store); nothing was written`,
          });
        }
      }
    }
  }
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The exit code a run report stands for (DESIGN.md's table). */
export function exitCodeOfRun(report: Report, failIfLocked: boolean): number {
  // A rule with an error failed, even when it is partial (batches committed before the error, or rows a value broke).
  const failed = report.rules.filter((rule) => rule.status === 'failed' || rule.error);
  if (failed.length > 0) {
    if (failed.some((rule) => rule.error?.code === 'CHECKPOINT_MISMATCH' || rule.error?.code === 'SAFETY_GUARD')) return 4;
    return 1;
  }
  if (report.rules.some((rule) => rule.status === 'partial')) return 3;
  if (failIfLocked && report.rules.some((rule) => rule.status === 'skipped')) return 5;
  return 0;
}
