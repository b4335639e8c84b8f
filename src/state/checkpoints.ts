import type { SqlClient } from '../db/sql-client.js';
import { quoteIdent, type Statement } from '../sql/quote.js';

/** Where an unfinished rule run resumes: its frozen now and high-water mark, and the last key done. */
export interface Checkpoint {
  ruleId: string;
  runId: string;
  ruleHash: string;
  keyId: string | null;
  logicalNow: Date;
  highWater: string[] | null;
  /** Pages in the table when the run started: the end of a walk by physical position. */
  highWaterPages: number | null;
  /** Index into the plan's phases in run order. */
  phasePosition: number;
  /** The last key done (key walk), or `page:N` for the next page to visit (walk by physical position). */
  lastKey: string[] | null;
}

export function buildCheckpointUpsert(schema: string, checkpoint: Checkpoint): Statement {
  return {
    text: `INSERT INTO ${quoteIdent(schema)}.checkpoints (rule_id, run_id, rule_hash, key_id, logical_now, high_water, high_water_pages, phase_position, last_key, updated_at)
VALUES ($1, $2, $3, $4, $5, $6::text[], $9, $7, $8::text[], clock_timestamp())
ON CONFLICT (rule_id) DO UPDATE SET run_id = excluded.run_id, rule_hash = excluded.rule_hash, key_id = excluded.key_id,
  logical_now = excluded.logical_now, high_water = excluded.high_water, high_water_pages = excluded.high_water_pages, phase_position = excluded.phase_position,
  last_key = excluded.last_key, updated_at = excluded.updated_at`,
    values: [
      checkpoint.ruleId,
      checkpoint.runId,
      checkpoint.ruleHash,
      checkpoint.keyId,
      checkpoint.logicalNow.toISOString(),
      checkpoint.highWater,
      checkpoint.phasePosition,
      checkpoint.lastKey,
      checkpoint.highWaterPages,
    ],
  };
}

export function buildCheckpointDelete(schema: string, ruleId: string): Statement {
  return { text: `DELETE FROM ${quoteIdent(schema)}.checkpoints WHERE rule_id = $1`, values: [ruleId] };
}

export async function readCheckpoint(client: SqlClient, schema: string, ruleId: string): Promise<Checkpoint | undefined> {
  return (await readCheckpointRows(client, schema, [ruleId])).get(ruleId);
}

/** The checkpoints of these rules (unfinished runs), by rule id. */
export async function readCheckpoints(client: SqlClient, schema: string, ruleIds: string[]): Promise<Map<string, Checkpoint>> {
  return readCheckpointRows(client, schema, ruleIds);
}

async function readCheckpointRows(client: SqlClient, schema: string, ruleIds: string[]): Promise<Map<string, Checkpoint>> {
  const result = await client.query<{
    rule_id: string; run_id: string; rule_hash: string; key_id: string | null; logical_now: Date; high_water: string[] | null; high_water_pages: string | null; phase_position: number; last_key: string[] | null;
  }>(`SELECT rule_id, run_id::text, rule_hash, key_id, logical_now, high_water, high_water_pages::text, phase_position, last_key FROM ${quoteIdent(schema)}.checkpoints WHERE rule_id = ANY($1::text[])`, [ruleIds]);
  return new Map(
    result.rows.map((row) => [
      row.rule_id,
      {
        ruleId: row.rule_id,
        runId: row.run_id,
        ruleHash: row.rule_hash,
        keyId: row.key_id,
        logicalNow: new Date(row.logical_now),
        highWater: row.high_water,
        highWaterPages: row.high_water_pages === null ? null : Number(row.high_water_pages),
        phasePosition: row.phase_position,
        lastKey: row.last_key,
      },
    ]),
  );
}
