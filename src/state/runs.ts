import type { SqlClient } from '../db/sql-client.js';
import { quoteIdent } from '../sql/quote.js';

export async function insertRun(client: SqlClient, schema: string, run: { runId: string; mode: string; logicalNow: Date }): Promise<void> {
  await client.query(`INSERT INTO ${quoteIdent(schema)}.runs (run_id, mode, logical_now) VALUES ($1, $2, $3)`, [run.runId, run.mode, run.logicalNow.toISOString()]);
}

export async function finishRun(client: SqlClient, schema: string, runId: string, status: string, stopReason: string | null, report: unknown): Promise<void> {
  await client.query(`UPDATE ${quoteIdent(schema)}.runs SET finished_at = clock_timestamp(), status = $2, stop_reason = $3, report = $4::jsonb WHERE run_id = $1`, [
    runId,
    status,
    stopReason,
    JSON.stringify(report),
  ]);
}

export async function insertRuleRun(
  client: SqlClient,
  schema: string,
  row: { runId: string; ruleId: string; ruleHash: string; keyId: string | null; logicalNow: Date },
): Promise<void> {
  await client.query(
    `INSERT INTO ${quoteIdent(schema)}.rule_runs (run_id, rule_id, rule_hash, key_id, logical_now) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (run_id, rule_id) DO NOTHING`,
    [row.runId, row.ruleId, row.ruleHash, row.keyId, row.logicalNow.toISOString()],
  );
}

export async function finishRuleRun(
  client: SqlClient,
  schema: string,
  row: { runId: string; ruleId: string; status: string; stopReason: string | null; rowsAffected: number; phases: unknown },
): Promise<void> {
  await client.query(
    `UPDATE ${quoteIdent(schema)}.rule_runs SET finished_at = clock_timestamp(), status = $3, stop_reason = $4, rows_affected = $5, phases = $6::jsonb
      WHERE run_id = $1 AND rule_id = $2`,
    [row.runId, row.ruleId, row.status, row.stopReason, row.rowsAffected, JSON.stringify(row.phases)],
  );
}

/**
 * A run killed mid-way never finished its rows; the run that takes over its
 * checkpoint closes them as interrupted, so status does not show them running.
 */
export async function markInterrupted(client: SqlClient, schema: string, runId: string, ruleId: string): Promise<void> {
  await client.query(`UPDATE ${quoteIdent(schema)}.rule_runs SET status = 'interrupted', finished_at = clock_timestamp() WHERE run_id = $1 AND rule_id = $2 AND status = 'running'`, [runId, ruleId]);
  await client.query(
    `UPDATE ${quoteIdent(schema)}.runs SET status = 'interrupted', finished_at = clock_timestamp()
      WHERE run_id = $1 AND status = 'running' AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(schema)}.rule_runs WHERE run_id = $1 AND status = 'running')`,
    [runId],
  );
}

/** A rule run's phases again, once counts taken after the whole run are in (remaining, candidates). */
export async function updateRuleRunPhases(client: SqlClient, schema: string, row: { runId: string; ruleId: string; phases: unknown }): Promise<void> {
  await client.query(`UPDATE ${quoteIdent(schema)}.rule_runs SET phases = $3::jsonb WHERE run_id = $1 AND rule_id = $2`, [row.runId, row.ruleId, JSON.stringify(row.phases)]);
}

/**
 * SQL (for a WHERE on `alias`, a rule_runs row): the row belongs to a retention run, not an
 * erasure. An erasure's rule runs touch only the requested people: they say nothing about when
 * a rule last completed (--due), its success metric, or the rows its next run may change (guards).
 */
export function retentionRunSql(schema: string, alias: string): string {
  return `NOT EXISTS (SELECT 1 FROM ${quoteIdent(schema)}.runs AS lethe_erase_run WHERE lethe_erase_run.run_id = ${alias}.run_id AND lethe_erase_run.mode = 'erase')`;
}
