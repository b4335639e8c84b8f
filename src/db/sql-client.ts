import type { Knex } from 'knex';
import type { QueryResult } from 'pg';
import type { Statement } from '../sql/quote.js';

/**
 * One server connection, used directly: statements carry $n placeholders and
 * rule fragments may contain `?` (jsonb operators) that knex would rewrite.
 */
export interface SqlClient {
  query<R extends object = Record<string, unknown>>(statement: Statement | string, values?: unknown[]): Promise<QueryResult<R>>;
}

interface PgConnection {
  query(config: { text: string; values?: unknown[]; rowMode?: 'array' }): Promise<QueryResult>;
}

export async function withClient<T>(db: Knex, use: (client: SqlClient, raw: PgConnection) => Promise<T>): Promise<T> {
  const connection = (await db.client.acquireConnection()) as PgConnection;
  try {
    return await use(wrap(connection), connection);
  } finally {
    await db.client.releaseConnection(connection);
  }
}

export function wrap(connection: PgConnection): SqlClient {
  return {
    query: async <R extends object>(statement: Statement | string, bound?: unknown[]) => {
      const config = typeof statement === 'string' ? { text: statement, values: bound ?? [] } : statement;
      const text = config.text;
      try {
        return (await connection.query(config)) as unknown as QueryResult<R>;
      } catch (error) {
        if (error && typeof error === 'object') Object.defineProperty(error, 'statement', { value: text, enumerable: false });
        throw error;
      }
    },
  };
}

/**
 * A READ ONLY, REPEATABLE READ transaction: one consistent snapshot, and the
 * server itself refuses any write, even from a function a fragment calls.
 */
export async function withReadOnlySnapshot<T>(db: Knex, use: (client: SqlClient) => Promise<T>): Promise<T> {
  return withClient(db, async (client) => {
    await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`);
    await client.query(`SET LOCAL TimeZone = 'UTC'`);
    try {
      return await use(client);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
    }
  });
}

/** Runs a probe in a savepoint, so one failing statement does not end the transaction. */
export async function trySavepoint<T>(client: SqlClient, use: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  await client.query('SAVEPOINT lethe_probe');
  try {
    const value = await use();
    await client.query('RELEASE SAVEPOINT lethe_probe');
    return { ok: true, value };
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT lethe_probe');
    return { ok: false, error };
  }
}
