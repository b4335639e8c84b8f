import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Catalog } from '../catalog/types.js';
import { checkRulesWith } from '../check/check-rules.js';
import { openConnection } from '../db/open-connection.js';
import { withClient, withReadOnlySnapshot, type SqlClient } from '../db/sql-client.js';
import { LetheError } from '../errors.js';
import { retryWhileServerAway, type Outage } from '../db/retry-connection.js';
import { executePlan } from '../execute/execute-plan.js';
import { abortableSleep, requireSecrets } from '../execute/run-retention.js';
import type { BatchEvent, ExecuteOptions } from '../execute/types.js';
import type { Logger } from '../log/logger.js';
import { buildPlan, chooseWalk } from '../plan/build-plan.js';
import { orderPlan } from '../plan/order-rules.js';
import { throwOnErrors } from '../plan/plan-retention.js';
import type { Plan } from '../plan/types.js';
import type { Report } from '../report/types.js';
import { loadFragmentParser } from '../rules/parse-fragment.js';
import { holdsQueryFor, type RuleSet } from '../rules/types.js';
import { DEFAULT_STATE_SCHEMA, prepareStateSchema, stateSchemaExists } from '../state/ensure-state-schema.js';
import { readLedgerHead } from '../state/ledger.js';
import { readLedgerKey } from '../state/ledger-keys.js';
import { attachRunToRequest, finishRequest, insertRequest, readRequest, readRequestCounts, readRequestOrigin, readRequestSubjects, type SubjectStatus } from '../state/requests.js';
import { finishRun, insertRun } from '../state/runs.js';
import { attachSubjects } from './attach-subjects.js';
import { orderEraseRules } from './order-erase-rules.js';
import { buildReceipt, type ReceiptInput } from './build-receipt.js';
import { measureErase, skippedRulesOf, type EraseMeasure } from './measure-erase.js';
import type { Receipt, ReceiptStatus } from './receipt-types.js';
import { selectEraseRules, type EraseSelection } from './select-erase-rules.js';
import { digestSubject, digestSubjectSet } from './subject-digests.js';

export interface EraseOptions {
  url: string;
  now: Date;
  ids: string[];
  /** --kind; undefined: the default kind. */
  kind: string | undefined;
  only: string[] | undefined;
  requestId: string | undefined;
  dryRun: boolean;
  osUser: string | null;
  stateSchema?: string;
  batchSize?: number | undefined;
  maxRuntimeMs?: number | undefined;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  signal: AbortSignal;
  logger: Logger;
  readSecret(name: string): string | undefined;
  /** Shown the dry run's receipt (exact counts, which the erasure cannot exceed); false writes nothing. */
  confirm?(preview: Receipt): Promise<boolean>;
  onBatch?(event: BatchEvent): void;
}

export interface EraseOutcome {
  receipt: Receipt;
  /** The run of this attempt (absent for a dry run or a request already done). */
  report?: Report;
}

interface Prepared {
  plan: Plan;
  measure: EraseMeasure;
  ledgerKey: string | undefined;
  tables: Map<string, string>;
}

/**
 * An erasure request: the people's rows in every rule of their kind get the
 * rule's final action now, whatever their age, through the run's engine
 * (batches, checkpoints, locks, ledger). Counted first in one read-only
 * snapshot; no batch goes beyond those counts.
 */
export async function runErase(db: Knex, ruleSet: RuleSet, options: EraseOptions): Promise<EraseOutcome> {
  const stateSchema = options.stateSchema ?? DEFAULT_STATE_SCHEMA;
  const selection = selectEraseRules(ruleSet, options.kind, options.only);
  const holdsQuery = holdsQueryFor(ruleSet.holds, options.kind);
  if (!options.dryRun && options.requestId) {
    const done = await readFinishedRequest(db, stateSchema, options.requestId, selection.kind, options.ids);
    if (done) return { receipt: done };
  }
  const prepared = await withReadOnlySnapshot(db, (client) => prepareErase(client, ruleSet, selection, options, holdsQuery, stateSchema));
  const base = { requestId: options.requestId ?? null, kind: selection.kind, now: options.now, applied: selection.applied, skipped: selection.skipped, tables: prepared.tables, measure: prepared.measure };
  const statuses = options.ids.map((id) => statusOf(id, prepared.measure));
  const digestsOf = (key: string) => options.ids.map((id) => digestSubject(selection.kind, id, key));
  const previewDigests = prepared.ledgerKey ? digestsOf(prepared.ledgerKey) : undefined;
  const preview = buildReceipt({ ...base, mode: 'dry-run', subjects: statuses.map((status, index) => ({ digest: previewDigests?.[index], status })) });
  if (options.dryRun) return { receipt: preview };
  if (options.confirm && !(await options.confirm(preview))) throw new LetheError('USAGE', 'erase cancelled: nothing was written', { hint: 'pass --yes to erase without asking' });

  const requestId = options.requestId ?? `erase-${randomUUID()}`;
  const runId = randomUUID();
  const startedAt = new Date();
  const { ledgerKey, stored } = await withClient(db, async (client) => {
    await prepareStateSchema(client, stateSchema);
    const key = await readLedgerKey(client, stateSchema);
    const digests = digestsOf(key);
    const existing = await readRequest(client, stateSchema, requestId);
    if (existing && existing.subjectsDigest !== digestSubjectSet(digests)) throw otherSubjects(requestId);
    await insertRequest(client, stateSchema, {
      requestId, kind: selection.kind, subjectsDigest: digestSubjectSet(digests), osUser: options.osUser, logicalNow: options.now,
      subjects: digests.map((digest, index) => ({ digest, status: statuses[index]! })),
    });
    await insertRun(client, stateSchema, { runId, mode: 'erase', logicalNow: options.now });
    await attachRunToRequest(client, stateSchema, runId, requestId);
    return { ledgerKey: key, stored: await readRequestSubjects(client, stateSchema, requestId) };
  });
  options.logger.info('erase started', { requestId, runId, rules: prepared.plan.rules.length, subjects: options.ids.length });
  const executed = await executePlan(withApprovedCounts(prepared.plan, prepared.measure), executeOptionsOf(options, { runId, requestId, stateSchema, ledgerKey, startedAt: startedAt.getTime() }));
  return withClient(db, async (client) => {
    const counts = await readRequestCounts(client, stateSchema, requestId);
    const origin = await readRequestOrigin(client, stateSchema, requestId);
    const digests = digestsOf(ledgerKey);
    const recorded = digests.map((digest) => stored.get(digest) ?? 'pending');
    const status = statusOfRequest(executed, recorded);
    const finished = status === 'done' || status === 'not-found';
    const input: ReceiptInput = {
      ...base,
      requestId,
      mode: 'erase',
      status,
      subjects: digests.map((digest, index) => ({ digest, status: finished && recorded[index] === 'pending' ? 'done' : recorded[index]! })),
      executed: { rules: executed.rules, counts },
      startedAt: origin?.startedAt ?? startedAt,
      finishedAt: new Date(),
      ...(origin ? { requestedBy: { role: origin.role, osUser: origin.osUser } } : {}),
      ledgerHead: await readLedgerHead(client, stateSchema),
    };
    const receipt = buildReceipt(input);
    await finishRequest(client, stateSchema, { requestId, status, receipt, subjectsDone: finished });
    await finishRun(client, stateSchema, runId, executed.status, null, { ...executed, mode: 'erase' });
    options.logger.info('erase finished', { requestId, status });
    return { receipt, report: executed };
  });
}

async function prepareErase(client: SqlClient, ruleSet: RuleSet, selection: EraseSelection, options: EraseOptions, holdsQuery: string | undefined, stateSchema: string): Promise<Prepared> {
  const checked = { ...ruleSet, rules: [...selection.applied, ...selection.skipped.map((skipped) => skipped.rule)] };
  const { problems, catalog } = await checkRulesWith(client, checked, options.now);
  throwOnErrors(problems);
  await loadFragmentParser();
  const applied = { ...ruleSet, rules: selection.applied };
  const plan = orderEraseRules(attachSubjects(orderPlan(buildPlan(applied, catalog, options.now), catalog, ruleSet.holds.subjects), catalog, options.ids));
  requireSecrets(plan, options.readSecret);
  const skipped = skippedRulesOf(selection.skipped.map((entry) => entry.rule), catalog);
  const measure = await measureErase(client, plan, skipped, catalog, options.ids, holdsQuery);
  const ledgerKey = (await stateSchemaExists(client, stateSchema)) ? await readLedgerKey(client, stateSchema).catch(() => undefined) : undefined;
  return { plan, measure, ledgerKey, tables: tableNames(plan, skipped, catalog) };
}

function tableNames(plan: Plan, skipped: ReturnType<typeof skippedRulesOf>, _catalog: Catalog): Map<string, string> {
  return new Map([...plan.rules, ...skipped].map((entry) => [entry.rule.id, entry.table.qualified.replace(/"/g, '')]));
}

function statusOf(id: string, measure: EraseMeasure): SubjectStatus {
  if (measure.held.has(id)) return 'held';
  return measure.found.has(id) ? 'pending' : 'not-found';
}

/**
 * The counts the request showed are the most each rule may change: its own
 * table and the tables Lethe deletes from with it. The walk follows the
 * counts: a few people's rows are visited by key (their index), many people's
 * (a share of the table) by physical pages, one statement per batch, as a run does.
 */
function withApprovedCounts(plan: Plan, measure: EraseMeasure): Plan {
  return {
    ...plan,
    rules: plan.rules.map((planned) => {
      const count = measure.rules.get(planned.rule.id);
      const approved: Record<string, number> = { [planned.table.qualified.replace(/"/g, '')]: count?.candidates ?? 0 };
      for (const cascade of count?.cascades ?? []) if (cascade.by === 'rule') approved[cascade.table] = cascade.rows;
      const lethesCascades = planned.cascades.some((cascade) => cascade.by === 'rule');
      return {
        ...planned,
        phases: planned.phases.map((window) => {
          const byPages = chooseWalk(planned.rule, planned.table, window.phase, lethesCascades) === 'pages' && (count?.candidates ?? 0) >= PAGE_WALK_SHARE * planned.table.estimatedRows;
          return { ...window, approved, walk: byPages ? 'pages' : 'key' };
        }),
      };
    }),
  };
}

/** From this share of a table's rows on, reading every page beats finding the rows by index (measured: docs/erase.md#performance). */
const PAGE_WALK_SHARE = 0.05;

function statusOfRequest(report: Report, subjects: SubjectStatus[]): ReceiptStatus {
  if (report.rules.some((rule) => rule.status === 'failed' || rule.error)) return 'failed';
  if (report.rules.some((rule) => rule.status === 'partial' || rule.status === 'skipped')) return 'stopped';
  return subjects.length > 0 && subjects.every((status) => status === 'not-found') ? 'not-found' : 'done';
}

function executeOptionsOf(options: EraseOptions, run: { runId: string; requestId: string; stateSchema: string; ledgerKey: string; startedAt: number }): ExecuteOptions {
  const sleep = (ms: number) => abortableSleep(ms, options.signal);
  const outage: Outage = { since: undefined };
  return {
    runId: run.runId,
    stateSchema: run.stateSchema,
    batchSize: options.batchSize,
    maxRowsPerSecond: undefined,
    maxReplicaLagMs: undefined,
    deadline: options.maxRuntimeMs === undefined ? undefined : run.startedAt + options.maxRuntimeMs,
    concurrency: 1,
    lockTimeoutMs: options.lockTimeoutMs ?? 5_000,
    statementTimeoutMs: options.statementTimeoutMs ?? 60_000,
    maxRetries: 5,
    signal: options.signal,
    logger: options.logger,
    readSecret: options.readSecret,
    ledgerKey: run.ledgerKey,
    // The receipt counts from the ledger; "still matches" counts after the run would only repeat the work.
    countRemaining: false,
    checkpointIdOf: (ruleId) => `request:${run.requestId}:${ruleId}`,
    // As a run does: a server that restarts or cuts the session is waited for within one budget per outage.
    connect: () => retryWhileServerAway(() => openConnection(options.url, `lethe erase ${run.runId.slice(0, 8)}`), { logger: options.logger, sleep, what: 'connect', outage }),
    sleep,
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
  };
}

function otherSubjects(requestId: string): LetheError {
  return new LetheError('USAGE', `--request-id ${requestId}: that request was made for other people`, {
    hint: 'a rerun resumes a request with exactly the same --subject/--subjects-file ids; use a new request id for other people; nothing was written',
  });
}

/** A request that finished earlier: its stored receipt, marked as already done (read-only; no state yet means none). */
async function readFinishedRequest(db: Knex, stateSchema: string, requestId: string, kind: string, ids: string[]): Promise<Receipt | undefined> {
  return withClient(db, async (client) => {
    const present = await client.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [`"${stateSchema.replace(/"/g, '""')}".requests`]);
    if (!present.rows[0]?.present) return undefined;
    const stored = await readRequest(client, stateSchema, requestId);
    if (!stored) return undefined;
    const key = await readLedgerKey(client, stateSchema);
    if (stored.subjectsDigest !== digestSubjectSet(ids.map((id) => digestSubject(kind, id, key)))) throw otherSubjects(requestId);
    if ((stored.status !== 'done' && stored.status !== 'not-found') || !stored.receipt) return undefined;
    // jsonb keeps no key order: put the receipt's back, with the flag beside its status.
    const receipt = stored.receipt as Receipt;
    const { lethe, receipt: kindOfReceipt, mode, requestId: id, status, ...rest } = receipt;
    return { lethe, receipt: kindOfReceipt, mode, requestId: id, status, alreadyDone: true, ...rest };
  });
}

/** The exit code an erasure stands for (DESIGN.md's table): 3 when it stopped resumable, 5 locked with --fail-if-locked. */
export function exitCodeOfErase(outcome: EraseOutcome, failIfLocked: boolean): number {
  const report = outcome.report;
  if (!report) return 0;
  const failed = report.rules.filter((rule) => rule.status === 'failed' || rule.error);
  if (failed.length > 0) return failed.some((rule) => rule.error?.code === 'SAFETY_GUARD' || rule.error?.code === 'CHECKPOINT_MISMATCH') ? 4 : 1;
  if (report.rules.some((rule) => rule.status === 'skipped')) return failIfLocked ? 5 : 3;
  if (report.rules.some((rule) => rule.status === 'partial')) return 3;
  return 0;
}
