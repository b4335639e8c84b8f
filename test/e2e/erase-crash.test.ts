import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEraseRules } from '../support/erase-helpers.js';
import { createSeededDatabase, firstBrokenLink, idsOf, isBatchLine, overlappingRanges, readLedger, runLethe, startLethe, tableChecksum, waitForNoRunSessions, type LedgerRow } from '../support/run-helpers.js';
import type { TestDatabase } from '../support/test-database.js';

/**
 * kill -9 during an erasure, then the same request again: it completes with
 * nothing applied twice, and the database ends exactly where an uninterrupted
 * erasure of the same people on an identical copy ends.
 */
const TABLES = ['users', 'device_logs', 'third_party_logins', 'verification_codes', 'models', 'public_model_metadata', 'legal_holds'];

function sums(ledger: LedgerRow[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const row of ledger) for (const [table, rows] of Object.entries(row.rowsAffected)) totals[`${row.ruleId} ${table}`] = (totals[`${row.ruleId} ${table}`] ?? 0) + rows;
  return totals;
}

describe('lethe erase killed with SIGKILL mid-request, then run again with the same request id (built CLI)', () => {
  let reference: TestDatabase;
  let rules: string;
  let file: string;
  let referenceChecksums: string[];
  let referenceSums: Record<string, number>;
  const databases: TestDatabase[] = [];
  const args = (url: string) => ['erase', '--db', url, '--rules', rules, '--yes', '--format', 'json', '--subjects-file', file, '--request-id', 'CRASH-1', '--batch-size', '20'];

  beforeAll(async () => {
    rules = await writeEraseRules();
    reference = await createSeededDatabase();
    const people = await idsOf(reference.db, `SELECT id::text AS id FROM users WHERE id NOT IN (SELECT user_id FROM legal_holds) ORDER BY id LIMIT 150`);
    file = join(rules, 'people.txt');
    await writeFile(file, people.join('\n'));
    const outcome = await runLethe(args(reference.url));
    expect(outcome.code, outcome.stderr).toBe(0);
    referenceChecksums = await Promise.all(TABLES.map((table) => tableChecksum(reference.db, table)));
    referenceSums = sums(await readLedger(reference.db));
  }, 300_000);

  afterAll(async () => {
    await Promise.all([reference?.drop(), ...databases.map((database) => database.drop())]);
  });

  it('the uninterrupted erasure changes many rows in many batches', async () => {
    expect((await readLedger(reference.db)).length).toBeGreaterThan(12);
  });

  it.each([2, 5 + Math.floor(Math.random() * 6)])(
    'killed after committed batch %i, the rerun resumes and ends in the same state, no range applied twice; a third run says already done',
    async (k) => {
      const database = await createSeededDatabase();
      databases.push(database);
      const victim = startLethe(args(database.url));
      await victim.waitForLine(isBatchLine, k);
      victim.child.kill('SIGKILL');
      expect((await victim.exited).signal).toBe('SIGKILL');
      await waitForNoRunSessions(database.db, 30_000, 'lethe erase ');
      const state = await database.db.raw<{ rows: { status: string }[] }>(`SELECT status FROM lethe.requests WHERE request_id = 'CRASH-1'`);
      expect(state.rows[0]!.status).toBe('running');

      const rerun = await runLethe(args(database.url));
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(JSON.parse(rerun.stdout)).toMatchObject({ requestId: 'CRASH-1', status: 'done' });
      expect(rerun.stderr).toContain('"event":"resuming unfinished run"');

      expect(await Promise.all(TABLES.map((table) => tableChecksum(database.db, table)))).toEqual(referenceChecksums);
      const ledger = await readLedger(database.db);
      expect(overlappingRanges(ledger)).toEqual([]);
      expect(sums(ledger)).toEqual(referenceSums);
      expect(await firstBrokenLink(database.db)).toBeNull();
      expect((await database.db.raw<{ rows: unknown[] }>(`SELECT 1 FROM lethe.checkpoints`)).rows).toEqual([]);

      const third = await runLethe(args(database.url));
      expect(third.code, third.stderr).toBe(0);
      expect(JSON.parse(third.stdout)).toMatchObject({ status: 'done', alreadyDone: true });
      expect((await readLedger(database.db)).length).toBe(ledger.length);
    },
    300_000,
  );
});
