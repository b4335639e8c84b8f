import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { idsOf, parseReport, runLethe } from '../../support/run-helpers.js';

/**
 * Partitions are dropped by their bounds, never by what they hold today: a
 * Pagila-shaped `payment` table, range-partitioned by month on its clock.
 * Now 2022-05-15 and `after: 30d` put the cutoff at 2022-04-15.
 */
const NOW = '2022-05-15T00:00:00Z';

let database: TestDatabase;
let rulesDir: string;

beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
  rulesDir = mkdtempSync(join(tmpdir(), 'lethe-partitions-'));
});

afterAll(async () => {
  await database?.drop();
  rmSync(rulesDir, { recursive: true, force: true });
});

async function partitionsOf(table: string): Promise<string[]> {
  return idsOf(database.db, `SELECT c.relname AS id FROM pg_partition_tree(?::regclass) t JOIN pg_class c ON c.oid = t.relid WHERE t.level > 0 ORDER BY 1`, [table]);
}

function writeRules(name: string, body: string, settings = 'holds:\n  subjects: "SELECT customer_id FROM holds"\n'): string {
  const dir = join(rulesDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'lethe.yaml'), settings);
  writeFileSync(join(dir, 'payments.yaml'), body);
  return dir;
}

function paymentRule(extra = ''): string {
  return `category: payments
rules:
  - id: payments
    table: payment
    subject: payment.customer_id
    clock: payment.payment_date
${extra}    phases:
      - after: 30d
        action: delete
`;
}

async function run(dir: string, ...extra: string[]) {
  return runLethe(['--db', database.url, '--rules', dir, 'run', '--yes', '--now', NOW, '--format', 'json', ...extra]);
}

describe('a range-partitioned table', () => {
  beforeEach(async () => {
    await database.db.raw(`
DROP TABLE IF EXISTS payment, holds CASCADE;
CREATE TABLE holds (customer_id int NOT NULL);
CREATE TABLE payment (payment_id int NOT NULL, customer_id int NOT NULL, amount numeric NOT NULL, payment_date timestamptz NOT NULL, PRIMARY KEY (payment_date, payment_id))
  PARTITION BY RANGE (payment_date);
CREATE TABLE payment_p2022_01 PARTITION OF payment FOR VALUES FROM ('2022-01-01 00:00+00') TO ('2022-02-01 00:00+00');
CREATE TABLE payment_p2022_02 PARTITION OF payment FOR VALUES FROM ('2022-02-01 00:00+00') TO ('2022-03-01 00:00+00');
CREATE TABLE payment_p2022_03 PARTITION OF payment FOR VALUES FROM ('2022-03-01 00:00+00') TO ('2022-04-01 00:00+00');
CREATE TABLE payment_p2022_04 PARTITION OF payment FOR VALUES FROM ('2022-04-01 00:00+00') TO ('2022-05-01 00:00+00');
CREATE TABLE payment_p2022_05 PARTITION OF payment FOR VALUES FROM ('2022-05-01 00:00+00') TO ('2022-06-01 00:00+00');
CREATE TABLE payment_default PARTITION OF payment DEFAULT;
CREATE INDEX ON payment (customer_id);
-- January: 1-11; February: 12-20 (customer 7 is held: payment 15); March: 21-30;
-- April: 31-40 all dated before the 10th (all due, but the partition reaches past the cutoff);
-- May: 41-45 (not due); the DEFAULT partition: 2021 rows 51-55 (all due).
INSERT INTO payment SELECT i, CASE WHEN i = 15 THEN 7 ELSE 100 + i END, 1, '2022-01-01 00:00+00'::timestamptz + ((i - 1) * interval '3 days') FROM generate_series(1, 30) i;
INSERT INTO payment SELECT i, 100 + i, 1, '2022-04-01 00:00+00'::timestamptz + ((i - 31) * interval '20 hours') FROM generate_series(31, 40) i;
INSERT INTO payment SELECT i, 100 + i, 1, '2022-05-02 00:00+00'::timestamptz + ((i - 41) * interval '1 day') FROM generate_series(41, 45) i;
INSERT INTO payment SELECT i, 100 + i, 1, '2021-06-01 00:00+00'::timestamptz + ((i - 51) * interval '1 day') FROM generate_series(51, 55) i;
INSERT INTO holds VALUES (7);
DROP SCHEMA IF EXISTS lethe CASCADE;
`);
  });

  it('drops only partitions whose bound lies before the cutoff and that keep no row; deletes the rest row by row', async () => {
    // February holds a held customer's payment; March has rows the where leaves out.
    await database.db.raw(`UPDATE payment SET amount = 0 WHERE payment_id IN (25, 26)`);
    const dir = writeRules('basic', paymentRule('    where: "payment.amount > 0"\n'));
    const plan = await runLethe(['--db', database.url, '--rules', dir, 'plan', '--now', NOW, '--format', 'json']);
    expect(plan.code, plan.stderr).toBe(0);
    const planned = parseReport(plan.stdout).rules[0]!.phases[0]! as { partitions?: { partition: string; bound: string; rows: number }[] };
    expect(planned.partitions).toEqual([{ partition: 'public.payment_p2022_01', bound: "FOR VALUES FROM ('2022-01-01 00:00:00+00') TO ('2022-02-01 00:00:00+00')", rows: 11 }]);

    const outcome = await run(dir);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(await partitionsOf('payment')).toEqual(['payment_default', 'payment_p2022_02', 'payment_p2022_03', 'payment_p2022_04', 'payment_p2022_05']);
    // Survivors: the held payment, the two the where leaves out, and May's.
    expect(await idsOf(database.db, 'SELECT payment_id AS id FROM payment ORDER BY 1')).toEqual(['15', '25', '26', '41', '42', '43', '44', '45']);
    expect(parseReport(outcome.stdout).rules[0]!.phases[0]!.affected).toBe(11 + 8 + 8 + 10 + 5);

    // The application can still insert into every range that must exist.
    await database.db.raw(`INSERT INTO payment VALUES (900, 1, 1, '2022-04-20 00:00+00'), (901, 1, 1, '2022-02-20 00:00+00'), (902, 1, 1, '2022-03-20 00:00+00'), (903, 1, 1, '2022-05-20 00:00+00'), (904, 1, 1, '2019-01-01 00:00+00'), (905, 1, 1, '2030-01-01 00:00+00')`);
  });

  it('keeps the boundary and DEFAULT partitions although every row in them is due', async () => {
    await database.db.raw(`DELETE FROM holds`);
    const dir = writeRules('boundary', paymentRule());
    const outcome = await run(dir);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(await partitionsOf('payment')).toEqual(['payment_default', 'payment_p2022_04', 'payment_p2022_05']);
    expect(await idsOf(database.db, 'SELECT payment_id AS id FROM payment ORDER BY 1')).toEqual(['41', '42', '43', '44', '45']);
    await database.db.raw(`INSERT INTO payment VALUES (900, 1, 1, '2022-04-20 00:00+00'), (904, 1, 1, '2019-01-01 00:00+00')`);
  });

  it('never drops a published table unless the rule says partitions: drop', async () => {
    await database.db.raw(`DELETE FROM holds; CREATE PUBLICATION lethe_test_pub FOR TABLE payment`);
    try {
      const dir = writeRules('published', paymentRule());
      const plan = await runLethe(['--db', database.url, '--rules', dir, 'plan', '--now', NOW, '--format', 'json']);
      const phase = parseReport(plan.stdout).rules[0]!.phases[0]! as { partitions?: unknown[]; partitionsNote?: string };
      expect(phase.partitions).toEqual([]);
      expect(phase.partitionsNote).toMatch(/publication/);
      const outcome = await run(dir);
      expect(outcome.code, outcome.stderr).toBe(0);
      expect((await partitionsOf('payment')).length).toBe(6);
      expect(await idsOf(database.db, 'SELECT payment_id AS id FROM payment ORDER BY 1')).toEqual(['41', '42', '43', '44', '45']);

      await database.db.raw(`INSERT INTO payment SELECT i, 1, 1, '2022-01-05 00:00+00' FROM generate_series(1, 3) i`);
      const optIn = writeRules('published-drop', paymentRule('    partitions: drop\n'));
      expect((await run(optIn)).code).toBe(0);
      expect(await partitionsOf('payment')).not.toContain('payment_p2022_01');
    } finally {
      await database.db.raw('DROP PUBLICATION IF EXISTS lethe_test_pub');
    }
  });

  it('with partitions: delete, deletes rows and keeps every partition', async () => {
    await database.db.raw(`DELETE FROM holds`);
    const dir = writeRules('never', paymentRule('    partitions: delete\n'));
    expect((await run(dir)).code).toBe(0);
    expect((await partitionsOf('payment')).length).toBe(6);
    expect(await idsOf(database.db, 'SELECT payment_id AS id FROM payment ORDER BY 1')).toEqual(['41', '42', '43', '44', '45']);
  });
});

describe('other partitioning schemes', () => {
  it('deletes rows of HASH and LIST partitions without dropping any', async () => {
    await database.db.raw(`
DROP TABLE IF EXISTS hashed, listed CASCADE; DROP SCHEMA IF EXISTS lethe CASCADE;
CREATE TABLE hashed (id int PRIMARY KEY, at timestamptz NOT NULL) PARTITION BY HASH (id);
CREATE TABLE hashed_0 PARTITION OF hashed FOR VALUES WITH (modulus 2, remainder 0);
CREATE TABLE hashed_1 PARTITION OF hashed FOR VALUES WITH (modulus 2, remainder 1);
CREATE TABLE listed (id int NOT NULL, kind text NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (kind, id)) PARTITION BY LIST (kind);
CREATE TABLE listed_a PARTITION OF listed FOR VALUES IN ('a');
CREATE TABLE listed_b PARTITION OF listed FOR VALUES IN ('b');
INSERT INTO hashed SELECT i, '2020-01-01 00:00+00' FROM generate_series(1, 20) i;
INSERT INTO listed SELECT i, CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END, '2020-01-01 00:00+00' FROM generate_series(1, 20) i;
INSERT INTO hashed VALUES (99, '2022-05-10 00:00+00');
`);
    const dir = join(rulesDir, 'schemes');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'old.yaml'),
      `category: old
rules:
  - id: hashed
    table: hashed
    clock: hashed.at
    phases: [{ after: 30d, action: delete }]
  - id: listed
    table: listed
    clock: listed.at
    phases: [{ after: 30d, action: delete }]
`,
    );
    const outcome = await run(dir);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(await partitionsOf('hashed')).toEqual(['hashed_0', 'hashed_1']);
    expect(await partitionsOf('listed')).toEqual(['listed_a', 'listed_b']);
    expect(await idsOf(database.db, 'SELECT id FROM hashed')).toEqual(['99']);
    expect(await idsOf(database.db, 'SELECT id FROM listed')).toEqual([]);
  });

  it('two levels: drops a sub-partitioned month whole from its direct parent, and walks a straddling one', async () => {
    await database.db.raw(`
DROP TABLE IF EXISTS events CASCADE; DROP SCHEMA IF EXISTS lethe CASCADE;
CREATE TABLE events (id int NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (at, id)) PARTITION BY RANGE (at);
CREATE TABLE events_2022_03 PARTITION OF events FOR VALUES FROM ('2022-03-01 00:00+00') TO ('2022-04-01 00:00+00') PARTITION BY HASH (id);
CREATE TABLE events_2022_03_h0 PARTITION OF events_2022_03 FOR VALUES WITH (modulus 2, remainder 0);
CREATE TABLE events_2022_03_h1 PARTITION OF events_2022_03 FOR VALUES WITH (modulus 2, remainder 1);
CREATE TABLE events_2022_04 PARTITION OF events FOR VALUES FROM ('2022-04-01 00:00+00') TO ('2022-05-01 00:00+00') PARTITION BY RANGE (at);
CREATE TABLE events_2022_04_a PARTITION OF events_2022_04 FOR VALUES FROM ('2022-04-01 00:00+00') TO ('2022-04-15 00:00+00');
CREATE TABLE events_2022_04_b PARTITION OF events_2022_04 FOR VALUES FROM ('2022-04-15 00:00+00') TO ('2022-05-01 00:00+00');
INSERT INTO events SELECT i, '2022-03-10 00:00+00' FROM generate_series(1, 10) i;
INSERT INTO events SELECT i, '2022-04-05 00:00+00' FROM generate_series(11, 15) i;
INSERT INTO events SELECT i, '2022-04-14 00:00+00' FROM generate_series(16, 17) i;
INSERT INTO events SELECT i, '2022-04-20 00:00+00' FROM generate_series(18, 20) i;
`);
    const dir = join(rulesDir, 'levels');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'events.yaml'), `category: events\nrules:\n  - id: events\n    table: events\n    clock: events.at\n    phases: [{ after: 30d, action: delete }]\n`);
    const outcome = await run(dir);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(await partitionsOf('events')).toEqual(['events_2022_04', 'events_2022_04_b']);
    expect(await idsOf(database.db, 'SELECT id FROM events ORDER BY 1')).toEqual(['18', '19', '20']);
    await database.db.raw(`INSERT INTO events VALUES (30, '2022-04-16 00:00+00')`);
  });
});
