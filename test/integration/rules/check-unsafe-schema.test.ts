import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/unsafe-schema/', import.meta.url));
const RULES = `${FIXTURE}rules`;

/**
 * Rules that validate offline and EXPLAIN fine, yet would fail at run time or
 * silently do the wrong thing on this schema (test/fixtures/unsafe-schema):
 * every problem in one `lethe check`, each at its file, line and key.
 */
const EXPECTED = [
  [
    'error',
    'self-reference',
    `customers.yaml:4:12 rules[0].table: "public"."customer".manager_id references its own table (customer_manager_id_fkey) without ON DELETE CASCADE or SET NULL: deleting a row another row points at fails mid-batch; change the foreign key (ON DELETE SET NULL or CASCADE)`,
  ],
  [
    'warning',
    'foreign-key-not-indexed',
    `customers.yaml:4:12 rules[0].table: warning: no index on "public"."rental" (customer_id) for foreign key rental_customer_id_fkey: each deleted "public"."customer" row scans "public"."rental". Add: CREATE INDEX CONCURRENTLY ON "public"."rental" ("customer_id");`,
  ],
  [
    'warning',
    'partition-missing-foreign-key',
    `customers.yaml:4:12 rules[0].table: warning: partition "public"."payment_p2020_03" of "public"."payment" has no foreign key to "public"."customer", while "public"."payment_p2020_01", "public"."payment_p2020_02" do: deleting "public"."customer" rows leaves its rows pointing at nothing, and no cascade reaches them. Add the foreign key to "public"."payment_p2020_03"`,
  ],
  [
    'warning',
    'clock-trigger',
    `customers.yaml:5:12 rules[0].clock: warning: trigger last_updated (BEFORE UPDATE, touch_last_updated()) on "public"."customer" may rewrite the clock column 'last_updated': an anonymize or pseudonymize UPDATE would restart the row's clock and push its later phases back. Use a clock no trigger sets, or have the trigger leave it alone for Lethe's updates`,
  ],
  [
    'error',
    'fake-on-unique',
    `customers.yaml:10:18 rules[0].phases[0].set.email: 'email' is unique (customer_email_key): fake values repeat (a batch draws from a small pool) and would collide; Lethe refuses rather than guess. Use null, or hash in a pseudonymize phase`,
  ],
  [
    'error',
    'write-into-check',
    `customers.yaml:11:23 rules[0].phases[0].set.store_code: 'store_code' is constrained by customer_store_code_check (CHECK ((store_code ~ '^[A-Z]{3}$'::text))): a fake value is not made to satisfy it and the UPDATE would fail; use null or { value: ... } that satisfies it`,
  ],
  [
    'error',
    'mark-not-null',
    `customers.yaml:12:15 rules[0].phases[0].mark: mark column 'anonymized_at' is NOT NULL: the phase selects rows whose mark IS NULL, so it would never select a row; make the column nullable`,
  ],
  [
    'warning',
    'clock-trigger',
    `customers.yaml:17:12 rules[1].clock: warning: trigger last_updated (BEFORE UPDATE, touch_last_updated()) on "public"."customer" may rewrite the clock column 'last_updated': an anonymize or pseudonymize UPDATE would restart the row's clock and push its later phases back. Use a clock no trigger sets, or have the trigger leave it alone for Lethe's updates`,
  ],
  [
    'error',
    'write-into-foreign-key',
    `customers.yaml:22:23 rules[1].phases[0].set.address_id: 'address_id' is in foreign key customer_address_id_fkey to "public"."address": a hash value would reference no row and the UPDATE fails; use null, or delete the row`,
  ],
  [
    'error',
    'join-fan-out',
    `rentals.yaml:5:11 rules[0].join: the join can match several "public"."note" rows per "public"."rental" row: it does not match a unique key of "public"."note" ((id)) by equality, so counts and batches would disagree; write the condition as EXISTS (...) in 'where', or join on a unique key`,
  ],
] as const;

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
  await database.db.raw(await readFile(`${FIXTURE}schema.sql`, 'utf8'));
});

afterAll(async () => {
  await database?.drop();
});

describe('lethe check on a Pagila-shaped schema full of traps', () => {
  it('names every trap in one run, each at its file, line and key, and exits 2', async () => {
    const result = await runCli(['check', '--db', database.url, '--rules', RULES], { LETHE_TEST_KEY: 'k' });
    const lines = EXPECTED.map(([, , line]) => line);
    expect(result.stdout.split(`${RULES}/`).join('')).toBe([...lines, 'invalid: 6 errors, 4 warnings'].join('\n') + '\n');
    expect(result.code).toBe(2);
  });

  it('gives each its stable check name and severity in --format json', async () => {
    const result = await runCli(['check', '--db', database.url, '--rules', RULES, '--format', 'json'], { LETHE_TEST_KEY: 'k' });
    const document = JSON.parse(result.stdout) as { problems: { severity: string; check: string }[] };
    expect(document.problems.map(({ severity, check }) => [severity, check])).toEqual(EXPECTED.map(([severity, check]) => [severity, check]));
  });

  it('accepts a join on the joined table\'s primary key, and the same rules once the schema is fixed', async () => {
    await database.db.raw(`
      ALTER TABLE customer DROP CONSTRAINT customer_manager_id_fkey,
        ADD FOREIGN KEY (manager_id) REFERENCES customer (id) ON DELETE SET NULL;
      CREATE INDEX ON rental (customer_id);
      ALTER TABLE payment_p2020_03 ADD FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE;
      ALTER TABLE customer ALTER COLUMN anonymized_at DROP NOT NULL, ALTER COLUMN anonymized_at DROP DEFAULT;
      ALTER TABLE customer DROP CONSTRAINT customer_email_key, DROP CONSTRAINT customer_store_code_check, DROP CONSTRAINT customer_address_id_fkey;
      DROP TRIGGER last_updated ON customer;
      ALTER TABLE note ADD UNIQUE (customer_id);
    `);
    const result = await runCli(['check', '--db', database.url, '--rules', RULES], { LETHE_TEST_KEY: 'k' });
    expect(result.stdout).toBe(
      [
        'cascade tree of customers (leaves deleted first, one transaction per batch):',
        '  public.customer',
        '  ├─ public.rental (rental.customer_id, ON DELETE CASCADE)',
        '  └─ public.payment (payment.customer_id, ON DELETE CASCADE)',
        '3 rules in 2 files are valid',
        '',
      ].join('\n'),
    );
    expect(result.code).toBe(0);
  });
});
