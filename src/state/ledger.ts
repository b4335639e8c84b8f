import { createHash } from 'node:crypto';
import type { SqlClient } from '../db/sql-client.js';
import { quoteIdent, type Statement } from '../sql/quote.js';

/** What one batch did: counts and key ranges, never a personal value. */
export interface LedgerEntry {
  runId: string;
  ruleId: string;
  ruleHash: string;
  phaseAfter: string;
  action: string;
  rowsAffected: Record<string, number>;
  keyFrom: string[] | null;
  keyTo: string[] | null;
  batchMs: number;
}

/** Each row's hash covers its content and the previous row's hash of the same rule. */
export function hashLedgerEntry(entry: LedgerEntry, prevHash: string | null): string {
  const content = [entry.runId, entry.ruleId, entry.ruleHash, entry.phaseAfter, entry.action, sortKeys(entry.rowsAffected), entry.keyFrom, entry.keyTo, prevHash];
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

function sortKeys(record: Record<string, number>): [string, number][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

export function buildLedgerInsert(schema: string, entry: LedgerEntry, prevHash: string | null): { statement: Statement; hash: string } {
  const hash = hashLedgerEntry(entry, prevHash);
  return {
    hash,
    statement: {
      text: `INSERT INTO ${quoteIdent(schema)}.ledger (run_id, rule_id, rule_hash, phase_after, action, rows_affected, key_from, key_to, batch_ms, prev_hash, hash)
VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::text[], $8::text[], $9, $10, $11)`,
      values: [entry.runId, entry.ruleId, entry.ruleHash, entry.phaseAfter, entry.action, JSON.stringify(entry.rowsAffected), entry.keyFrom, entry.keyTo, Math.round(entry.batchMs), prevHash, hash],
    },
  };
}

export async function readLastLedgerHash(client: SqlClient, schema: string, ruleId: string): Promise<string | null> {
  const result = await client.query<{ hash: string }>(`SELECT hash FROM ${quoteIdent(schema)}.ledger WHERE rule_id = $1 ORDER BY seq DESC LIMIT 1`, [ruleId]);
  return result.rows[0]?.hash ?? null;
}

export interface LedgerVerification {
  verified: boolean;
  batches: number;
  brokenAt: number | null;
}

/** Walks every rule's chain in order; the first row whose hash does not match is the broken link. */
export async function verifyLedger(client: SqlClient, schema: string): Promise<LedgerVerification> {
  const result = await client.query<{
    seq: string; run_id: string; rule_id: string; rule_hash: string; phase_after: string; action: string;
    rows_affected: Record<string, number>; key_from: string[] | null; key_to: string[] | null; batch_ms: number; prev_hash: string | null; hash: string;
  }>(`SELECT seq::text, run_id::text, rule_id, rule_hash, phase_after, action, rows_affected, key_from, key_to, batch_ms, prev_hash, hash
        FROM ${quoteIdent(schema)}.ledger AS ledger ORDER BY ledger.seq`);
  const lastHash = new Map<string, string | null>();
  let brokenAt: number | null = null;
  for (const row of result.rows) {
    const expectedPrev = lastHash.get(row.rule_id) ?? null;
    const entry: LedgerEntry = {
      runId: row.run_id, ruleId: row.rule_id, ruleHash: row.rule_hash, phaseAfter: row.phase_after, action: row.action,
      rowsAffected: row.rows_affected, keyFrom: row.key_from, keyTo: row.key_to, batchMs: row.batch_ms,
    };
    if (row.prev_hash !== expectedPrev || hashLedgerEntry(entry, row.prev_hash) !== row.hash) {
      brokenAt = Number(row.seq);
      break;
    }
    lastHash.set(row.rule_id, row.hash);
  }
  return { verified: brokenAt === null, batches: result.rows.length, brokenAt };
}
