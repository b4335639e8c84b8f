import type { Knex } from 'knex';
import type { ClientBase } from 'pg';
import { isConnectionLost } from '../db/sqlstate.js';
import { LetheError } from '../errors.js';
import { applyBench3dSchema } from './apply-schema.js';
import { copyRows } from './copy-rows.js';
import { dropSecondaryIndexesAndForeignKeys } from './defer-indexes.js';
import { planSeedTables } from './plan-seed-tables.js';
import { BENCH3D_TABLES } from './tables.js';

export interface SeedOptions {
  /** 1 ≈ 1,000 users and 20,000 device logs; fractions allowed. */
  scale: number;
  seed: number;
  /** The anchor of every timestamp: the same seed and now give the same rows. */
  now: Date;
  onProgress?: (table: string, rows: number) => void;
  /** Aborting stops at the next chunk and rolls everything back. */
  signal?: AbortSignal;
}

export interface SeedSummary {
  tables: Record<string, number>;
  durationMs: number;
  rowsPerSecond: number;
  deviceLogRowsPerSecond: number;
}

/**
 * Loads deterministic synthetic Bench3D data with COPY, in one transaction: either every table
 * is filled or nothing is. Applies the schema first when it is missing, and refuses a database
 * whose Bench3D tables already hold rows.
 */
export async function seedBench3d(db: Knex, options: SeedOptions): Promise<SeedSummary> {
  checkSeedOptions(options);
  const started = performance.now();
  await applyBench3dSchema(db);
  const tables: Record<string, number> = {};
  let deviceLogMs = 0;
  const client = (await db.client.acquireConnection()) as ClientBase;
  try {
    await client.query('BEGIN');
    // Holding the tables makes "empty" still true when the rows arrive, whoever else seeds.
    await client.query(`LOCK TABLE ${BENCH3D_TABLES.map((t) => `"${t}"`).join(', ')} IN EXCLUSIVE MODE`);
    await refuseFilledTables(client);
    const restoreIndexes = await dropSecondaryIndexesAndForeignKeys(client, BENCH3D_TABLES);
    for (const { target, chunks } of planSeedTables(options.scale, options.seed, options.now)) {
      const tableStarted = performance.now();
      options.onProgress?.(target.table, 0);
      tables[target.table] = await copyRows(client, target, chunks, (rows) => options.onProgress?.(target.table, rows), options.signal);
      if (target.table === 'device_logs') deviceLogMs = performance.now() - tableStarted;
    }
    await restoreIndexes();
    await resetIdentities(client);
    // Fresh statistics, so the first plans over the new rows are sensible. Inside the
    // transaction, ANALYZE counts its own new rows, and a failure still leaves nothing behind.
    await client.query(`ANALYZE ${BENCH3D_TABLES.map((t) => `"${t}"`).join(', ')}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw toSeedError(error, options.signal);
  } finally {
    await db.client.releaseConnection(client);
  }
  const durationMs = performance.now() - started;
  const totalRows = Object.values(tables).reduce((sum, rows) => sum + rows, 0);
  return {
    tables,
    durationMs,
    rowsPerSecond: perSecond(totalRows, durationMs),
    deviceLogRowsPerSecond: perSecond(tables.device_logs ?? 0, deviceLogMs),
  };
}

function checkSeedOptions({ scale, seed, now }: SeedOptions): void {
  if (!Number.isFinite(scale) || scale <= 0) throw new LetheError('CONFIG_INVALID', `scale must be a positive number, got ${scale}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new LetheError('CONFIG_INVALID', `seed must be a non-negative integer, got ${seed}`);
  if (Number.isNaN(now.getTime())) throw new LetheError('CONFIG_INVALID', 'now must be a valid date');
}

async function refuseFilledTables(client: ClientBase): Promise<void> {
  const probes = BENCH3D_TABLES.map((table) => `SELECT '${table}' AS name WHERE EXISTS (SELECT 1 FROM "${table}")`);
  const filled = await client.query<{ name: string }>(probes.join(' UNION ALL '));
  if (filled.rows.length > 0) {
    throw new LetheError('CONFIG_INVALID', `Bench3D tables already hold rows: ${filled.rows.map((row) => row.name).join(', ')}`, {
      hint: 'seed into a fresh database, or empty the Bench3D tables first (seeding never mixes with existing data)',
    });
  }
}

/** Ids were given explicitly, so each identity must continue after the largest one. */
async function resetIdentities(client: ClientBase): Promise<void> {
  for (const table of BENCH3D_TABLES) {
    await client.query(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), coalesce(max(id), 0) + 1, false) FROM "${table}"`);
  }
}

function toSeedError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (error instanceof LetheError) return error;
  if (signal?.aborted) {
    return new LetheError('STOPPED', 'seeding stopped before it finished; nothing was written', {
      hint: 'run lethe seed again to load the data',
      cause: error,
    });
  }
  if (isConnectionLost(error)) {
    return new LetheError('DB_UNREACHABLE', 'lost the database connection while seeding; nothing was written', { cause: error });
  }
  return new LetheError('SQL_FAILED', `seeding failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

function perSecond(rows: number, ms: number): number {
  return ms > 0 ? Math.round((rows * 1000) / ms) : 0;
}
