import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../../src/catalog/types.js';
import { hashInNode } from '../../../src/strategies/hash-strategy.js';
import { runLethe } from '../../support/run-helpers.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

/**
 * Recognizable personal values planted in every column the rules read or
 * change (keys, clocks aside, changed columns, the join and where columns),
 * one of them a value that breaks its strategy. None of them, and none of the
 * values the strategies make of them, may appear in any output of validate,
 * check, plan (every format), run (every format, --verbose), status, the
 * metrics file, or Lethe's own tables.
 */

const NOW = '2026-11-25T00:00:00.000Z';
const KEY = 'zq7-plant-key-not-a-secret';
/** Every planted text value contains this; none of Lethe's words do. */
const MARK = 'zq7';
const TEXT: ColumnInfo = { name: 'login', type: 'text', category: 'S', baseType: 'text', notNull: false };

const RULES = `category: planted
description: planted personal values in every column a rule reads or changes
rules:
  - id: planted-people
    table: people
    clock: people.created_at
    where: "people.nickname <> 'excluded-nickname'"
    phases:
      - after: 30d
        action: anonymize
        set:
          phone: { mask: { keepStart: 3, keepEnd: 2 } }
          ip: { generalize: ip, bits: 24 }
          props: { json: { remove: [gps] } }
  - id: planted-accounts
    table: accounts
    join: "JOIN people ON people.email = accounts.email"
    clock: accounts.created_at
    phases:
      - after: 30d
        action: pseudonymize
        set:
          login: { hash: PLANT_KEY }
        mark: pseudonymized_at
`;

const SCHEMA = `
  CREATE TABLE people (email text PRIMARY KEY, nickname text NOT NULL, phone text, ip text, props jsonb, created_at timestamptz NOT NULL);
  INSERT INTO people
  SELECT 'zq7-person-' || i || '@example.com', 'zq7-nick-' || i, '+86zq7' || lpad(i::text, 8, '0'), '10.77.' || i || '.9',
         jsonb_build_object('gps', 'zq7-gps-' || i, 'address', 'zq7-street-' || i), '2026-01-01T00:00:00Z'
    FROM generate_series(1, 60) AS i;
  UPDATE people SET ip = 'zq7-bad.value@example.com' WHERE email = 'zq7-person-33@example.com';
  CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL REFERENCES people, login text, created_at timestamptz NOT NULL, pseudonymized_at timestamptz);
  INSERT INTO accounts SELECT i, 'zq7-person-' || (i % 60 + 1) || '@example.com', 'zq7-login-' || i, '2026-01-01T00:00:00Z' FROM generate_series(1, 90) AS i;
`;

interface Output {
  what: string;
  text: string;
}

describe('planted personal values', () => {
  const databases: TestDatabase[] = [];
  const outputs: Output[] = [];
  /** Values the strategies make of the planted ones: the masked phones, the networks, the pseudonyms. */
  const derived: string[] = [];
  let rulesDir: string;
  /** plan --show-values: the one output allowed to show values, and the proof that the search finds them. */
  let shown: { stdout: string; stderr: string; code: number | null };

  const record = (what: string, outcome: { stdout: string; stderr: string; code: number | null }) => {
    outputs.push({ what: `${what} stdout`, text: outcome.stdout }, { what: `${what} stderr`, text: outcome.stderr });
    return outcome;
  };

  beforeAll(async () => {
    rulesDir = await mkdtemp(join(tmpdir(), 'lethe-planted-'));
    await writeFile(join(rulesDir, 'planted.yaml'), RULES);
    const env = { PLANT_KEY: KEY };
    for (let index = 0; index < 3; index++) {
      const database = await createTestDatabase({ empty: true });
      databases.push(database);
      await database.db.raw(SCHEMA);
    }
    const [first] = databases as [TestDatabase];
    for (let i = 1; i <= 90; i++) derived.push(hashInNode(`zq7-login-${i}`, TEXT, KEY)!);
    for (let i = 1; i <= 60; i++) derived.push(`+86${'*'.repeat(9)}${String(i).padStart(8, '0').slice(-2)}`, `10.77.${i}.0`, `10.77.${i}.9`);

    record('validate', await runLethe(['validate', '--rules', rulesDir]));
    for (const format of ['text', 'json']) record(`check ${format}`, await runLethe(['check', '--db', first.url, '--rules', rulesDir, '--format', format, '--verbose']));
    for (const format of ['text', 'json', 'markdown']) {
      record(`plan ${format}`, await runLethe(['plan', '--db', first.url, '--rules', rulesDir, '--now', NOW, '--format', format, '--verbose'], env));
      record(`run --dry-run ${format}`, await runLethe(['run', '--dry-run', '--db', first.url, '--rules', rulesDir, '--now', NOW, '--format', format, '--verbose'], env));
    }
    shown = await runLethe(['plan', '--db', first.url, '--rules', rulesDir, '--now', NOW, '--show-values'], env);
    const formats = ['json', 'text', 'markdown'];
    for (const [index, database] of databases.entries()) {
      const metrics = join(rulesDir, `metrics-${index}.prom`);
      const outcome = record(
        `run ${formats[index]}`,
        await runLethe(['run', '--db', database.url, '--rules', rulesDir, '--yes', '--now', NOW, '--format', formats[index]!, '--verbose', '--batch-size', '7', '--metrics-file', metrics], env),
      );
      expect(outcome.code, outcome.stderr).toBe(1);
      outputs.push({ what: `metrics ${index}`, text: await readFile(metrics, 'utf8') });
      for (const format of ['text', 'json']) record(`status ${format} ${index}`, await runLethe(['status', '--db', database.url, '--rules', rulesDir, '--format', format, '--verbose']));
      const tables = await database.db.raw<{ rows: { name: string }[] }>(`SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'lethe'`);
      for (const { name } of tables.rows) {
        const rows = await database.db.raw<{ rows: { t: string }[] }>(`SELECT coalesce(string_agg(x::text, E'\\n'), '') AS t FROM lethe.${name} x`);
        outputs.push({ what: `lethe.${name} ${index}`, text: rows.rows[0]!.t });
      }
    }
  }, 300_000);

  afterAll(async () => {
    await Promise.all(databases.map((database) => database.drop()));
  });

  it('the runs did their work: the bad row left unchanged and named, everything else changed', async () => {
    const people = await databases[0]!.db.raw<{ rows: { email: string; ip: string; phone: string; props: Record<string, string> }[] }>(`SELECT email, ip, phone, props FROM people ORDER BY email`);
    for (const row of people.rows) {
      if (row.email === 'zq7-person-33@example.com') expect(row.ip).toBe('zq7-bad.value@example.com');
      else expect({ ip: row.ip.endsWith('.0'), gps: 'gps' in row.props, phone: row.phone.includes(MARK) }).toEqual({ ip: true, gps: false, phone: false });
    }
    const accounts = await databases[0]!.db.raw<{ rows: { login: string }[] }>(`SELECT login FROM accounts`);
    for (const row of accounts.rows) expect(row.login).toMatch(/^[0-9a-f]{64}$/);
    const report = JSON.parse(outputs.find((output) => output.what === 'run json stdout')!.text) as { rules: { id: string; phases: { failed?: number; failedRows?: { key: string[] }[] }[] }[] };
    // Rules run (and are reported) in dependency order: planted-accounts joins people, so it goes first.
    const peopleRule = report.rules.find((rule) => rule.id === 'planted-people')!;
    expect(peopleRule.phases[0]!.failed).toBe(1);
    expect(peopleRule.phases[0]!.failedRows![0]!.key[0]).toMatch(/^hmac:[0-9a-f]{32}$/);
  });

  it('every output was collected (validate, check, plan and dry runs in three formats, three runs, status, metrics, Lethe’s tables)', () => {
    expect(outputs.length).toBeGreaterThan(40);
    expect(outputs.some((output) => output.what.startsWith('lethe.ledger') && output.text.length > 0)).toBe(true);
    for (const format of ['text', 'markdown']) {
      const plan = outputs.find((output) => output.what === `plan ${format} stdout`)!.text;
      expect(plan).toMatch(/phone: text\(14\) -> masked, keeps 3\+2/);
      expect(plan).toMatch(/ip: text\(\d+\) -> network \/24/);
      expect(plan).toMatch(/props: jsonb\(\d+\) -> removes gps/);
      expect(plan).toMatch(/login: text\(1\d\) -> hmac/);
    }
  });

  it('plan --show-values, for a test database, does print values after the strategy, with a warning line', () => {
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stderr).toContain('warning: --show-values prints values computed from rows of the table');
    expect(shown.stdout).toMatch(/ip: text\(\d+\) -> network \/24 = 10\.77\.\d+\.0/);
    expect(shown.stdout).toContain('zq7-street-');
    expect(derived.some((value) => shown.stdout.includes(value))).toBe(true);
  });

  it('no output holds a planted value, or a value a strategy made of one', () => {
    const leaks = outputs.flatMap((output) => [
      ...(output.text.includes(MARK) ? [`${output.what}: ${output.text.slice(Math.max(0, output.text.indexOf(MARK) - 60), output.text.indexOf(MARK) + 60)}`] : []),
      ...derived.filter((value) => output.text.includes(value)).map((value) => `${output.what}: ${value}`),
    ]);
    expect(leaks).toEqual([]);
  });
});
