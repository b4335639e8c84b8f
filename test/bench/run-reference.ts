import type pg from 'pg';
import type { Sql } from './bench-cases.js';
import { secondsSince, walBytesBetween, walInsertLsn } from './measure.js';

export interface ReferenceRun {
  seconds: number;
  walBytes: number;
  rows: number;
}

/** The bare statement, alone in its own transaction (autocommit), timed around the round trip. */
export async function runReference(client: pg.Client, statement: Sql): Promise<ReferenceRun> {
  const before = await walInsertLsn(client);
  const started = performance.now();
  const result = await client.query<{ count?: number }>(statement.text, statement.values);
  const seconds = secondsSince(started);
  const after = await walInsertLsn(client);
  const rows = result.command === 'SELECT' ? Number(result.rows[0]?.count ?? 0) : (result.rowCount ?? 0);
  return { seconds, walBytes: await walBytesBetween(client, before, after), rows };
}
