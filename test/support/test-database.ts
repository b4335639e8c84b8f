import knex, { type Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { withDatabase } from './find-postgres.js';

export interface TestDatabase {
  name: string;
  url: string;
  db: Knex;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated Bench3D template; only this file uses it. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const template = options.empty ? 'template0' : inject('templateDatabase');
  const name = `lethe_test_${randomBytes(5).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.destroy();
  }
  const url = withDatabase(adminUrl, name);
  const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 6 } });
  return {
    name,
    url,
    db,
    drop: async () => {
      await db.destroy();
      const dropper = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
      try {
        await dropper.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await dropper.destroy();
      }
    },
  };
}

/**
 * The WAL insert position, to pass to walRecordsTouchingDatabase later. Also
 * installs pg_walinspect first, so that its own WAL comes before the mark.
 */
export async function walInsertPosition(db: Knex): Promise<string> {
  await db.raw('CREATE EXTENSION IF NOT EXISTS pg_walinspect');
  const result = await db.raw<{ rows: { lsn: string }[] }>('select pg_current_wal_insert_lsn()::text as lsn');
  return result.rows[0]!.lsn;
}

/**
 * WAL records since `fromLsn` that touch a relation of this database. The WAL
 * position is cluster-wide (other test files, autovacuum, the bgwriter's
 * snapshots move it), so "nothing was written here" is proven record by record
 * with pg_walinspect (PostgreSQL 15+).
 */
export async function walRecordsTouchingDatabase(db: Knex, fromLsn: string): Promise<string[]> {
  const oid = (await db.raw<{ rows: { oid: string }[] }>('select oid::text from pg_database where datname = current_database()')).rows[0]!.oid;
  // Only flushed WAL can be read: a transaction with an xid commits (one commit record, no
  // block of any table) and flushes everything written before it.
  await db.raw('select txid_current()');
  const flushed = (await db.raw<{ rows: { ahead: boolean }[] }>(`select pg_current_wal_flush_lsn() > ?::pg_lsn as ahead`, [fromLsn])).rows[0]!.ahead;
  if (!flushed) return [];
  const records = await db.raw<{ rows: { resource_manager: string; record_type: string; block_ref: string | null }[] }>(
    `select resource_manager, record_type, block_ref from pg_get_wal_records_info(?::pg_lsn, pg_current_wal_flush_lsn())`,
    [fromLsn],
  );
  return records.rows
    // A read may prune dead tuples off a page it visits (Heap2 PRUNE): the server's housekeeping,
    // not a write by the statement. Every other record (Heap INSERT/UPDATE/DELETE/LOCK, Btree ...) counts.
    .filter((record) => !(record.resource_manager === 'Heap2' && record.record_type === 'PRUNE'))
    // Autovacuum's ANALYZE updates pg_statistic in any database at any time: count only the
    // database's own relations (relfilenode >= 16384, FirstNormalObjectId), where a write by
    // Lethe would land; the state schema's absence is checked separately.
    .filter((record) =>
      (record.block_ref ?? '')
        .split(/blkref/)
        .some((ref) => {
          const match = new RegExp(`rel \\d+/${oid}/(\\d+)`).exec(ref);
          return match !== null && Number(match[1]) >= 16384;
        }),
    )
    .map((record) => `${record.resource_manager} ${record.record_type} ${record.block_ref}`);
}
