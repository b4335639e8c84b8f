import type { Knex } from 'knex';
import { LetheError } from '../errors.js';
import { bench3dMigrations } from './migrations/index.js';

/**
 * Creates or completes the Bench3D reference schema. Safe to call any number of times and
 * from concurrent processes: applied migrations are recorded in `bench3d_migrations`, and a
 * transaction-scoped advisory lock serializes appliers.
 */
export async function applyBench3dSchema(db: Knex): Promise<void> {
  try {
    await db.transaction(async (trx) => {
      await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('lethe.bench3d_migrations'))`);
      await trx.raw(`
        CREATE TABLE IF NOT EXISTS bench3d_migrations (
          id text PRIMARY KEY,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`);
      const applied = await trx.raw<{ rows: { id: string }[] }>('SELECT id FROM bench3d_migrations');
      const done = new Set(applied.rows.map((row) => row.id));
      for (const migration of bench3dMigrations) {
        if (done.has(migration.id)) continue;
        await trx.raw(migration.sql);
        await trx.raw('INSERT INTO bench3d_migrations (id) VALUES (?)', [migration.id]);
      }
    });
  } catch (error) {
    throw new LetheError('SQL_FAILED', `could not apply the Bench3D schema: ${(error as Error)?.message ?? String(error)}`, {
      hint: 'if the tables were created by hand, use a fresh database or drop them first',
      cause: error,
    });
  }
}
