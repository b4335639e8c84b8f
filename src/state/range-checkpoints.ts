import type { SqlClient } from '../db/sql-client.js';
import { quoteIdent, type Statement } from '../sql/quote.js';

/** One worker's share of a walk by pages: pages [fromPage, toPage), next to visit nextPage. */
export interface PageRangeCheckpoint {
  part: number;
  fromPage: number;
  toPage: number;
  nextPage: number;
}

/** The rule checkpoint's position while its phase is walked in ranges: `ranges:N`. */
export const RANGES_MARKER = 'ranges:';

export function buildRangeProgressUpdate(schema: string, ruleId: string, part: number, nextPage: number): Statement {
  return {
    text: `UPDATE ${quoteIdent(schema)}.range_checkpoints SET next_page = $3, updated_at = clock_timestamp() WHERE rule_id = $1 AND part = $2`,
    values: [ruleId, part, nextPage],
  };
}

/** The ranges of the rule's current phase (empty when there are none). */
export async function readRangeCheckpoints(client: SqlClient, schema: string, ruleId: string, phasePosition: number): Promise<PageRangeCheckpoint[]> {
  const result = await client.query<{ part: number; from_page: string; to_page: string; next_page: string }>(
    `SELECT part, from_page::text, to_page::text, next_page::text FROM ${quoteIdent(schema)}.range_checkpoints WHERE rule_id = $1 AND phase_position = $2 ORDER BY part`,
    [ruleId, phasePosition],
  );
  return result.rows.map((row) => ({ part: row.part, fromPage: Number(row.from_page), toPage: Number(row.to_page), nextPage: Number(row.next_page) }));
}

/** Replaces the rule's ranges (inside the caller's transaction, with the rule checkpoint that points at them). */
export async function writeRangeCheckpoints(client: SqlClient, schema: string, ruleId: string, runId: string, phasePosition: number, ranges: PageRangeCheckpoint[]): Promise<void> {
  await client.query(buildRangeCheckpointsDelete(schema, ruleId));
  await client.query(
    `INSERT INTO ${quoteIdent(schema)}.range_checkpoints (rule_id, part, run_id, phase_position, from_page, to_page, next_page)
SELECT $1, part, $2::uuid, $3, from_page, to_page, next_page FROM unnest($4::int[], $5::bigint[], $6::bigint[], $7::bigint[]) AS r(part, from_page, to_page, next_page)`,
    [ruleId, runId, phasePosition, ranges.map((range) => range.part), ranges.map((range) => range.fromPage), ranges.map((range) => range.toPage), ranges.map((range) => range.nextPage)],
  );
}

export function buildRangeCheckpointsDelete(schema: string, ruleId: string): Statement {
  return { text: `DELETE FROM ${quoteIdent(schema)}.range_checkpoints WHERE rule_id = $1`, values: [ruleId] };
}

/** Splits pages [from, to) into at most `parts` disjoint ranges of at least `minimum` pages each. */
export function splitPages(from: number, to: number, parts: number, minimum: number): PageRangeCheckpoint[] {
  const total = Math.max(0, to - from);
  const count = Math.max(1, Math.min(parts, Math.floor(total / Math.max(1, minimum))));
  const ranges: PageRangeCheckpoint[] = [];
  for (let part = 0; part < count; part++) {
    const fromPage = from + Math.floor((total * part) / count);
    const toPage = from + Math.floor((total * (part + 1)) / count);
    ranges.push({ part, fromPage, toPage, nextPage: fromPage });
  }
  return ranges;
}
