import type { SqlClient } from '../db/sql-client.js';
import type { Plan } from '../plan/types.js';
import type { Report } from '../report/types.js';
import { quoteIdent } from '../sql/quote.js';
import { retentionRunSql } from '../state/runs.js';
import { stateSchemaExists } from '../state/ensure-state-schema.js';
import type { RuleBlastRadius } from './find-guard-trips.js';

/** The database's own clock, read inside the run's first transaction. */
export async function readDatabaseNow(client: SqlClient): Promise<Date> {
  const result = await client.query<{ now: Date }>('SELECT statement_timestamp() AS now');
  return new Date(result.rows[0]!.now);
}

/**
 * The numbers the blast-radius guards compare, per rule: the counted candidates,
 * the table's rows (the planner's estimate, or an exact count where the estimate
 * is missing or below the candidates), and the previous completed run's candidates.
 */
export async function readBlastRadius(client: SqlClient, plan: Plan, counted: Report, stateSchema: string): Promise<RuleBlastRadius[]> {
  const previous = await readPreviousCandidates(client, plan.rules.map((planned) => planned.rule.id), stateSchema);
  const radii: RuleBlastRadius[] = [];
  for (const planned of plan.rules) {
    const report = counted.rules.find((rule) => rule.id === planned.rule.id);
    const candidates = (report?.phases ?? []).reduce((sum, phase) => sum + phase.candidates, 0);
    let tableRows = planned.table.estimatedRows;
    if (!(tableRows > 0) || tableRows < candidates) {
      const exact = await client.query<{ rows: string }>(`SELECT count(*)::text AS rows FROM ${planned.table.qualified}`);
      tableRows = Number(exact.rows[0]!.rows);
    }
    radii.push({ ruleId: planned.rule.id, table: planned.table.qualified.replace(/"/g, ''), guard: planned.rule.guard, candidates, tableRows, previousCandidates: previous.get(planned.rule.id) });
  }
  return radii;
}

async function readPreviousCandidates(client: SqlClient, ruleIds: string[], stateSchema: string): Promise<Map<string, number>> {
  if (ruleIds.length === 0 || !(await stateSchemaExists(client, stateSchema))) return new Map();
  const result = await client.query<{ rule_id: string; candidates: string | null }>(
    `SELECT DISTINCT ON (rule_id) rule_id,
       (SELECT sum((phase->>'candidates')::bigint) FROM jsonb_array_elements(phases) AS phase)::text AS candidates
  FROM ${quoteIdent(stateSchema)}.rule_runs AS rr
 WHERE rule_id = ANY($1::text[]) AND status = 'done' AND jsonb_typeof(phases) = 'array' AND ${retentionRunSql(stateSchema, 'rr')}
 ORDER BY rule_id, started_at DESC`,
    [ruleIds],
  );
  return new Map(result.rows.filter((row) => row.candidates !== null).map((row) => [row.rule_id, Number(row.candidates)]));
}
