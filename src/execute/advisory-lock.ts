import { createHash } from 'node:crypto';
import type { SqlClient } from '../db/sql-client.js';

/** One bigint advisory lock per rule id: stable across processes and versions. */
export function lockKeyOf(ruleId: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${createHash('sha256').update(`lethe:rule:${ruleId}`).digest('hex').slice(0, 16)}`));
}

export async function tryLockRule(client: SqlClient, ruleId: string): Promise<boolean> {
  const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [lockKeyOf(ruleId).toString()]);
  return Boolean(result.rows[0]?.locked);
}

export async function unlockRule(client: SqlClient, ruleId: string): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKeyOf(ruleId).toString()]);
}

export interface LockHolder {
  pid: number;
  applicationName: string;
  since: string | null;
}

/** Who holds a rule's lock, from pg_locks and pg_stat_activity (a bigint key is split into classid/objid). */
export async function findLockHolder(client: SqlClient, ruleId: string): Promise<LockHolder | null> {
  const key = BigInt.asUintN(64, lockKeyOf(ruleId));
  const classid = (key >> 32n).toString();
  const objid = (key & 0xffffffffn).toString();
  const result = await client.query<{ pid: number; application_name: string; since: Date | null }>(
    `SELECT l.pid, a.application_name, a.backend_start AS since
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      LIMIT 1`,
    [classid, objid],
  );
  const row = result.rows[0];
  return row ? { pid: row.pid, applicationName: row.application_name ?? '', since: row.since ? new Date(row.since).toISOString() : null } : null;
}
