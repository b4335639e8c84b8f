import type { Connection } from '../execute/types.js';
import { wrap } from './sql-client.js';
import { SESSION_OPTIONS, SESSION_SETUP, toConnectError } from './connect.js';

/**
 * A dedicated session outside any pool: the advisory lock and the batch
 * transactions live on it, and losing it is noticed, not hidden by a pool.
 */
export async function openConnection(url: string, applicationName: string): Promise<Connection> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, application_name: applicationName, connectionTimeoutMillis: 10_000, options: SESSION_OPTIONS });
  // An idle session killed by the server emits 'error'; the next query reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(SESSION_SETUP);
  } catch (error) {
    throw toConnectError(error, url);
  }
  const pidResult = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const sql = wrap(client);
  return {
    query: sql.query,
    pid: pidResult.rows[0]!.pid,
    end: () => client.end(),
  };
}
