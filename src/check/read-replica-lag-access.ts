import type { SqlClient } from '../db/sql-client.js';
import { LetheError } from '../errors.js';

/**
 * pg_stat_replication shows a standby's lag columns only to members of pg_read_all_stats
 * (pg_monitor is one) and superusers; to anyone else they are NULL, which would read as
 * "no lag". --max-replica-lag without that privilege is refused rather than silently ignored.
 */
export async function requireReplicaLagAccess(client: SqlClient): Promise<void> {
  const result = await client.query<{ allowed: boolean; role: string }>(
    `SELECT pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS allowed, quote_ident(current_user) AS role`,
  );
  const { allowed, role } = result.rows[0]!;
  if (allowed) return;
  throw new LetheError('PRIVILEGE_MISSING', `--max-replica-lag: role ${role} cannot read replica lag (pg_stat_replication shows its lag columns only to pg_read_all_stats)`, {
    details: [`  fix: GRANT pg_read_all_stats TO ${role};`],
    hint: 'grant pg_read_all_stats (or pg_monitor) to the role, or leave out --max-replica-lag; nothing was written',
  });
}
