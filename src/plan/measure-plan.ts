import { withCause } from '../report/failure-cause.js';
import { trySavepoint, type SqlClient } from '../db/sql-client.js';
import { sqlstateOf, SQLSTATE } from '../db/sqlstate.js';
import { describeError } from '../db/describe-error.js';
import type { PartitionDropReport, PhaseReport, PreviewColumn, Report, RuleReport } from '../report/types.js';
import { countPartitionRows, decidePartitions } from '../execute/decide-partitions.js';
import { orderCascadeTables } from '../sql/build-cascade-predicates.js';
import { heldReasonsSql } from '../sql/build-predicates.js';
import { buildCascadeCountStatement, buildCountStatement } from '../sql/build-statements.js';
import { buildPreviewStatement } from '../sql/build-preview-statement.js';
import { createFittingFakeGenerator, hashInNode, maxCharacters } from '../strategies/index.js';
import { describeStrategy } from '../strategies/describe-strategy.js';
import type { Plan, PlannedPhase, PlannedRule } from './types.js';
import { runsAfterOf } from './order-rules.js';

export interface MeasureOptions {
  mode: 'plan' | 'dry-run';
  previewRows: number;
  /** Previews also show the values after the strategy (--show-values): for a test database only. */
  showValues?: boolean;
  /** Reads a pseudonym secret by its variable name; previews of hash columns need it. */
  readSecret: (name: string) => string | undefined;
  /** List the partitions a delete phase would drop (one count each); default true. */
  describePartitions?: boolean;
}

/** A rough guess for the report: batches of up to 10k rows at the rule's target duration. */
const ESTIMATE_ROWS_PER_BATCH = 10_000;

/**
 * Counts every phase of a plan inside the caller's READ ONLY snapshot. A rule
 * that fails is reported as failed; the others are still measured.
 */
export async function measurePlan(client: SqlClient, plan: Plan, options: MeasureOptions): Promise<Report> {
  const rules: RuleReport[] = [];
  for (const planned of plan.rules) {
    const result = await trySavepoint(client, () => measureRule(client, planned, options));
    rules.push(result.ok ? result.value : failedRule(planned, result.error));
  }
  return { lethe: 1, mode: options.mode, now: plan.now.toISOString(), status: rules.some((rule) => rule.status === 'failed') ? 'failed' : 'ok', rules };
}

async function measureRule(client: SqlClient, planned: PlannedRule, options: MeasureOptions): Promise<RuleReport> {
  const phases: PhaseReport[] = [];
  for (const [position, window] of planned.phases.entries()) {
    // A resumed run does not go back to the phases its unfinished run finished.
    if (planned.resume && position < planned.resume.phasePosition) phases.push(finishedPhase(window));
    else phases.push(await measurePhase(client, planned, window, options));
  }
  const resumes = planned.resume ? { resumes: { runId: planned.resume.runId, now: planned.resume.now.toISOString() } } : {};
  return { id: planned.rule.id, category: planned.rule.category, table: planned.table.qualified.replace(/"/g, ''), status: 'planned', ...resumes, ...runsAfterOf(planned), phases };
}

function finishedPhase(window: PlannedPhase): PhaseReport {
  return { after: window.phase.after.text, action: window.phase.action, cutoff: window.cutoff.toISOString(), candidates: 0, held: 0, affected: 0, oldest: null, status: 'done' };
}

async function measurePhase(client: SqlClient, planned: PlannedRule, window: PlannedPhase, options: MeasureOptions): Promise<PhaseReport> {
  const counted = await client.query<Record<string, string | Date | null>>(buildCountStatement(planned, window));
  const row = counted.rows[0]!;
  const candidates = Number(row.candidates);
  const report: PhaseReport = {
    after: window.phase.after.text,
    action: window.phase.action,
    cutoff: window.cutoff.toISOString(),
    candidates,
    held: Number(row.held),
    affected: 0,
    oldest: row.oldest ? new Date(row.oldest).toISOString() : null,
  };
  const reasons = heldReasonsSql(planned, true);
  if (report.held > 0 && reasons.length > 1) {
    report.heldBy = reasons.map((reason, index) => ({ reason: reason.reason, ...(reason.table ? { table: reason.table } : {}), rows: Number(row[`held_${index}`]) }));
  }
  if (window.phase.action === 'delete' && planned.cascades.length > 0) {
    report.cascades = [];
    for (const by of ['rule', 'database'] as const) {
      for (const table of orderCascadeTables(planned.cascades, by) ?? []) {
        const result = candidates === 0 ? undefined : await client.query<{ rows: string }>(buildCascadeCountStatement(planned, window, table));
        report.cascades.push({ table: table.cascades[0]!.table.qualified.replace(/"/g, ''), by, rows: Number(result?.rows[0]?.rows ?? 0) });
      }
    }
  }
  // A plan names the partitions a run would drop; the run's own count before its guards does not need them.
  if (window.walk === 'partitions' && candidates > 0 && options.describePartitions !== false) await describePartitionDrops(client, planned, window, report);
  const batchRows = Math.min(planned.rule.batch.maxRows, ESTIMATE_ROWS_PER_BATCH);
  report.estimatedBatches = Math.ceil(candidates / batchRows);
  report.estimatedSeconds = Math.round((report.estimatedBatches * planned.rule.batch.targetMs) / 100) / 10;
  if (window.changes.length > 0 && candidates > 0 && options.previewRows > 0) report.preview = await previewPhase(client, planned, window, options);
  return report;
}

async function previewPhase(client: SqlClient, planned: PlannedRule, window: PlannedPhase, options: MeasureOptions): Promise<PreviewColumn[][]> {
  const showValues = options.showValues ?? false;
  const result = await client.query<Record<string, string | number | null>>(buildPreviewStatement(planned, window, options.previewRows, showValues));
  const fake = window.changes.some((change) => change.strategy.kind === 'fake') ? await createFittingFakeGenerator() : undefined;
  return result.rows.map((row) =>
    window.changes.map((change, index): PreviewColumn => {
      const length = row[`length_${index}`];
      const column: PreviewColumn = { column: change.column, before: { type: String(row[`type_${index}`]), length: length === null ? null : Number(length) }, does: describeStrategy(change.strategy) };
      // How fake values are fitted to a varchar(n) column is said always: drawing one shows nothing of the table.
      const fitted = change.strategy.kind === 'fake' && fake ? fake(change.strategy, change.info) : undefined;
      const maxLength = maxCharacters(change.info);
      if (fitted && maxLength !== undefined) column.fit = { maxLength, how: fitted.how };
      if (!showValues) return column;
      let after = fitted ? fitted.value : (row[`after_${index}`] as string | null);
      if (change.strategy.kind === 'hash') {
        const secret = options.readSecret(change.strategy.secretEnv);
        after = secret ? hashInNode(row[`source_${index}`] as string | null, change.info, secret) : `<needs ${change.strategy.secretEnv}>`;
      }
      return { ...column, after };
    }),
  );
}

/** The plan names each partition a run would drop, with its bound and rows. */
async function describePartitionDrops(client: SqlClient, planned: PlannedRule, window: PlannedPhase, report: PhaseReport): Promise<void> {
  const decision = await decidePartitions(client, planned, window);
  const drops: PartitionDropReport[] = [];
  for (const node of decision.drops) {
    const rows = await countPartitionRows(client, node);
    if (rows > 0) drops.push({ partition: `${node.schema}.${node.name}`, bound: node.bound, rows });
  }
  report.partitions = drops;
  if (decision.refusal) report.partitionsNote = decision.refusal;
}

function failedRule(planned: PlannedRule, error: unknown): RuleReport {
  const readOnly = sqlstateOf(error) === SQLSTATE.readOnlySqlTransaction;
  const message = describeError(error);
  return {
    id: planned.rule.id,
    category: planned.rule.category,
    table: planned.table.qualified.replace(/"/g, ''),
    status: 'failed',
    phases: [],
    error: withCause(
      readOnly
        ? { code: 'READ_ONLY_VIOLATION', message: `the rule's SQL tried to write during a read-only dry run (${message}); a rule's fragments must not call functions that write` }
        : { code: 'SQL_FAILED', message },
      error,
    ),
  };
}
