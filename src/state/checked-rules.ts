import type { PassedCheck } from '../check/check-rules.js';
import type { ClockType } from '../catalog/types.js';
import type { SqlClient } from '../db/sql-client.js';
import { quoteIdent } from '../sql/quote.js';

/** The rules a run probed without a problem (migration 4); empty before that migration or without the schema. */
export async function readCheckedRules(client: SqlClient, schema: string): Promise<Map<string, PassedCheck>> {
  // Inside the run's read-only snapshot: an error would end it, so a table the role may not read counts as empty.
  const exists = await client.query<{ readable: boolean }>(`SELECT coalesce(has_table_privilege(to_regclass($1), 'SELECT'), false) AS readable`, [`${quoteIdent(schema)}.checked_rules`]);
  if (!exists.rows[0]?.readable) return new Map();
  const result = await client.query<{ rule_id: string; fingerprint: string; clock_type: ClockType }>(`SELECT rule_id, fingerprint, clock_type FROM ${quoteIdent(schema)}.checked_rules`);
  return new Map(result.rows.map((row) => [row.rule_id, { ruleId: row.rule_id, fingerprint: row.fingerprint, clockType: row.clock_type }]));
}

export async function recordCheckedRules(client: SqlClient, schema: string, passed: PassedCheck[]): Promise<void> {
  if (passed.length === 0) return;
  await client.query(
    `INSERT INTO ${quoteIdent(schema)}.checked_rules (rule_id, fingerprint, clock_type, checked_at)
SELECT * , clock_timestamp() FROM unnest($1::text[], $2::text[], $3::text[])
ON CONFLICT (rule_id) DO UPDATE SET fingerprint = excluded.fingerprint, clock_type = excluded.clock_type, checked_at = excluded.checked_at`,
    [passed.map((check) => check.ruleId), passed.map((check) => check.fingerprint), passed.map((check) => check.clockType)],
  );
}
