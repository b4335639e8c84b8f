import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { CliIO } from '../../../src/cli/context.js';
import type { Receipt } from '../../../src/requests/receipt-types.js';
import { columnsReferencingUsers, writeEraseRules } from '../../support/erase-helpers.js';
import { runCli } from '../../support/run-cli.js';
import { createSeededDatabase, idsOf, readLedger } from '../../support/run-helpers.js';
import type { TestDatabase } from '../../support/test-database.js';

describe('lethe erase with a subjects file of thousands of ids', () => {
  let database: TestDatabase;
  let rules: string;

  beforeAll(async () => {
    database = await createSeededDatabase();
    rules = await writeEraseRules();
  }, 180_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('erases every listed person set-based: a few batches per rule, not one statement per person', async () => {
    const people = await idsOf(database.db, `SELECT id::text AS id FROM users WHERE id NOT IN (SELECT user_id FROM legal_holds) ORDER BY id`);
    const missing = Array.from({ length: 4000 }, (_, index) => String(10_000_000 + index));
    const file = join(rules, 'people.txt');
    await writeFile(file, ['# ticket 42: account deletions', ...people, '', ...missing].join('\n'));

    const outcome = await runCli(['erase', '--db', database.url, '--rules', rules, '--yes', '--format', 'json', '--subjects-file', file, '--request-id', 'BULK-1']);
    expect(outcome.code, outcome.stderr).toBe(0);
    const receipt = JSON.parse(outcome.stdout) as Receipt;
    expect(receipt.subjects.requested).toBe(people.length + missing.length);
    expect(receipt.subjects.notFound).toBeGreaterThanOrEqual(missing.length);
    expect(receipt.subjects.done + receipt.subjects.notFound).toBe(receipt.subjects.requested);

    for (const { table, column } of await columnsReferencingUsers(database.db)) {
      const left = await database.db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM ${table} WHERE "${column}" = ANY(?::bigint[])`, [people]);
      expect(Number(left.rows[0]!.n), `${table}.${column}`).toBe(0);
    }
    const batches = await readLedger(database.db);
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.length).toBeLessThan(60);
  }, 300_000);
});

describe('lethe erase asks on a terminal, and never goes beyond the counts it showed', () => {
  let database: TestDatabase;
  let rules: string;

  beforeAll(async () => {
    database = await createSeededDatabase({ seed: 11 });
    rules = await writeEraseRules();
  }, 180_000);

  afterAll(async () => {
    await database?.drop();
  });

  function terminal(answer: () => Promise<boolean>): { io: CliIO; out: () => { stdout: string; stderr: string } } {
    let stdout = '';
    let stderr = '';
    const io: CliIO = {
      writeStdout: (text) => void (stdout += text),
      writeStderr: (text) => void (stderr += text),
      env: {},
      stdinIsTTY: true,
      stderrIsTTY: true,
      stderrColumns: 0,
      ask: answer,
    };
    return { io, out: () => ({ stdout, stderr }) };
  }

  it('states exact counts; rows that appear after the answer make the batch roll back (exit 4), and a rerun of the request counts anew and finishes', async () => {
    const [user] = await idsOf(database.db, `SELECT user_id::text AS id FROM device_logs WHERE source <> 'internal' AND user_id NOT IN (SELECT user_id FROM legal_holds) GROUP BY user_id ORDER BY count(*) DESC LIMIT 1`);
    const before = Number((await database.db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM device_logs WHERE user_id = ? AND source <> 'internal'`, [user!])).rows[0]!.n);
    const args = ['node', 'lethe', 'erase', '--db', database.url, '--rules', rules, '--no-progress', '--format', 'json', '--subject', user!, '--request-id', 'ASK-1', '--only', 'device-logs'];

    const cancelled = terminal(async () => false);
    expect(await main(args, cancelled.io)).toBe(2);
    expect(cancelled.out().stderr).toContain(`would remove ${before} rows`);
    expect(cancelled.out().stderr).toContain('erase cancelled: nothing was written');

    // Between the answer and the erasure, the person logs in again: one more row than approved.
    const grows = terminal(async () => {
      await database.db.raw(`INSERT INTO device_logs (user_id, event, source, created_at) VALUES (?, 'login', 'app', now())`, [user!]);
      return true;
    });
    expect(await main(args, grows.io)).toBe(4);
    expect(grows.out().stderr).toContain('SAFETY_GUARD');
    const afterGuard = Number((await database.db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM device_logs WHERE user_id = ?`, [user!])).rows[0]!.n);
    expect(afterGuard).toBeGreaterThan(before);

    const rerun = terminal(async () => true);
    expect(await main(args, rerun.io)).toBe(0);
    expect(rerun.out().stderr).toContain(`would remove ${before + 1} rows`);
    expect(JSON.parse(rerun.out().stdout)).toMatchObject({ requestId: 'ASK-1', status: 'done' });
    const left = Number((await database.db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM device_logs WHERE user_id = ? AND source <> 'internal'`, [user!])).rows[0]!.n);
    expect(left).toBe(0);
  }, 180_000);
});
