import type { SqlClient } from '../db/sql-client.js';
import { quoteIdent } from '../sql/quote.js';
import { retentionRunSql } from './runs.js';

export interface RuleRunSummary {
  ruleId: string;
  runId: string;
  status: string;
  logicalNow: Date;
  startedAt: Date;
  finishedAt: Date | null;
  stopReason: string | null;
  rowsAffected: number;
  phases: unknown;
}

/** The latest run of each rule, and the latest completed one (its logical now drives --due). */
export async function readRuleHistory(client: SqlClient, schema: string): Promise<{ latest: Map<string, RuleRunSummary>; lastCompleted: Map<string, Date> }> {
  const s = quoteIdent(schema);
  const latest = await client.query<{
    rule_id: string; run_id: string; status: string; logical_now: Date; started_at: Date; finished_at: Date | null; stop_reason: string | null; rows_affected: string; phases: unknown;
  }>(`SELECT DISTINCT ON (rule_id) rule_id, run_id::text, status, logical_now, started_at, finished_at, stop_reason, rows_affected::text, phases
        FROM ${s}.rule_runs AS rr WHERE ${retentionRunSql(schema, 'rr')} ORDER BY rule_id, started_at DESC`);
  const done = await client.query<{ rule_id: string; logical_now: Date }>(
    `SELECT rule_id, max(logical_now) AS logical_now FROM ${s}.rule_runs AS rr WHERE status = 'done' AND ${retentionRunSql(schema, 'rr')} GROUP BY rule_id`,
  );
  return {
    latest: new Map(
      latest.rows.map((row) => [
        row.rule_id,
        {
          ruleId: row.rule_id,
          runId: row.run_id,
          status: row.status,
          logicalNow: new Date(row.logical_now),
          startedAt: new Date(row.started_at),
          finishedAt: row.finished_at ? new Date(row.finished_at) : null,
          stopReason: row.stop_reason,
          rowsAffected: Number(row.rows_affected),
          phases: row.phases,
        },
      ]),
    ),
    lastCompleted: new Map(done.rows.map((row) => [row.rule_id, new Date(row.logical_now)])),
  };
}

export async function readResumableRules(client: SqlClient, schema: string): Promise<Set<string>> {
  const result = await client.query<{ rule_id: string }>(`SELECT rule_id FROM ${quoteIdent(schema)}.checkpoints`);
  return new Set(result.rows.map((row) => row.rule_id));
}

/** When each rule last completed a run, by the wall clock (for lethe_last_success_timestamp_seconds). */
export async function readLastSuccess(client: SqlClient, schema: string): Promise<Map<string, Date>> {
  const result = await client.query<{ rule_id: string; finished_at: Date }>(
    `SELECT rule_id, max(finished_at) AS finished_at FROM ${quoteIdent(schema)}.rule_runs AS rr WHERE status = 'done' AND finished_at IS NOT NULL AND ${retentionRunSql(schema, 'rr')} GROUP BY rule_id`,
  );
  return new Map(result.rows.map((row) => [row.rule_id, new Date(row.finished_at)]));
}
