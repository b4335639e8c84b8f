import type { SqlClient } from '../db/sql-client.js';
import { describeError } from '../db/describe-error.js';
import { LetheError } from '../errors.js';
import { quoteIdent } from '../sql/quote.js';
import { STATE_MIGRATIONS } from './migrations.js';

export const DEFAULT_STATE_SCHEMA = 'lethe';

/**
 * Creates or migrates the state schema. Concurrent first runs serialize on a
 * transaction-scoped advisory lock (CREATE ... IF NOT EXISTS alone still races);
 * a run that finds it done does nothing.
 */
export async function ensureStateSchema(client: SqlClient, schema = DEFAULT_STATE_SCHEMA): Promise<void> {
  const s = quoteIdent(schema);
  // Up to date already: do nothing, so a role without CREATE on the database can run.
  if (await isUpToDate(client, schema)) return;
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('lethe.state-migrations'))`);
    // CREATE SCHEMA IF NOT EXISTS checks CREATE on the database even when the schema exists:
    // skip it for a schema an administrator created for the role.
    const present = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
    if (present.rows.length === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied = await client.query<{ version: number }>(`SELECT version FROM ${s}.migrations`);
    const done = new Set(applied.rows.map((row) => row.version));
    for (const migration of STATE_MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql(s));
      await client.query(`INSERT INTO ${s}.migrations (version) VALUES ($1)`, [migration.version]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** ensureStateSchema for a command about to write: a failure is one SQL_FAILED naming the schema and the grant it needs. */
export async function prepareStateSchema(client: SqlClient, schema: string): Promise<void> {
  try {
    await ensureStateSchema(client, schema);
  } catch (error) {
    throw new LetheError('SQL_FAILED', `cannot create or migrate the state schema "${schema}": ${describeError(error)}`, {
      hint: 'the role needs CREATE on the database for the first run (or after an upgrade); nothing was written',
      cause: error,
    });
  }
}

/** Whether the state schema exists yet (status and --due read it without creating it). */
export async function stateSchemaExists(client: SqlClient, schema = DEFAULT_STATE_SCHEMA): Promise<boolean> {
  const result = await client.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${quoteIdent(schema)}.ledger`]);
  return Boolean(result.rows[0]?.present);
}

async function isUpToDate(client: SqlClient, schema: string): Promise<boolean> {
  const present = await client.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${quoteIdent(schema)}.migrations`]);
  if (!present.rows[0]?.present) return false;
  const latest = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${quoteIdent(schema)}.migrations`);
  return (latest.rows[0]?.version ?? 0) >= Math.max(...STATE_MIGRATIONS.map((migration) => migration.version));
}
