import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report/types.js';
import { readLedger, runLethe, type LetheOutcome } from '../../support/run-helpers.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

/**
 * A value that breaks a strategy (a text `ip` that is no address) does not stop
 * the rule: the batch is split until the offending rows stand alone; they are
 * left unchanged and named by key, the rest is done, and the run exits 1.
 * A rule that fails for good after committed batches reports those batches.
 */

const NOW = '2026-11-25T00:00:00.000Z';
const OLD = '2026-01-01T00:00:00Z';
const BAD_VALUE = 'zq7-alice.smith@example.com';

const RULES = `category: contacts
description: addresses coarsened after 30 days
rules:
  - id: contact-ips
    table: contacts
    clock: contacts.created_at
    phases:
      - after: 30d
        action: anonymize
        set:
          ip: { generalize: ip, bits: 24 }
  - id: visit-ips
    table: visits
    join: "JOIN people ON people.email = visits.person"
    clock: visits.created_at
    where: "people.active"
    phases:
      - after: 30d
        action: anonymize
        set:
          ip: { generalize: ip, bits: 24 }
  - id: people-ips
    table: people
    clock: people.created_at
    phases:
      - after: 30d
        action: anonymize
        set:
          ip: { generalize: ip, bits: 24 }
`;

const FAILING_RULES = `category: contacts
description: a rule that fails for good half-way
rules:
  - id: contact-ips
    table: contacts
    clock: contacts.created_at
    phases:
      - after: 30d
        action: anonymize
        set:
          ip: { generalize: ip, bits: 24 }
`;

async function createContacts(database: TestDatabase): Promise<void> {
  await database.db.raw(`
    CREATE TABLE contacts (id bigint PRIMARY KEY, ip text, created_at timestamptz NOT NULL);
    INSERT INTO contacts SELECT i, '10.' || (i % 250) || '.' || (i % 200) || '.' || (i % 100 + 1), CASE WHEN i % 10 = 0 THEN '2026-11-20T00:00:00Z'::timestamptz ELSE '${OLD}'::timestamptz END
      FROM generate_series(1, 3000) AS i;
    CREATE TABLE people (email text PRIMARY KEY, ip text, active boolean NOT NULL DEFAULT true, created_at timestamptz NOT NULL);
    INSERT INTO people SELECT 'person-' || i || '@example.com', '10.9.' || (i % 200) || '.7', true, '${OLD}' FROM generate_series(1, 500) AS i;
    CREATE TABLE visits (id bigint PRIMARY KEY, person text NOT NULL REFERENCES people, ip text, created_at timestamptz NOT NULL);
    INSERT INTO visits SELECT i, 'person-' || (i % 500 + 1) || '@example.com', '10.8.' || (i % 200) || '.5', '${OLD}' FROM generate_series(1, 1500) AS i;
  `);
}

describe('a value that breaks a strategy', () => {
  let database: TestDatabase;
  let outcome: LetheOutcome;
  let report: Report;
  let before: Map<string, string>;
  let rulesDir: string;

  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
    await createContacts(database);
    await database.db.raw(`UPDATE contacts SET ip = ? WHERE id IN (1234, 2501)`, [BAD_VALUE]);
    await database.db.raw(`UPDATE visits SET ip = ? WHERE id = 777`, [BAD_VALUE]);
    await database.db.raw(`UPDATE people SET ip = ? WHERE email = 'person-42@example.com'`, [BAD_VALUE]);
    before = new Map((await database.db.raw<{ rows: { id: string; ip: string }[] }>(`SELECT id::text AS id, ip FROM contacts`)).rows.map((row) => [row.id, row.ip]));
    rulesDir = await mkdtemp(join(tmpdir(), 'lethe-bad-values-'));
    await writeFile(join(rulesDir, 'contacts.yaml'), RULES);
    outcome = await runLethe(['run', '--db', database.url, '--rules', rulesDir, '--yes', '--now', NOW, '--format', 'json', '--batch-size', '500']);
    report = JSON.parse(outcome.stdout) as Report;
  }, 180_000);

  afterAll(async () => {
    await database?.drop();
    if (rulesDir) await rm(rulesDir, { recursive: true, force: true });
  });

  it('finishes the rest of each rule and exits 1 with the count of rows left unchanged', async () => {
    expect(outcome.code, outcome.stderr).toBe(1);
    expect(report.rules.map((rule) => [rule.id, rule.status, rule.error?.code])).toEqual([
      ['contact-ips', 'partial', 'ROWS_FAILED'],
      ['visit-ips', 'partial', 'ROWS_FAILED'],
      ['people-ips', 'partial', 'ROWS_FAILED'],
    ]);
    expect(report.rules[0]!.error!.message).toMatch(/^2 rows left unchanged/);
    expect(outcome.stderr).toContain("rule 'contact-ips': 2 rows left unchanged");
    const after = await database.db.raw<{ rows: { id: string; ip: string; due: boolean }[] }>(`SELECT id::text AS id, ip, created_at < '2026-10-26' AS due FROM contacts`);
    for (const row of after.rows) {
      const original = before.get(row.id)!;
      if (row.id === '1234' || row.id === '2501' || !row.due) expect(row.ip, row.id).toBe(original);
      else expect(row.ip, row.id).toBe(original.replace(/\.\d+$/, '.0'));
    }
  });

  it('names the bad rows by key (a surrogate key as it is, a text key as a digest), with the column and no value', () => {
    const [contacts, visits, people] = report.rules.map((rule) => rule.phases[0]!);
    expect(contacts!.failed).toBe(2);
    expect(contacts!.failedRows!.map((row) => row.key)).toEqual([['1234'], ['2501']]);
    for (const row of contacts!.failedRows!) {
      expect(row.column).toBe('ip');
      expect(row.error).toBe('invalid input syntax for type inet in column ip [SQLSTATE 22P02]');
    }
    expect(visits!.failedRows!.map((row) => row.key)).toEqual([['777']]);
    expect(people!.failed).toBe(1);
    expect(people!.failedRows![0]!.key).toHaveLength(1);
    expect(people!.failedRows![0]!.key[0]).toMatch(/^hmac:[0-9a-f]{32}$/);
    expect(outcome.stdout + outcome.stderr).not.toContain('zq7');
    expect(outcome.stdout + outcome.stderr).not.toContain('person-42');
  });

  it('report counts match the ledger and the table, rule by rule', async () => {
    const ledger = await readLedger(database.db);
    for (const [rule, table, due] of [
      ['contact-ips', 'public.contacts', 2700 - 2],
      ['visit-ips', 'public.visits', 1500 - 1],
      ['people-ips', 'public.people', 500 - 1],
    ] as const) {
      const phase = report.rules.find((entry) => entry.id === rule)!.phases[0]!;
      const inLedger = ledger.filter((row) => row.ruleId === rule).reduce((sum, row) => sum + (row.rowsAffected[table] ?? 0), 0);
      expect({ rule, affected: phase.affected, ledger: inLedger }).toEqual({ rule, affected: due, ledger: due });
    }
    const runs = await database.db.raw<{ rows: { rule_id: string; status: string; rows_affected: string }[] }>(`SELECT rule_id, status, rows_affected::text FROM lethe.rule_runs ORDER BY rule_id`);
    expect(runs.rows).toEqual([
      { rule_id: 'contact-ips', status: 'partial', rows_affected: '2698' },
      { rule_id: 'people-ips', status: 'partial', rows_affected: '499' },
      { rule_id: 'visit-ips', status: 'partial', rows_affected: '1499' },
    ]);
    const state = await database.db.raw<{ rows: { t: string }[] }>(`SELECT concat_ws(' ', (SELECT string_agg(x::text, ' ') FROM lethe.runs x), (SELECT string_agg(x::text, ' ') FROM lethe.rule_runs x), (SELECT string_agg(x::text, ' ') FROM lethe.ledger x)) AS t`);
    expect(state.rows[0]!.t).not.toContain('zq7');
    expect(state.rows[0]!.t).not.toContain('person-');
  });

  it('a later run meets only the bad rows again, leaves them unchanged, and names them again', async () => {
    const again = await runLethe(['run', '--db', database.url, '--rules', rulesDir, '--yes', '--now', NOW, '--format', 'json', '--only', 'contact-ips']);
    expect(again.code, again.stderr).toBe(1);
    const phase = (JSON.parse(again.stdout) as Report).rules[0]!.phases[0]!;
    expect([phase.affected, phase.failed, phase.failedRows!.map((row) => row.key)]).toEqual([0, 2, [['1234'], ['2501']]]);
    const bad = await database.db.raw<{ rows: { ip: string }[] }>(`SELECT ip FROM contacts WHERE id IN (1234, 2501)`);
    expect(bad.rows.map((row) => row.ip)).toEqual([BAD_VALUE, BAD_VALUE]);
  });
});

describe('a rule that fails for good after committing batches', () => {
  let database: TestDatabase;
  let outcome: LetheOutcome;
  let report: Report;

  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
    await createContacts(database);
    // Not a value problem: the trigger's error (P0001) stops the rule; the batches before it stay committed.
    await database.db.raw(`
      CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id = 2401 THEN RAISE EXCEPTION 'refused row "%"', OLD.ip; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse BEFORE UPDATE ON contacts FOR EACH ROW EXECUTE FUNCTION refuse_row();
    `);
    const dir = await mkdtemp(join(tmpdir(), 'lethe-failing-rule-'));
    await writeFile(join(dir, 'contacts.yaml'), FAILING_RULES);
    outcome = await runLethe(['run', '--db', database.url, '--rules', dir, '--yes', '--now', NOW, '--format', 'json', '--batch-size', '300', '--verbose']);
    await rm(dir, { recursive: true, force: true });
    report = JSON.parse(outcome.stdout) as Report;
  }, 180_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('reports the committed batches as partial, in the report, rule_runs and the ledger alike, and exits 1', async () => {
    expect(outcome.code, outcome.stderr).toBe(1);
    const rule = report.rules[0]!;
    expect(rule.status).toBe('partial');
    expect(rule.error?.code).toBe('SQL_FAILED');
    const phase = rule.phases[0]!;
    expect(phase.batches).toBeGreaterThan(1);
    const changed = await database.db.raw<{ rows: { n: number }[] }>(`SELECT count(*)::int AS n FROM contacts WHERE ip LIKE '%.0'`);
    expect(phase.affected).toBe(changed.rows[0]!.n);
    expect(phase.affected).toBeGreaterThan(1000);
    const ledger = (await readLedger(database.db)).reduce((sum, row) => sum + (row.rowsAffected['public.contacts'] ?? 0), 0);
    expect(ledger).toBe(phase.affected);
    const runs = await database.db.raw<{ rows: { status: string; rows_affected: string; stop_reason: string; phases: { affected: number }[] }[] }>(
      `SELECT status, rows_affected::text, stop_reason, phases FROM lethe.rule_runs`,
    );
    expect(runs.rows[0]!.status).toBe('partial');
    expect(Number(runs.rows[0]!.rows_affected)).toBe(phase.affected);
    expect(runs.rows[0]!.phases[0]!.affected).toBe(phase.affected);
  });

  it('records the error without the values it quoted, everywhere', async () => {
    const rule = report.rules[0]!;
    expect(rule.error!.message).toBe('refused row "…" [SQLSTATE P0001]');
    const state = await database.db.raw<{ rows: { t: string }[] }>(`SELECT concat_ws(' ', (SELECT string_agg(x::text, ' ') FROM lethe.runs x), (SELECT string_agg(x::text, ' ') FROM lethe.rule_runs x)) AS t`);
    expect(state.rows[0]!.t).toContain('[SQLSTATE P0001]');
    expect(outcome.stderr).toContain('[SQLSTATE P0001]');
    for (const text of [outcome.stdout, outcome.stderr, state.rows[0]!.t]) {
      expect(text).not.toMatch(/10\.\d+\.\d+\.\d+/);
    }
  });
});
