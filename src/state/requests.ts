import type { SqlClient } from '../db/sql-client.js';
import { quoteIdent } from '../sql/quote.js';

/** A person's outcome in a request: decided before anything is written, `pending` until the request is done. */
export type SubjectStatus = 'pending' | 'done' | 'not-found' | 'held';

export interface StoredRequest {
  requestId: string;
  kind: string | null;
  subjectsDigest: string;
  subjectCount: number;
  status: string;
  logicalNow: Date;
  receipt: unknown;
}

export async function readRequest(client: SqlClient, schema: string, requestId: string): Promise<StoredRequest | undefined> {
  const result = await client.query<{ request_id: string; kind: string | null; subjects_digest: string; subject_count: number; status: string; logical_now: Date; receipt: unknown }>(
    `SELECT request_id, kind, subjects_digest, subject_count, status, logical_now, receipt FROM ${quoteIdent(schema)}.requests WHERE request_id = $1`,
    [requestId],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  return { requestId: row.request_id, kind: row.kind, subjectsDigest: row.subjects_digest, subjectCount: row.subject_count, status: row.status, logicalNow: new Date(row.logical_now), receipt: row.receipt };
}

/** Records a request and its people (as digests) once; a rerun of the same id keeps the first record. */
export async function insertRequest(
  client: SqlClient,
  schema: string,
  row: { requestId: string; kind: string | null; subjectsDigest: string; osUser: string | null; logicalNow: Date; subjects: { digest: string; status: SubjectStatus }[] },
): Promise<void> {
  const s = quoteIdent(schema);
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO ${s}.requests (request_id, kind, subjects_digest, subject_count, os_user, logical_now) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (request_id) DO NOTHING`,
      [row.requestId, row.kind, row.subjectsDigest, row.subjects.length, row.osUser, row.logicalNow.toISOString()],
    );
    await client.query(
      `INSERT INTO ${s}.request_subjects (request_id, digest, status) SELECT $1, digest, status FROM unnest($2::text[], $3::text[]) AS lethe_s(digest, status) ON CONFLICT DO NOTHING`,
      [row.requestId, row.subjects.map((subject) => subject.digest), row.subjects.map((subject) => subject.status)],
    );
    await client.query(`UPDATE ${s}.requests SET status = 'running', finished_at = NULL WHERE request_id = $1`, [row.requestId]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The people of a request as first recorded (a resumed request cannot see who was already erased). */
export async function readRequestSubjects(client: SqlClient, schema: string, requestId: string): Promise<Map<string, SubjectStatus>> {
  const result = await client.query<{ digest: string; status: SubjectStatus }>(`SELECT digest, status FROM ${quoteIdent(schema)}.request_subjects WHERE request_id = $1`, [requestId]);
  return new Map(result.rows.map((row) => [row.digest, row.status]));
}

/** Ties a run (one attempt) to its request: the ledger rows of its runs are the request's counts. */
export async function attachRunToRequest(client: SqlClient, schema: string, runId: string, requestId: string): Promise<void> {
  await client.query(`UPDATE ${quoteIdent(schema)}.runs SET request_id = $2 WHERE run_id = $1`, [runId, requestId]);
}

/** Rows changed per rule and table over every attempt of the request, from the ledger. */
export async function readRequestCounts(client: SqlClient, schema: string, requestId: string): Promise<Map<string, Record<string, number>>> {
  const s = quoteIdent(schema);
  const result = await client.query<{ rule_id: string; rows_affected: Record<string, number> }>(
    `SELECT l.rule_id, l.rows_affected FROM ${s}.ledger AS l JOIN ${s}.runs AS r ON r.run_id = l.run_id WHERE r.request_id = $1 ORDER BY l.seq`,
    [requestId],
  );
  const counts = new Map<string, Record<string, number>>();
  for (const row of result.rows) {
    const sums = counts.get(row.rule_id) ?? {};
    for (const [table, rows] of Object.entries(row.rows_affected)) sums[table] = (sums[table] ?? 0) + rows;
    counts.set(row.rule_id, sums);
  }
  return counts;
}

/** Closes a request: its status, its receipt, and its pending people done once every rule is. */
export async function finishRequest(client: SqlClient, schema: string, row: { requestId: string; status: string; receipt: unknown; subjectsDone: boolean }): Promise<void> {
  const s = quoteIdent(schema);
  await client.query('BEGIN');
  try {
    await client.query(`UPDATE ${s}.requests SET status = $2, receipt = $3::jsonb, finished_at = clock_timestamp() WHERE request_id = $1`, [row.requestId, row.status, JSON.stringify(row.receipt)]);
    if (row.subjectsDone) await client.query(`UPDATE ${s}.request_subjects SET status = 'done' WHERE request_id = $1 AND status = 'pending'`, [row.requestId]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The role and time of the request's first attempt, for the receipt. */
export async function readRequestOrigin(client: SqlClient, schema: string, requestId: string): Promise<{ role: string; osUser: string | null; startedAt: Date; finishedAt: Date | null } | undefined> {
  const result = await client.query<{ db_role: string; os_user: string | null; started_at: Date; finished_at: Date | null }>(
    `SELECT db_role, os_user, started_at, finished_at FROM ${quoteIdent(schema)}.requests WHERE request_id = $1`,
    [requestId],
  );
  const row = result.rows[0];
  return row ? { role: row.db_role, osUser: row.os_user, startedAt: new Date(row.started_at), finishedAt: row.finished_at ? new Date(row.finished_at) : null } : undefined;
}
