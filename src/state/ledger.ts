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

/**
 * Appends a batch's row. The batch takes the ledger's head lock shared before
 * its row gets a seq and keeps it to commit, so a head read under the lock
 * (readLedgerHead) never misses a row with a smaller seq that commits later.
 */
export function buildLedgerInsert(schema: string, entry: LedgerEntry, prevHash: string | null): { statement: Statement; hash: string } {
  const hash = hashLedgerEntry(entry, prevHash);
  return {
    hash,
    statement: {
      text: `WITH head_guard AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared($12::bigint))
INSERT INTO ${quoteIdent(schema)}.ledger (run_id, rule_id, rule_hash, phase_after, action, rows_affected, key_from, key_to, batch_ms, prev_hash, hash)
SELECT $1::uuid, $2::text, $3::text, $4::text, $5::text, $6::jsonb, $7::text[], $8::text[], $9::integer, $10::text, $11::text FROM head_guard`,
      values: [
        entry.runId, entry.ruleId, entry.ruleHash, entry.phaseAfter, entry.action, JSON.stringify(entry.rowsAffected), entry.keyFrom, entry.keyTo, Math.round(entry.batchMs), prevHash, hash,
        headLockKey(schema).toString(),
      ],
    },
  };
}

/** The advisory lock a head read takes exclusively and every ledger append takes shared. */
export function headLockKey(schema: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${createHash('sha256').update(`lethe:ledger-head:${schema}`).digest('hex').slice(0, 16)}`));
}

/**
 * The chain head: the last seq and a digest of every rule chain's last hash up
 * to it. Kept outside the database, it proves later that no row at or before
 * it was deleted or rewritten (status --verify-head).
 */
export interface LedgerHead {
  seq: number;
  hash: string;
}

export function digestHead(seq: number, lastHashes: Map<string, string>): string {
  const chains = [...lastHashes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify([seq, chains])).digest('hex');
}

export function formatHead(head: LedgerHead): string {
  return `${head.seq}:${head.hash}`;
}

/** `SEQ:HASH` as printed by run reports and status; undefined when it is not one. */
export function parseHead(text: string): LedgerHead | undefined {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  return match ? { seq: Number(match[1]), hash: match[2]! } : undefined;
}

/** The last seq that is committed with everything before it: waits for batches appending right now. */
async function readSettledSeq(client: SqlClient, schema: string): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [headLockKey(schema).toString()]);
    const result = await client.query<{ seq: string | null }>(`SELECT max(seq)::text AS seq FROM ${quoteIdent(schema)}.ledger`);
    await client.query('COMMIT');
    return Number(result.rows[0]?.seq ?? 0);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The head now, from each rule chain's last row (a loose index scan: one probe per rule, not per row). */
export async function readLedgerHead(client: SqlClient, schema: string): Promise<LedgerHead> {
  const seq = await readSettledSeq(client, schema);
  const ledger = `${quoteIdent(schema)}.ledger`;
  const result = await client.query<{ rule_id: string; hash: string }>(
    `WITH RECURSIVE rules AS (
  (SELECT rule_id FROM ${ledger} WHERE seq <= $1 ORDER BY rule_id LIMIT 1)
  UNION ALL
  SELECT (SELECT l.rule_id FROM ${ledger} l WHERE l.rule_id > rules.rule_id AND l.seq <= $1 ORDER BY l.rule_id LIMIT 1) FROM rules WHERE rules.rule_id IS NOT NULL
)
SELECT r.rule_id, (SELECT l.hash FROM ${ledger} l WHERE l.rule_id = r.rule_id AND l.seq <= $1 ORDER BY l.seq DESC LIMIT 1) AS hash
FROM rules r WHERE r.rule_id IS NOT NULL`,
    [seq],
  );
  return { seq, hash: digestHead(seq, new Map(result.rows.map((row) => [row.rule_id, row.hash]))) };
}

export async function readLastLedgerHash(client: SqlClient, schema: string, ruleId: string): Promise<string | null> {
  const result = await client.query<{ hash: string }>(`SELECT hash FROM ${quoteIdent(schema)}.ledger WHERE rule_id = $1 ORDER BY seq DESC LIMIT 1`, [ruleId]);
  return result.rows[0]?.hash ?? null;
}

export interface LedgerVerification {
  verified: boolean;
  batches: number;
  brokenAt: number | null;
  /** The head of the verified ledger: keep it outside the database and pass it to --verify-head later. */
  head: LedgerHead | null;
  /** With --verify-head: whether the ledger still holds that head, and why not. */
  verifiedHead?: { seq: number; hash: string; found: boolean; problem: string | null };
}

type LedgerRow = {
  seq: string; run_id: string; rule_id: string; rule_hash: string; phase_after: string; action: string;
  rows_affected: Record<string, number>; key_from: string[] | null; key_to: string[] | null; batch_ms: number; prev_hash: string | null; hash: string;
};

/** Rows per page while verifying: memory stays flat however long the ledger is. */
export const VERIFY_PAGE_ROWS = 5_000;

/**
 * Walks every rule's chain in seq order, a page at a time; the first row whose
 * hash does not match is the broken link. With `expected`, also proves the
 * ledger still holds that head: the digest of the chains up to its seq must
 * be the one recorded (a deleted tail or a rewritten row changes it).
 */
export async function verifyLedger(client: SqlClient, schema: string, options: { expected?: LedgerHead; pageRows?: number } = {}): Promise<LedgerVerification> {
  const pageRows = options.pageRows ?? VERIFY_PAGE_ROWS;
  const end = await readSettledSeq(client, schema);
  const lastHash = new Map<string, string>();
  let brokenAt: number | null = null;
  let batches = 0;
  let after = 0;
  let headAtExpected: string | undefined;
  const expected = options.expected;
  if (expected && expected.seq === 0) headAtExpected = digestHead(0, new Map());
  for (;;) {
    const page = await client.query<LedgerRow>(
      `SELECT seq::text, run_id::text, rule_id, rule_hash, phase_after, action, rows_affected, key_from, key_to, batch_ms, prev_hash, hash
         FROM ${quoteIdent(schema)}.ledger AS ledger WHERE ledger.seq > $1 AND ledger.seq <= $2 ORDER BY ledger.seq LIMIT $3`,
      [after, end, pageRows],
    );
    for (const row of page.rows) {
      const seq = Number(row.seq);
      // The head covers every row up to its seq: the digest is taken just before the first row past it.
      if (expected && headAtExpected === undefined && seq > expected.seq) headAtExpected = digestHead(expected.seq, lastHash);
      const entry: LedgerEntry = {
        runId: row.run_id, ruleId: row.rule_id, ruleHash: row.rule_hash, phaseAfter: row.phase_after, action: row.action,
        rowsAffected: row.rows_affected, keyFrom: row.key_from, keyTo: row.key_to, batchMs: row.batch_ms,
      };
      if (row.prev_hash !== (lastHash.get(row.rule_id) ?? null) || hashLedgerEntry(entry, row.prev_hash) !== row.hash) {
        brokenAt = seq;
        break;
      }
      lastHash.set(row.rule_id, row.hash);
      batches += 1;
    }
    if (brokenAt !== null || page.rows.length < pageRows) break;
    after = Number(page.rows[page.rows.length - 1]!.seq);
  }
  const verification: LedgerVerification = { verified: brokenAt === null, batches, brokenAt, head: brokenAt === null ? { seq: end, hash: digestHead(end, lastHash) } : null };
  if (expected) {
    if (headAtExpected === undefined && brokenAt === null && expected.seq <= end) headAtExpected = digestHead(expected.seq, lastHash);
    const problem =
      expected.seq > end
        ? `the ledger ends at seq ${end}, before the head's seq ${expected.seq}: its tail was deleted`
        : brokenAt !== null && brokenAt <= expected.seq
          ? `the chain breaks at seq ${brokenAt}, before the head`
          : headAtExpected !== expected.hash
            ? `rows at or before seq ${expected.seq} were deleted or rewritten: the chains no longer end where the head says`
            : null;
    verification.verifiedHead = { ...expected, found: problem === null, problem };
    if (problem) verification.verified = false;
  }
  return verification;
}
