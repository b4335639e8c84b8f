import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { idsOf, runLethe } from '../../support/run-helpers.js';

/**
 * Pagila's shape: payment range-partitioned by month, its foreign keys declared on
 * the partitions (RESTRICT). One rule deletes old rentals with their payments
 * (cascade into the partitioned table by its own name); another drops old
 * payment partitions. Both in one run, in either order, and again.
 */
let database: TestDatabase;
let rulesDir: string;

beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
  rulesDir = mkdtempSync(join(tmpdir(), 'lethe-partition-cascade-'));
  await database.db.raw(`
CREATE TABLE customer (customer_id int PRIMARY KEY);
CREATE TABLE rental (rental_id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customer ON DELETE RESTRICT, rental_date timestamptz NOT NULL);
CREATE INDEX ON rental (rental_date);
CREATE TABLE payment (payment_id int NOT NULL, rental_id int NOT NULL, customer_id int NOT NULL, payment_date timestamptz NOT NULL, PRIMARY KEY (payment_date, payment_id))
  PARTITION BY RANGE (payment_date);
CREATE TABLE payment_p2022_01 PARTITION OF payment FOR VALUES FROM ('2022-01-01 00:00+00') TO ('2022-02-01 00:00+00');
CREATE TABLE payment_p2022_02 PARTITION OF payment FOR VALUES FROM ('2022-02-01 00:00+00') TO ('2022-03-01 00:00+00');
CREATE TABLE payment_p2022_05 PARTITION OF payment FOR VALUES FROM ('2022-05-01 00:00+00') TO ('2022-06-01 00:00+00');
-- Pagila declares the foreign keys on each partition, not on the parent.
ALTER TABLE payment_p2022_01 ADD FOREIGN KEY (rental_id) REFERENCES rental ON DELETE RESTRICT;
ALTER TABLE payment_p2022_02 ADD FOREIGN KEY (rental_id) REFERENCES rental ON DELETE RESTRICT;
ALTER TABLE payment_p2022_05 ADD FOREIGN KEY (rental_id) REFERENCES rental ON DELETE RESTRICT;
CREATE INDEX ON payment (rental_id);
INSERT INTO customer SELECT i FROM generate_series(1, 5) i;
-- Rentals 1-4 are old (January), 5-6 recent (May).
INSERT INTO rental VALUES (1, 1, '2022-01-05+00'), (2, 2, '2022-01-06+00'), (3, 3, '2022-01-07+00'), (4, 4, '2022-01-08+00'), (5, 5, '2022-05-10+00'), (6, 1, '2022-05-11+00');
-- January payments of old rentals; a February payment of old rental 4; a recent rental's payment dated in January (late data); May payments.
INSERT INTO payment VALUES (1, 1, 1, '2022-01-05+00'), (2, 2, 2, '2022-01-06+00'), (3, 3, 3, '2022-01-07+00'), (4, 4, 4, '2022-02-08+00'),
  (5, 5, 5, '2022-01-20+00'), (6, 5, 5, '2022-05-10+00'), (7, 6, 1, '2022-05-11+00');
`);
  const dir = join(rulesDir, 'rules');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'lethe.yaml'), 'defaults:\n  guard: { maxShare: 1 }\n');
  writeFileSync(
    join(dir, 'a-rentals.yaml'),
    `category: rentals
rules:
  - id: rentals
    table: rental
    clock: rental.rental_date
    cascade: [payment]
    phases: [{ after: 30d, action: delete }]
`,
  );
  writeFileSync(
    join(dir, 'b-payments.yaml'),
    `category: payments
rules:
  - id: payments
    table: payment
    clock: payment.payment_date
    phases: [{ after: 30d, action: delete }]
`,
  );
});

afterAll(async () => {
  await database?.drop();
  rmSync(rulesDir, { recursive: true, force: true });
});

describe('a rule cascading into a partitioned table beside a rule that drops its partitions', () => {
  it('both complete, in one run and the next, with exact survivors', async () => {
    const dir = join(rulesDir, 'rules');
    const check = await runLethe(['--db', database.url, '--rules', dir, 'check']);
    expect(check.code, check.stderr + check.stdout).toBe(0);
    for (const now of ['2022-05-15T00:00:00Z', '2022-05-16T00:00:00Z']) {
      const outcome = await runLethe(['--db', database.url, '--rules', dir, 'run', '--yes', '--now', now, '--format', 'json']);
      expect(outcome.code, outcome.stderr).toBe(0);
      const report = JSON.parse(outcome.stdout) as { rules: { id: string; status: string }[] };
      expect(report.rules.map((rule) => [rule.id, rule.status]).sort()).toEqual([['payments', 'done'], ['rentals', 'done']]);
    }
    expect(await idsOf(database.db, 'SELECT rental_id AS id FROM rental ORDER BY 1')).toEqual(['5', '6']);
    // Payment 5 (January, of recent rental 5) is old by its own clock: the payments rule removes it.
    expect(await idsOf(database.db, 'SELECT payment_id AS id FROM payment ORDER BY 1')).toEqual(['6', '7']);
    await database.db.raw(`INSERT INTO payment VALUES (8, 5, 5, '2022-05-20+00')`);
  });
});
