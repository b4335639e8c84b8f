import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/state/ledger.js';
import {
  BENCH_NOW,
  createSeededDatabase,
  firstBrokenLink,
  isBatchLine,
  openSession,
  overlappingRanges,
  positionOf,
  readLedger,
  RULES_DIR,
  runLethe,
  startLethe,
  startsAfter,
  tableChecksum,
  waitForNoRunSessions,
  type LedgerRow,
} from '../support/run-helpers.js';
import type { TestDatabase } from '../support/test-database.js';

/**
 * kill -9 at any instant loses nothing and repeats nothing (DESIGN.md, Engine):
 * the built CLI is killed with SIGKILL after its k-th committed batch, run
 * again to completion, and must end exactly where an uninterrupted run on an
 * identical copy ends. Both walks are covered: by physical pages (a plain
 * table) and in key order (a rule with a join). device-logs anonymizes with
 * SQL strategies only, so the final table is deterministic and one checksum
 * compares it whole.
 */

interface Walk {
  /** How the rule's rows are walked (DESIGN.md: key order, or physical pages for a plain table). */
  name: string;
  rule: string;
  batchSize: number;
  /** Batch counts to kill after: a few fixed ones and one at random. */
  kills: number[];
  /** Rows the uninterrupted run changes, per phase, at least. */
  minimumRows: Record<string, number>;
  /** --concurrency: a walk by pages split between this many workers. */
  workers?: number;
}

const WALKS: Walk[] = [
  // A plain table: walked by physical pages; ~180 batches, deleting then anonymizing.
  { name: 'device-logs (plain table)', rule: 'device-logs', batchSize: 50, kills: [1, 3, 7, 8 + Math.floor(Math.random() * 140)], minimumRows: { '180d': 5_000, '30d': 1_000 } },
  // A rule with a join: walked in key order; ~34 batches of 10.
  // The same walk split in page ranges between two workers: each range has its own checkpoint.
  { name: 'device-logs (plain table, 2 workers)', rule: 'device-logs', batchSize: 50, workers: 2, kills: [1, 4, 9 + Math.floor(Math.random() * 120)], minimumRows: { '180d': 5_000, '30d': 1_000 } },
  { name: 'cancelled-accounts-device-logs (joined rule)', rule: 'cancelled-accounts-device-logs', batchSize: 10, kills: [1, 4, 6 + Math.floor(Math.random() * 15)], minimumRows: { '30d': 200 } },
];

const runArgs = (url: string, walk: Walk) => [
  ...['run', '--db', url, '--rules', RULES_DIR, '--yes', '--now', BENCH_NOW, '--batch-size', String(walk.batchSize), '--only', walk.rule, '--format', 'json'],
  ...(walk.workers ? ['--concurrency', String(walk.workers)] : []),
];

function rowsByPhase(ledger: LedgerRow[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const row of ledger) sums[row.phaseAfter] = (sums[row.phaseAfter] ?? 0) + (row.rowsAffected['public.device_logs'] ?? 0);
  return sums;
}

/** Committed batches a run logged (one `"event":"batch"` line after each commit). */
function batchLines(stderr: string): number {
  return stderr.split('\n').filter((line) => line.includes('"event":"batch"')).length;
}

describe.each(WALKS)('lethe run --only $name killed with SIGKILL mid-run, then run again (built CLI)', (walk) => {
  let reference: TestDatabase;
  let referenceChecksum: string;
  let referenceRows: Record<string, number>;
  let referenceBatches: number;
  let referenceBatchLines: number;
  const databases: TestDatabase[] = [];
  /** Databases whose run was killed and resumed, for the ledger checks below. */
  const resumedDatabases: TestDatabase[] = [];

  beforeAll(async () => {
    reference = await createSeededDatabase();
    const outcome = await runLethe(runArgs(reference.url, walk));
    expect(outcome.code, outcome.stderr).toBe(0);
    if (walk.workers) expect(outcome.stderr).toContain('"event":"walk split in page ranges"');
    referenceBatchLines = batchLines(outcome.stderr);
    referenceChecksum = await tableChecksum(reference.db, 'device_logs');
    const ledger = await readLedger(reference.db, walk.rule);
    referenceRows = rowsByPhase(ledger);
    referenceBatches = ledger.length;
  }, 180_000);

  afterAll(async () => {
    await Promise.all([reference?.drop(), ...databases.map((database) => database.drop())]);
  });

  it('the uninterrupted reference run changes many rows in many batches', () => {
    for (const [phase, rows] of Object.entries(walk.minimumRows)) expect(referenceRows[phase], phase).toBeGreaterThan(rows);
    expect(referenceBatches).toBeGreaterThan(Math.max(...walk.kills) + 2);
  });

  it.each(walk.kills)(
    'killed after committed batch %i, a rerun resumes from the checkpoint and ends in the same state as an uninterrupted run, no range applied twice',
    async (k) => {
      const database = await createSeededDatabase();
      databases.push(database);
      const { db } = database;
      expect(await tableChecksum(db, 'device_logs')).not.toBe(referenceChecksum);

      const victim = startLethe(runArgs(database.url, walk));
      await victim.waitForLine(isBatchLine, k);
      victim.child.kill('SIGKILL');
      const killed = await victim.exited;
      expect(killed.signal).toBe('SIGKILL');
      expect(killed.stdout).toBe('');
      // The server ends the dead client's session (and its advisory lock and row locks) once it sees the socket close.
      await waitForNoRunSessions(db);

      const ledgerAfterKill = await readLedger(db, walk.rule);
      const checkpoint = (await db.raw<{ rows: { last_key: string[] | null }[] }>(`SELECT last_key FROM lethe.checkpoints WHERE rule_id = ?`, [walk.rule])).rows;
      expect(checkpoint).toHaveLength(1);
      // The checkpoint is written in each batch's own transaction: it is at or past the last batch that changed rows.
      const lastCommitted = ledgerAfterKill[ledgerAfterKill.length - 1];
      const stoppedAt = checkpoint[0]!.last_key;
      if (walk.workers) {
        // Split in ranges: the rule checkpoint points at them, each range's progress is at or past its last committed batch.
        if (stoppedAt?.[0]?.startsWith('ranges:')) {
          const ranges = (await db.raw<{ rows: { from_page: string; to_page: string; next_page: string; phase_position: number }[] }>(`SELECT from_page, to_page, next_page, phase_position FROM lethe.range_checkpoints WHERE rule_id = ?`, [walk.rule])).rows;
          expect(ranges.length).toBeGreaterThan(1);
          // Phases run in the order the reference ledger shows them.
          const phase = Object.keys(referenceRows)[ranges[0]!.phase_position];
          for (const row of ledgerAfterKill.filter((entry) => entry.phaseAfter === phase)) {
            const end = positionOf(row.keyTo).value;
            const range = ranges.find((candidate) => BigInt(candidate.from_page) < end && end <= BigInt(candidate.to_page));
            if (range) expect(BigInt(range.next_page) >= end).toBe(true);
          }
        }
      } else if (lastCommitted && stoppedAt !== null && positionOf(stoppedAt).byPages === positionOf(lastCommitted.keyTo).byPages) {
        expect(positionOf(stoppedAt).value >= positionOf(lastCommitted.keyTo).value).toBe(true);
      }

      const rerun = await runLethe(runArgs(database.url, walk));
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stderr).toContain('"event":"resuming unfinished run"');
      expect(JSON.parse(rerun.stdout).rules[0].status).toBe('done');
      // With a fixed batch size the walk is the same: the rerun skips at least the k batches committed before the kill.
      expect(batchLines(rerun.stderr)).toBeLessThanOrEqual(referenceBatchLines - k);

      expect(await tableChecksum(db, 'device_logs')).toBe(referenceChecksum);
      const ledger = await readLedger(db, walk.rule);
      expect(overlappingRanges(ledger)).toEqual([]);
      expect(rowsByPhase(ledger)).toEqual(referenceRows);
      // The rerun continues after the last committed range of the phase it was in, rather than starting over.
      // (Split in ranges, the rerun continues each range where it stopped: no overlap, same rows, checked above.)
      if (lastCommitted && !walk.workers) {
        const firstOfRerunInSamePhase = ledger.find((row) => row.runId !== lastCommitted.runId && row.phaseAfter === lastCommitted.phaseAfter);
        if (firstOfRerunInSamePhase) expect(startsAfter(firstOfRerunInSamePhase.keyFrom, lastCommitted.keyTo)).toBe(true);
      }

      // The hash chain holds across the kill: the rerun links to the killed run's last committed batch.
      expect(await firstBrokenLink(db)).toBeNull();
      resumedDatabases.push(database);
      const left = await db.raw<{ rows: unknown[] }>(`SELECT 1 FROM lethe.checkpoints`);
      expect(left.rows).toEqual([]);
    },
    180_000,
  );

  it('verifyLedger reports the ledger of every killed-and-resumed run verified', async () => {
    expect(resumedDatabases.length).toBeGreaterThan(0);
    for (const database of resumedDatabases) {
      const session = await openSession(database.url);
      try {
        const batches = (await readLedger(database.db)).length;
        const verification = await verifyLedger(session.sql, 'lethe');
        expect(verification).toMatchObject({ verified: true, batches, brokenAt: null });
        expect(verification.head?.hash).toMatch(/^[0-9a-f]{64}$/);
      } finally {
        await session.client.end();
      }
    }
  });

  it('a ledger row edited after the fact breaks the hash chain at that row, and verifyLedger says so', async () => {
    const database = resumedDatabases[0] ?? reference;
    const session = await openSession(database.url);
    try {
      const seq = (await session.client.query<{ seq: string }>(`SELECT l.seq::text AS seq FROM lethe.ledger l ORDER BY l.seq OFFSET 5 LIMIT 1`)).rows[0]!.seq;
      await session.client.query(`UPDATE lethe.ledger SET rows_affected = '{"public.device_logs": 1}'::jsonb WHERE seq = $1`, [seq]);
      expect(await firstBrokenLink(database.db)).toBe(Number(seq));
      expect((await verifyLedger(session.sql, 'lethe')).verified).toBe(false);
    } finally {
      await session.client.end();
    }
  });
});
