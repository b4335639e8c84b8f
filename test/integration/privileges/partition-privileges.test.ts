import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';
import { createRestrictedRole, type RestrictedRole } from '../../support/restricted-role.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

/**
 * A partitioned table is walked one leaf partition at a time, by the leaf's name: a grant on the
 * parent does not reach the leaves, and check says so for each of them.
 */

const NOW = '2022-05-15T00:00:00Z';
let database: TestDatabase;
let role: RestrictedRole;
let rulesDir: string;

beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
  await database.db.raw(`
CREATE TABLE payment (payment_id int NOT NULL, customer_id int NOT NULL, payment_date timestamptz NOT NULL, PRIMARY KEY (payment_date, payment_id)) PARTITION BY RANGE (payment_date);
CREATE TABLE payment_p2022_01 PARTITION OF payment FOR VALUES FROM ('2022-01-01 00:00+00') TO ('2022-02-01 00:00+00');
CREATE TABLE payment_default PARTITION OF payment DEFAULT;
INSERT INTO payment SELECT g, g % 7, timestamptz '2022-01-01 00:00+00' + g * interval '1 hour' FROM generate_series(1, 2000) AS g;`);
  rulesDir = mkdtempSync(join(tmpdir(), 'lethe-partition-privileges-'));
  writeFileSync(
    join(rulesDir, 'payments.yaml'),
    `category: payments
rules:
  - id: payments
    table: payment
    clock: payment.payment_date
    partitions: delete
    phases:
      - after: 30d
        action: delete
`,
  );
  role = await createRestrictedRole(database, 'CREATE ROLE lethe_runner LOGIN; CREATE SCHEMA lethe AUTHORIZATION lethe_runner; GRANT SELECT, DELETE, UPDATE (payment_id) ON public.payment TO lethe_runner;');
});

afterAll(async () => {
  await role?.drop();
  await database?.drop();
  rmSync(rulesDir, { recursive: true, force: true });
});

const asRole = (...args: string[]) => runCli([...args, '--db', role.url, '--rules', rulesDir, '--now', NOW]);

describe('a partitioned table as a restricted role', () => {
  it('check names the grant each leaf partition lacks (exit 2)', async () => {
    const check = await asRole('check');
    expect(check.code).toBe(2);
    for (const leaf of ['payment_p2022_01', 'payment_default']) {
      // The parent's grants do not count; the suggested column for row locks is the key's first.
      expect(check.stdout).toContain(`missing SELECT, DELETE, UPDATE (payment_date) on public.${leaf} (a partition of payment;`);
      expect(check.stdout).toContain(`fix: GRANT SELECT, DELETE, UPDATE (payment_date) ON public.${leaf} TO ${role.name};`);
    }
  });

  it('with the leaves granted, check passes and the run deletes exactly the expired rows', async () => {
    await role.grant('GRANT SELECT, DELETE, UPDATE (payment_id) ON public.payment_p2022_01, public.payment_default TO lethe_runner');
    expect((await asRole('check')).code).toBe(0);
    const expired = Number((await database.db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM payment WHERE payment_date < timestamptz '${NOW}' - interval '30 days'`)).rows[0]!.n);
    // Every row is past the cutoff: the blast-radius guard would stop it, deliberately passed here.
    const run = await asRole('run', '--yes', '--override-guard', 'payments');
    expect(run.code, run.stderr).toBe(0);
    const left = Number((await database.db.raw<{ rows: { n: string }[] }>('SELECT count(*) AS n FROM payment')).rows[0]!.n);
    expect(left).toBe(2000 - expired);
  });
});
