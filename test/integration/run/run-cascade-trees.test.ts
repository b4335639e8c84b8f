import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRetention } from '../../../src/execute/run-retention.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Report } from '../../../src/report/types.js';
import { loadRulesOrThrow } from '../../../src/rules/load-rules.js';
import { runCli, type CliResult } from '../../support/run-cli.js';
import { ROOT } from '../../support/run-helpers.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

/**
 * Issue 11, cascade trees and holds on every row a delete removes, on a schema of
 * Pagila's shape (test/fixtures/pagila-shape): payments partitioned by month with their
 * foreign keys on the partitions, every key RESTRICT, staff ids overlapping customer ids.
 *
 * now = 2026-11-25. Cutoffs: inactive-customers 1y (2025-11-25), old-rentals 2y
 * (2024-11-25), old-payments 5y (2021-11-25), departed-staff 1y.
 *
 *   customers: 1 active; 2 inactive, due; 3 inactive, due, on hold; 4 inactive, due, but its
 *   rental 40 carries payment 403 of held customer 3; 5 inactive, due (staff 5 is on hold:
 *   no reason to keep customer 5); 117 active, on hold (staff 117 is not).
 *   rentals: 10 (1, recent), 11 (1, old), 20 (2), 21 (2, old), 30 (3, old), 40 (4), 41 (4, old), 50 (5).
 *   payments: 100 (1, r10), 110 (1, r11), 998 (1, r11, 2021), 999 (3, r30, 2021), 200 (2, r20),
 *   201 (2, r10: customer 2's payment on customer 1's rental), 210 (2, r21), 300 (3, r30),
 *   400 (4, r40), 403 (3, r40), 410 (4, r41), 500 (5, r50, staff 5).
 */
const NOW = '2026-11-25T00:00:00.000Z';
const FIXTURE = join(ROOT, 'test', 'fixtures', 'pagila-shape');
const RULES = join(FIXTURE, 'rules');

const DATA = `
INSERT INTO staff VALUES (1, 'Mike', NULL), (2, 'Jon', NULL), (3, 'Ann', '2024-03-01'), (5, 'Bea', '2024-03-01'), (117, 'Cal', '2024-03-01');
INSERT INTO customer VALUES
  (1, 'Mary', true, '2026-11-01'), (2, 'Patricia', false, '2024-01-01'), (3, 'Linda', false, '2024-01-01'),
  (4, 'Barbara', false, '2024-01-01'), (5, 'Elizabeth', false, '2024-01-01'), (117, 'Tom', true, '2026-11-01');
INSERT INTO customer_hold VALUES (3, NULL), (117, NULL), (2, '2025-01-01');
INSERT INTO staff_hold VALUES (5);
INSERT INTO rental VALUES
  (10, 1, 1, '2026-10-01'), (11, 1, 1, '2023-06-01'), (20, 2, 1, '2025-06-01'), (21, 2, 2, '2023-06-01'),
  (30, 3, 1, '2023-06-01'), (40, 4, 2, '2025-06-01'), (41, 4, 2, '2023-06-01'), (50, 5, 5, '2025-06-01');
INSERT INTO payment VALUES
  (100, 1, 1, 10, 1.99, '2026-10-01'), (110, 1, 1, 11, 2.99, '2023-06-01'), (998, 1, 1, 11, 0.99, '2021-01-20'),
  (999, 3, 1, 30, 0.99, '2021-01-15'), (200, 2, 1, 20, 3.99, '2025-06-02'), (201, 2, 1, 10, 4.99, '2025-06-08'),
  (210, 2, 2, 21, 5.99, '2023-06-02'), (300, 3, 1, 30, 6.99, '2023-06-03'), (400, 4, 2, 40, 7.99, '2025-06-04'),
  (403, 3, 2, 40, 8.99, '2025-06-05'), (410, 4, 2, 41, 9.99, '2023-06-06'), (500, 5, 5, 50, 0.99, '2025-06-07');
`;

async function createPagilaShape(): Promise<TestDatabase> {
  const database = await createTestDatabase({ empty: true });
  await database.db.raw(readFileSync(join(FIXTURE, 'schema.sql'), 'utf8'));
  return database;
}

async function idsOf(db: Knex, sql: string): Promise<number[]> {
  return (await db.raw<{ rows: { id: number }[] }>(sql)).rows.map((row) => Number(row.id));
}

const survivors = async (db: Knex) => ({
  customer: await idsOf(db, 'SELECT customer_id AS id FROM customer ORDER BY 1'),
  rental: await idsOf(db, 'SELECT rental_id AS id FROM rental ORDER BY 1'),
  payment: await idsOf(db, 'SELECT payment_id AS id FROM payment ORDER BY 1'),
  staff: await idsOf(db, 'SELECT staff_id AS id FROM staff ORDER BY 1'),
});

interface JsonReport {
  status: string;
  rules: {
    id: string;
    status: string;
    phases: { candidates: number; held: number; affected: number; heldBy?: { reason: string; table?: string; rows: number }[]; cascades?: { table: string; by: string; rows: number }[] }[];
  }[];
}

describe('cascade trees on a schema of Pagila’s shape', () => {
  let database: TestDatabase;
  let check: CliResult;
  let plan: JsonReport;
  let run: CliResult;

  beforeAll(async () => {
    database = await createPagilaShape();
    await database.db.raw(DATA);
    check = await runCli(['check', '--db', database.url, '--rules', RULES, '--now', NOW]);
    const planned = await runCli(['plan', '--db', database.url, '--rules', RULES, '--now', NOW, '--format', 'json']);
    expect(planned.code, planned.stderr).toBe(0);
    plan = JSON.parse(planned.stdout) as JsonReport;
    run = await runCli(['run', '--db', database.url, '--rules', RULES, '--now', NOW, '--yes', '--format', 'json']);
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('check accepts payment by its own name (its foreign keys are on the partitions) and prints the tree it will delete', () => {
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).not.toMatch(/payment_p20/);
    expect(check.stdout).toContain(
      [
        'cascade tree of inactive-customers (leaves deleted first, one transaction per batch):',
        '  public.customer',
        '  ├─ public.rental (rental.customer_id, deleted by Lethe); held by "rental"."customer_id" (customer)',
        '  │  └─ public.payment (payment.rental_id, deleted by Lethe); held by "payment"."customer_id" (customer)',
        '  └─ public.payment (payment.customer_id, deleted by Lethe); held by "payment"."customer_id" (customer)',
      ].join('\n'),
    );
  });

  it('the plan counts held parents with their reasons, and cascaded rows per table at every depth', () => {
    const customers = plan.rules.find((rule) => rule.id === 'inactive-customers')!.phases[0]!;
    expect(customers.candidates).toBe(2); // 2 and 5
    expect(customers.held).toBe(2); // 3 (on hold) and 4 (its rental 40 carries held payment 403)
    expect(customers.heldBy).toEqual([
      { reason: 'subject', rows: 1 },
      { reason: 'cascade', table: 'public.rental', rows: 1 },
      { reason: 'cascade', table: 'public.payment', rows: 2 },
    ]);
    expect(customers.cascades).toEqual([
      { table: 'public.payment', by: 'rule', rows: 4 }, // 200, 201, 210, 500
      { table: 'public.rental', by: 'rule', rows: 3 }, // 20, 21, 50
    ]);
    const rentals = plan.rules.find((rule) => rule.id === 'old-rentals')!.phases[0]!;
    expect([rentals.candidates, rentals.held]).toEqual([3, 1]); // 11, 21, 41; 30 held
    expect(rentals.cascades).toEqual([{ table: 'public.payment', by: 'rule', rows: 4 }]); // 110, 998, 210, 410
    const staff = plan.rules.find((rule) => rule.id === 'departed-staff')!.phases[0]!;
    expect([staff.candidates, staff.held]).toEqual([2, 1]); // 3 and 117 go; 5 held
  });

  it('the run completes every rule', () => {
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.rules.map((rule) => [rule.id, rule.status])).toEqual(report.rules.map((rule) => [rule.id, 'done']));
  });

  it('exactly the promised rows survive in every table', async () => {
    expect(await survivors(database.db)).toEqual({
      customer: [1, 3, 4, 117],
      rental: [10, 30, 40],
      payment: [100, 300, 400, 403, 999],
      staff: [1, 2, 3, 5, 117],
    });
  });

  it('no payment of a held customer is removed by any rule, not even through another customer’s rental', async () => {
    expect(await idsOf(database.db, 'SELECT payment_id AS id FROM payment WHERE customer_id IN (SELECT customer_id FROM customer_hold WHERE released_at IS NULL) ORDER BY 1')).toEqual([
      300, 403, 999,
    ]);
  });

  it('staff are held by staff holds only: staff 3 and 117 are anonymized although customers 3 and 117 are on hold; staff 5 is kept', async () => {
    const rows = (await database.db.raw<{ rows: { staff_id: number; name: string }[] }>('SELECT staff_id, name FROM staff ORDER BY 1')).rows;
    expect(rows).toEqual([
      { staff_id: 1, name: 'Mike' },
      { staff_id: 2, name: 'Jon' },
      { staff_id: 3, name: 'former staff' },
      { staff_id: 5, name: 'Bea' },
      { staff_id: 117, name: 'former staff' },
    ]);
  });
});

describe('a hold committed in the middle of a cascade batch', () => {
  let database: TestDatabase;
  let run: CliResult;

  beforeAll(async () => {
    database = await createPagilaShape();
    await database.db.raw(DATA);
    // The first time a batch deletes payments, another session (dblink: its own connection,
    // committed at once) puts customer 2 on hold: after the batch locked and confirmed its
    // parents, before it deletes their descendants.
    await database.db.raw(`CREATE EXTENSION dblink`);
    await database.db.raw(`CREATE TABLE hold_placed (done boolean)`);
    await database.db.raw(
      `CREATE FUNCTION place_hold_mid_batch() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NOT EXISTS (SELECT 1 FROM hold_placed) THEN
           PERFORM dblink_exec(format('dbname=%s user=%s host=127.0.0.1 port=%s', current_database(), current_user, current_setting('port')),
                               'INSERT INTO customer_hold VALUES (2, NULL); INSERT INTO hold_placed VALUES (true)');
         END IF;
         RETURN NULL;
       END $$`,
    );
    await database.db.raw(`CREATE TRIGGER place_hold_mid_batch BEFORE DELETE ON payment FOR EACH STATEMENT EXECUTE FUNCTION place_hold_mid_batch()`);
    run = await runCli(['run', '--db', database.url, '--rules', RULES, '--now', NOW, '--yes', '--format', 'json', '--only', 'inactive-customers', '--batch-size', '10']);
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('the batch rolled back and retried without customer 2: none of its rentals or payments went, customer 5 did', async () => {
    expect(run.code, run.stderr).toBe(0);
    expect(await idsOf(database.db, 'SELECT 1 AS id FROM hold_placed')).toEqual([1]);
    const rows = await survivors(database.db);
    expect(rows.customer).toEqual([1, 2, 3, 4, 117]);
    expect(rows.rental).toEqual([10, 11, 20, 21, 30, 40, 41]);
    expect(rows.payment).toEqual([100, 110, 200, 201, 210, 300, 400, 403, 410, 998, 999]);
  });
});

describe('resuming a stopped cascade run', () => {
  let database: TestDatabase;
  let first: Report;
  let second: CliResult;
  /** Generated customers 1000..1039: inactive and due, two rentals each, two payments per rental. */
  const GENERATED = `
INSERT INTO customer SELECT id, 'generated ' || id, false, '2024-02-01' FROM generate_series(1000, 1039) id;
INSERT INTO rental SELECT c * 10 + r, c, 1, '2025-07-01' FROM generate_series(1000, 1039) c, generate_series(0, 1) r;
INSERT INTO payment SELECT (c * 10 + r) * 10 + p, c, 1, c * 10 + r, 1.00, '2025-07-02' FROM generate_series(1000, 1039) c, generate_series(0, 1) r, generate_series(0, 1) p;
INSERT INTO customer_hold VALUES (1010, NULL);
-- a payment of held customer 1010 on a rental of customer 1020: 1020 must stay whole
INSERT INTO payment VALUES (999999, 1010, 1, 10200, 1.00, '2025-07-03');
`;

  beforeAll(async () => {
    database = await createPagilaShape();
    await database.db.raw(DATA);
    await database.db.raw(GENERATED);
    const { ruleSet } = await loadRulesOrThrow(RULES);
    const stop = new AbortController();
    let batches = 0;
    first = await runRetention(database.db, ruleSet, {
      url: database.url,
      now: new Date(NOW),
      only: ['inactive-customers'],
      batchSize: 5,
      signal: stop.signal,
      logger: silentLogger,
      readSecret: () => undefined,
      onBatch: () => {
        if (++batches === 2) stop.abort();
      },
    });
    second = await runCli(['run', '--db', database.url, '--rules', RULES, '--now', NOW, '--yes', '--format', 'json', '--only', 'inactive-customers', '--batch-size', '5']);
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('the first run stopped part-way with whole customers gone, the second finished', () => {
    expect(first.status).toBe('stopped');
    expect(first.rules[0]!.phases[0]!.affected).toBeGreaterThan(0);
    expect(second.code, second.stderr).toBe(0);
  });

  it('exactly the promised rows survive: held 1010 and 1020 (through 1010’s payment) whole, every other due customer gone with its tree', async () => {
    const rows = await survivors(database.db);
    expect(rows.customer).toEqual([1, 3, 4, 117, 1010, 1020]);
    expect(rows.rental).toEqual([10, 11, 30, 40, 41, 10100, 10101, 10200, 10201]);
    expect(rows.payment).toEqual([100, 110, 300, 400, 403, 410, 998, 999, 101000, 101001, 101010, 101011, 102000, 102001, 102010, 102011, 999999]);
  });
});

describe('a table that references itself: replies at any depth go with the comment they answer', () => {
  let database: TestDatabase;
  let rules: string;
  let check: CliResult;
  let plan: JsonReport;
  let run: CliResult;

  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
    await database.db.raw(`
      CREATE TABLE comment (
        id integer PRIMARY KEY,
        parent_id integer REFERENCES comment (id) ON DELETE RESTRICT,
        author_id integer NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE INDEX ON comment (parent_id);
      CREATE TABLE author_hold (author_id integer NOT NULL);
      INSERT INTO author_hold VALUES (99);
      -- 1 old <- 2 recent <- 3 recent; 4 old <- 5 recent by held author 99; 6 old <- 7 old; 8 recent
      INSERT INTO comment VALUES
        (1, NULL, 10, '2024-01-01'), (2, 1, 11, '2026-10-01'), (3, 2, 12, '2026-11-01'),
        (4, NULL, 10, '2024-01-01'), (5, 4, 99, '2026-10-01'),
        (6, NULL, 13, '2024-01-01'), (7, 6, 13, '2024-02-01'), (8, NULL, 10, '2026-10-01');`);
    rules = mkdtempSync(join(tmpdir(), 'lethe-self-'));
    writeFileSync(join(rules, 'lethe.yaml'), 'holds:\n  subjects: "SELECT author_id FROM author_hold"\n');
    writeFileSync(
      join(rules, 'comments.yaml'),
      `category: comments
rules:
  - id: old-comments
    table: comment
    subject: comment.author_id
    clock: comment.created_at
    cascade: [comment]
    phases: [{ after: 1y, action: delete }]
`,
    );
    check = await runCli(['check', '--db', database.url, '--rules', rules, '--now', NOW]);
    plan = JSON.parse((await runCli(['plan', '--db', database.url, '--rules', rules, '--now', NOW, '--format', 'json'])).stdout) as JsonReport;
    run = await runCli(['run', '--db', database.url, '--rules', rules, '--now', NOW, '--yes', '--format', 'json']);
  });

  afterAll(async () => {
    await database?.drop();
    rmSync(rules, { recursive: true, force: true });
  });

  it('check shows the self-reference walked at every depth', () => {
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout).toContain('  └─ public.comment (comment.parent_id, deleted by Lethe, every depth); held by "comment"."author_id"');
  });

  it('the plan holds the comment whose reply is by a held author, and counts the replies that go along', () => {
    const phase = plan.rules[0]!.phases[0]!;
    expect([phase.candidates, phase.held]).toEqual([3, 1]); // 1, 6, 7; 4
    expect(phase.cascades).toEqual([{ table: 'public.comment', by: 'rule', rows: 2 }]); // 2, 3
  });

  it('exactly the promised comments survive', async () => {
    expect(run.code, run.stderr).toBe(0);
    expect(await idsOf(database.db, 'SELECT id FROM comment ORDER BY 1')).toEqual([4, 5, 8]);
  });
});

describe('check explains a tree that does not fit the schema', () => {
  let database: TestDatabase;
  let rules: string;
  let check: CliResult;

  beforeAll(async () => {
    database = await createPagilaShape();
    rules = mkdtempSync(join(tmpdir(), 'lethe-tree-'));
    writeFileSync(join(rules, 'lethe.yaml'), readFileSync(join(RULES, 'lethe.yaml')));
    writeFileSync(
      join(rules, 'customers.yaml'),
      `category: customers
rules:
  - id: flat-list
    table: customer
    subject: { column: customer.customer_id, kind: customer }
    clock: customer.last_update
    cascade: [rental, payment]
    phases: [{ after: 1y, action: delete }]
  - id: upside-down
    table: customer
    subject: { column: customer.customer_id, kind: customer }
    clock: customer.last_update
    cascade: [{ payment: [rental] }]
    phases: [{ after: 1y, action: delete }]
`,
    );
    check = await runCli(['check', '--db', database.url, '--rules', rules, '--now', NOW]);
  });

  afterAll(async () => {
    await database?.drop();
    rmSync(rules, { recursive: true, force: true });
  });

  it('names the table each child must go under, at its place in the file; exit 2', () => {
    expect(check.code).toBe(2);
    expect(check.stdout.replaceAll(rules + '/', '')).toBe(
      [
        'customers.yaml:7:15 rules[0].cascade[0]: "public"."payment".rental_id references "public"."rental" without ON DELETE CASCADE or SET NULL; list it under rental: cascade: [{ rental: [payment] }], or change the foreign key',
        'customers.yaml:10:12 rules[1].table: "public"."rental".customer_id references "public"."customer" without ON DELETE CASCADE or SET NULL; list rental in \'cascade\' or change the foreign key',
        'customers.yaml:13:27 rules[1].cascade[0].payment[0]: "public"."rental" has no foreign key to "public"."payment"; it references the rule\'s table: list it directly in \'cascade\'',
        'invalid: 3 errors, 0 warnings',
        '',
      ].join('\n'),
    );
  });
});
