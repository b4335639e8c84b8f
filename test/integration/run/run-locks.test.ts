import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockKeyOf } from '../../../src/execute/advisory-lock.js';
import { runCli } from '../../support/run-cli.js';
import { BENCH_NOW, createSeededDatabase, openSession, parseReport, RULES_DIR, startLethe, tableChecksum } from '../../support/run-helpers.js';
import type { TestDatabase } from '../../support/test-database.js';

/**
 * One run at a time per rule (DESIGN.md, Engine): `pg_try_advisory_lock` on
 * the batch connection. A second run never waits and never writes: it skips
 * the rule, names who holds it, and exits 0, or 5 with --fail-if-locked.
 */

const run = (url: string, ...flags: string[]) => runCli(['run', '--db', url, '--rules', RULES_DIR, '--yes', '--now', BENCH_NOW, '--format', 'json', ...flags]);

describe('lethe run when another session holds a rule lock', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createSeededDatabase();
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('skips the rule, reports the holder (pid, application name), writes nothing to its table, and exits 0', async () => {
    const holder = await openSession(database.url, 'rival retention job');
    try {
      await holder.client.query('SELECT pg_advisory_lock($1::bigint)', [lockKeyOf('device-logs').toString()]);
      const before = await tableChecksum(database.db, 'device_logs');
      const outcome = await run(database.url, '--only', 'device-logs');
      expect(outcome.code, outcome.stderr).toBe(0);
      const [rule] = parseReport(outcome.stdout).rules;
      expect(rule!.status).toBe('skipped');
      expect(rule!.lockedBy).toMatchObject({ pid: holder.pid, applicationName: 'rival retention job' });
      expect(outcome.stderr).toContain('rule skipped: another run holds its lock');
      expect(outcome.stderr).toContain(`"pid":${holder.pid}`);
      expect(await tableChecksum(database.db, 'device_logs')).toBe(before);
    } finally {
      await holder.client.end();
    }
  });

  it('with --fail-if-locked exits 5 and still reports the holder', async () => {
    const holder = await openSession(database.url, 'rival retention job');
    try {
      await holder.client.query('SELECT pg_advisory_lock($1::bigint)', [lockKeyOf('verification-codes').toString()]);
      const outcome = await run(database.url, '--only', 'verification-codes', '--fail-if-locked');
      expect(outcome.code, outcome.stderr).toBe(5);
      const [rule] = parseReport(outcome.stdout).rules;
      expect(rule!.status).toBe('skipped');
      expect(rule!.lockedBy?.pid).toBe(holder.pid);
    } finally {
      await holder.client.end();
    }
  });

  it('runs the rules whose locks are free while skipping the locked one', async () => {
    const holder = await openSession(database.url, 'rival retention job');
    try {
      await holder.client.query('SELECT pg_advisory_lock($1::bigint)', [lockKeyOf('third-party-logins-unbound').toString()]);
      const outcome = await run(database.url, '--only', 'third-party-logins-unbound,public-model-metadata');
      expect(outcome.code, outcome.stderr).toBe(0);
      const statuses = Object.fromEntries(parseReport(outcome.stdout).rules.map((rule) => [rule.id, rule.status]));
      expect(statuses).toEqual({ 'third-party-logins-unbound': 'skipped', 'public-model-metadata': 'done' });
      const unbound = await database.db.raw<{ rows: { n: number }[] }>(`SELECT count(*)::int AS n FROM third_party_logins WHERE unbound_at IS NOT NULL`);
      expect(unbound.rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await holder.client.end();
    }
  });

  it('once the holder lets go, the next run takes the lock and does the work', async () => {
    const outcome = await run(database.url, '--only', 'third-party-logins-unbound', '--fail-if-locked');
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(parseReport(outcome.stdout).rules[0]!.status).toBe('done');
    const held = await database.db.raw<{ rows: { n: number }[] }>(
      `SELECT count(*)::int AS n FROM third_party_logins WHERE unbound_at IS NOT NULL AND user_id NOT IN (SELECT user_id FROM legal_holds WHERE released_at IS NULL)`,
    );
    expect(held.rows[0]!.n).toBe(0);
  });

  it('a run releases its rule locks when it ends: no advisory lock is left behind', async () => {
    const locks = await database.db.raw<{ rows: unknown[] }>(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
    expect(locks.rows).toEqual([]);
  });
});

describe('two lethe runs started together on the same rule (built CLI, two processes)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createSeededDatabase();
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('exactly one does the work; the other skips the rule naming the first one’s session and exits 0 (5 with --fail-if-locked)', async () => {
    // Throttled and bounded, so the winner still holds the lock when the loser asks for it.
    const args = ['run', '--db', database.url, '--rules', RULES_DIR, '--yes', '--now', BENCH_NOW, '--only', 'device-logs', '--format', 'json', '--batch-size', '10', '--max-rows-per-second', '200', '--max-runtime', '4s'];
    const plain = startLethe(args);
    const strict = startLethe([...args, '--fail-if-locked']);
    const outcomes = await Promise.all([plain.exited, strict.exited]);
    const reports = outcomes.map((outcome) => parseReport(outcome.stdout));
    const statuses = reports.map((report) => report.rules[0]!.status);
    expect(statuses.sort()).toEqual(['partial', 'skipped']);

    const winner = reports.findIndex((report) => report.rules[0]!.status === 'partial');
    const loser = 1 - winner;
    expect(outcomes[winner]!.code, outcomes[winner]!.stderr).toBe(3);
    expect(outcomes[loser]!.code, outcomes[loser]!.stderr).toBe(loser === 0 ? 0 : 5);
    const winnerRunId = (reports[winner] as unknown as { runId: string }).runId;
    const lockedBy = reports[loser]!.rules[0]!.lockedBy!;
    expect(lockedBy.applicationName).toBe(`lethe run ${winnerRunId.slice(0, 8)}`);
    expect(lockedBy.pid).toBeGreaterThan(0);

    // Only the winner wrote ledger rows.
    const ledgerRuns = await database.db.raw<{ rows: { run_id: string }[] }>(`SELECT DISTINCT run_id::text AS run_id FROM lethe.ledger`);
    expect(ledgerRuns.rows.map((row) => row.run_id)).toEqual([winnerRunId]);
  }, 120_000);
});
