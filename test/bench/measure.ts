import { loadavg } from 'node:os';
import type pg from 'pg';

/** The WAL insert position: `pg_current_wal_lsn()` can miss records not yet written out. */
export async function walInsertLsn(client: pg.Client): Promise<string> {
  const result = await client.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
  return result.rows[0]!.lsn;
}

/** Bytes of WAL between two positions. Cluster-wide: other sessions' writes count too. */
export async function walBytesBetween(client: pg.Client, from: string, to: string): Promise<number> {
  const result = await client.query<{ bytes: string }>('SELECT pg_wal_lsn_diff($2::pg_lsn, $1::pg_lsn)::text AS bytes', [from, to]);
  return Number(result.rows[0]!.bytes);
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Nearest-rank percentile: a value that was actually observed. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function secondsSince(startedMs: number): number {
  return (performance.now() - startedMs) / 1000;
}

export function loadAverage1m(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}
