import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report/types.js';
import { runCli } from '../../support/run-cli.js';
import { CHINOOK_NOW, createChinookDatabase, CUSTOMERS_RULE, INVOICES_RULE, PLAYLISTS_RULE, writeRulesFolder } from '../../support/chinook-shape.js';
import type { TestDatabase } from '../../support/test-database.js';

/** Customers whose last invoice is over 2 years old: what the customers rule must anonymize, whatever else runs. */
const DUE_CUSTOMERS = `SELECT "CustomerId" FROM "Invoice" GROUP BY "CustomerId" HAVING max("InvoiceDate") < TIMESTAMP '2024-12-01' ORDER BY 1`;
/** Of those, the ones whose invoices the invoices rule deletes all of (last invoice over 3 years old). */
const STRANDED = `SELECT "CustomerId" FROM "Invoice" GROUP BY "CustomerId" HAVING max("InvoiceDate") < TIMESTAMP '2023-12-01' ORDER BY 1`;

const ids = async (database: TestDatabase, sql: string) => (await database.db.raw<{ rows: { CustomerId: number }[] }>(sql)).rows.map((row) => row.CustomerId);
const cli = (database: TestDatabase, rules: string, ...args: string[]) => runCli([...args, '--db', database.url, '--rules', rules]);

describe.each([
  ['invoices sort first', { '1-invoices.yaml': INVOICES_RULE, '2-customers.yaml': CUSTOMERS_RULE }],
  ['customers sort first', { '1-customers.yaml': CUSTOMERS_RULE, '2-invoices.yaml': INVOICES_RULE }],
])('a clock derived from invoices, %s', (_name, files) => {
  let database: TestDatabase;
  let dueCustomers: number[];
  let stranded: number[];
  const rules = writeRulesFolder(files);
  beforeAll(async () => {
    database = await createChinookDatabase();
    dueCustomers = await ids(database, DUE_CUSTOMERS);
    stranded = await ids(database, STRANDED);
    expect(stranded.length).toBeGreaterThan(0);
  });
  afterAll(() => database?.drop());

  it('check warns that the customers clock is derived from a table the invoices rule deletes from', async () => {
    const result = await cli(database, rules, 'check', '--format', 'json');
    expect(result.code, result.stderr).toBe(0);
    const warning = (JSON.parse(result.stdout) as { problems: { check: string; message: string }[] }).problems.find((problem) => problem.check === 'derived-clock');
    expect(warning?.message).toContain("'customers'");
    expect(warning?.message).toContain("'invoices'");
    expect(warning?.message).toContain('"public"."Invoice"');
  });

  it('plan shows customers first, and the run acts on exactly the customers the plan counted', async () => {
    const planned = await cli(database, rules, 'plan', '--now', CHINOOK_NOW, '--format', 'json');
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as Report;
    expect(plan.rules.map((rule) => rule.id)).toEqual(['customers', 'invoices']);
    expect(plan.rules[1]!.runsAfter).toEqual([{ rule: 'customers', because: expect.stringContaining('"public"."Invoice" for its clock') }]);
    const text = await cli(database, rules, 'plan', '--now', CHINOOK_NOW);
    expect(text.stdout).toContain('run order: customers -> invoices');
    expect(plan.rules[0]!.phases[0]!.candidates).toBe(dueCustomers.length);

    const ran = await cli(database, rules, 'run', '--yes', '--now', CHINOOK_NOW, '--format', 'json', '--concurrency', '3');
    expect(ran.code, ran.stderr).toBe(0);
    const report = JSON.parse(ran.stdout) as Report;
    const customers = report.rules.find((rule) => rule.id === 'customers')!;
    expect(customers.phases[0]!.affected).toBe(dueCustomers.length);
    const anonymized = await ids(database, `SELECT "CustomerId" FROM "Customer" WHERE "Email" IS NULL ORDER BY 1`);
    expect(anonymized).toEqual(dueCustomers);
    // Their invoices are gone now: their clocks went with them, and the run says so.
    expect(customers.clocksLost).toEqual({ rows: stranded.length, because: expect.stringContaining("'invoices'") });
    expect(await ids(database, `SELECT DISTINCT "CustomerId" FROM "Invoice" WHERE "InvoiceDate" < TIMESTAMP '2023-12-01'`)).toEqual([]);
  });
});

describe('after: and cycles', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createChinookDatabase();
  });
  afterAll(() => database?.drop());

  it('after: puts a rule behind the one it names, whatever the file order', async () => {
    const playlistsAfterInvoices = PLAYLISTS_RULE.replace('    table: Playlist\n', '    table: Playlist\n    after: [invoices]\n');
    const rules = writeRulesFolder({ '0-playlists.yaml': playlistsAfterInvoices, '1-invoices.yaml': INVOICES_RULE, '2-customers.yaml': CUSTOMERS_RULE });
    const planned = await cli(database, rules, 'plan', '--now', CHINOOK_NOW, '--format', 'json');
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as Report;
    expect(plan.rules.map((rule) => rule.id)).toEqual(['customers', 'invoices', 'playlists']);
    expect(plan.rules[2]!.runsAfter).toEqual([{ rule: 'invoices', because: "runs after 'invoices' (after: in the rule)" }]);
  });

  it('an after: naming no rule is an error with a suggestion', async () => {
    const rules = writeRulesFolder({ 'playlists.yaml': PLAYLISTS_RULE.replace('    table: Playlist\n', '    table: Playlist\n    after: [playlist]\n') });
    const result = await cli(database, rules, 'validate');
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).toContain("no rule with id 'playlist'; did you mean 'playlists'?");
  });

  it('a cycle is a check warning naming both rules', async () => {
    const customersAfterInvoices = CUSTOMERS_RULE.replace('    table: Customer\n', '    table: Customer\n    after: [invoices]\n');
    const rules = writeRulesFolder({ '1-invoices.yaml': INVOICES_RULE, '2-customers.yaml': customersAfterInvoices });
    const result = await cli(database, rules, 'check', '--format', 'json');
    const cycle = (JSON.parse(result.stdout) as { problems: { check: string; message: string }[] }).problems.find((problem) => problem.check === 'rule-cycle');
    expect(cycle?.message).toMatch(/'customers' and 'invoices'|'invoices' and 'customers'/);
  });
});
