import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report/types.js';
import { runCli } from '../../support/run-cli.js';
import { CHINOOK_NOW, createChinookDatabase, writeRulesFolder } from '../../support/chinook-shape.js';
import type { TestDatabase } from '../../support/test-database.js';

interface Problem {
  check: string;
  severity: string;
  message: string;
  path: string;
}

let database: TestDatabase;
beforeAll(async () => {
  database = await createChinookDatabase();
});
afterAll(() => database?.drop());

const cli = (rules: string, ...args: string[]) => runCli([...args, '--db', database.url, '--rules', rules]);
async function problemsOf(files: Record<string, string>): Promise<{ code: number; problems: Problem[] }> {
  const result = await cli(writeRulesFolder(files), 'check', '--format', 'json');
  return { code: result.code, problems: (JSON.parse(result.stdout) as { problems: Problem[] }).problems };
}
const customers = (phase: string, extra = '') => ({
  'customers.yaml': `category: customers
rules:
  - id: customers
    table: Customer${extra}
    clock: '"Customer"."AnonymizedAt"'
    phases:
${phase}`,
});

describe('no silent truncation', () => {
  it('check refuses a value longer than its varchar column', async () => {
    const { code, problems } = await problemsOf(customers(`      - after: 1d
        action: anonymize
        set:
          LastName: { value: "a former customer of the store, anonymized" }
`));
    expect(code).toBe(2);
    expect(problems.find((problem) => problem.path.endsWith('set.LastName'))?.message).toBe(
      "the value is 42 characters long but column 'LastName' is character varying(20): it would be cut to 20; shorten it",
    );
  });

  it('fake values fit their column on purpose, and the plan preview says how', async () => {
    const rules = writeRulesFolder({
      'customers.yaml': `category: customers
rules:
  - id: customer-names
    table: Customer
    clock: TIMESTAMP '2020-01-01'
    phases:
      - after: 1d
        action: anonymize
        mark: AnonymizedAt
        set:
          LastName: { fake: person.fullName }
          Phone: { fake: lorem.paragraph }
`,
    });
    const planned = await cli(rules, 'plan', '--only', 'customer-names', '--now', CHINOOK_NOW, '--format', 'json');
    expect(planned.code, planned.stderr).toBe(0);
    const preview = (JSON.parse(planned.stdout) as Report).rules[0]!.phases[0]!.preview![0]!;
    const phone = preview.find((column) => column.column === 'Phone')!;
    expect(phone.fit).toEqual({ maxLength: 24, how: 'trimmed' });
    expect(phone.after).toBeUndefined(); // no value without --show-values
    const shown = await cli(rules, 'plan', '--only', 'customer-names', '--now', CHINOOK_NOW, '--format', 'json', '--show-values');
    const shownPhone = (JSON.parse(shown.stdout) as Report).rules[0]!.phases[0]!.preview![0]!.find((column) => column.column === 'Phone')!;
    expect([...shownPhone.after!].length).toBe(24);
    expect(preview.find((column) => column.column === 'LastName')!.fit?.maxLength).toBe(20);
    const text = await cli(rules, 'plan', '--only', 'customer-names', '--now', CHINOOK_NOW);
    expect(text.stdout).toContain('fake values fit 24 characters: longer ones redrawn, else trimmed; this one trimmed');

    const ran = await cli(rules, 'run', '--only', 'customer-names', '--yes', '--now', CHINOOK_NOW);
    expect(ran.code, ran.stderr).toBe(0);
    const rows = await database.db.raw<{ rows: { LastName: string; Phone: string }[] }>(`SELECT "LastName", "Phone" FROM "Customer"`);
    expect(rows.rows).toHaveLength(60);
    for (const row of rows.rows) {
      expect(row.LastName).not.toMatch(/^Last\d+$/);
      expect([...row.LastName].length).toBeLessThanOrEqual(20);
      expect([...row.Phone].length).toBe(24);
    }
  });
});

describe('identifiers as PostgreSQL allows them', () => {
  const kunden = (table: string, column: string) => ({
    'kunden.yaml': `category: kunden
rules:
  - id: kunden
    table: ${table}
    key: Kunden Nr
    clock: '"Straße Kunden"."Geändert"'
    phases:
      - after: 1y
        action: anonymize
        set:
          ${column}: { value: "—" }
`,
  });

  it.each([
    ['plain', 'Straße Kunden', 'Straße'],
    ['SQL-quoted', `'"Straße Kunden"'`, `'"Straße"'`],
  ])('names with Unicode and spaces work, %s', async (_form, table, column) => {
    const rules = writeRulesFolder(kunden(table, column));
    await database.db.raw(`UPDATE "Straße Kunden" SET "Straße" = 'Hauptstraße'`);
    expect((await cli(rules, 'validate')).code).toBe(0);
    const ran = await cli(rules, 'run', '--yes', '--now', CHINOOK_NOW, '--format', 'json');
    expect(ran.code, ran.stderr).toBe(0);
    const rows = await database.db.raw<{ rows: { n: number }[] }>(`SELECT "Kunden Nr" AS n FROM "Straße Kunden" WHERE "Straße" = '—' ORDER BY 1`);
    expect(rows.rows.map((row) => row.n)).toEqual([4, 5, 6, 7, 8, 9, 10]);
  });

  it('a wrong-case table or column gets a did-you-mean with the exact spelling', async () => {
    const wrongCase = customers('      - { after: 1d, action: delete }\n')['customers.yaml'].replace('table: Customer', 'table: customer');
    const table = await problemsOf({ 'customers.yaml': wrongCase });
    expect(table.problems.find((problem) => problem.check === 'unknown-table')?.message).toBe("table 'customer' does not exist; did you mean 'Customer'? Names are matched exactly, case included");
    const column = await problemsOf(customers(`      - after: 1d
        action: anonymize
        set:
          email: null
`));
    expect(column.problems.find((problem) => problem.check === 'unknown-column')?.message).toContain("did you mean 'Email'?");
  });

  it('an unquoted mixed-case fragment is told to quote the names', async () => {
    const { problems } = await problemsOf({
      'invoices.yaml': `category: invoices
rules:
  - id: invoices
    table: Invoice
    clock: Invoice.InvoiceDate
    phases: [{ after: 3y, action: delete }]
`,
    });
    const problem = problems.find((candidate) => candidate.path.endsWith('clock'));
    expect(problem?.message).toContain('did you mean "Invoice"');
    expect(problem?.message).toContain('write mixed-case names in double quotes');
  });

  it('the cascade hint names the schema when it is not first on search_path, and the hint works', async () => {
    const order = (cascade: string) => ({
      'orders.yaml': `category: orders
rules:
  - id: orders
    table: store.Order
    clock: '"Order"."PlacedAt"'${cascade}
    phases: [{ after: 1y, action: delete }]
`,
    });
    const refused = await problemsOf(order(''));
    const hint = refused.problems.find((problem) => problem.check === 'missing-cascade')?.message;
    expect(hint).toContain("list store.OrderLine in 'cascade'");
    const accepted = await problemsOf(order('\n    cascade: [store.OrderLine]'));
    expect(accepted.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  });

  it('a key is judged unique as a set of columns', async () => {
    const { problems } = await problemsOf({
      'tracks.yaml': `category: tracks
rules:
  - id: playlist-tracks
    table: PlaylistTrack
    key: [TrackId, PlaylistId]
    join: 'JOIN "Playlist" ON "Playlist"."PlaylistId" = "PlaylistTrack"."PlaylistId"'
    clock: '"Playlist"."CreatedAt"'
    phases: [{ after: 1y, action: delete }]
`,
    });
    expect(problems.filter((problem) => problem.check === 'key-not-unique')).toEqual([]);
  });

  it('the missing-index warning understands a schema-qualified, quoted clock', async () => {
    const { problems } = await problemsOf({
      'invoices.yaml': `category: invoices
rules:
  - id: invoices
    table: Invoice
    clock: '"public"."Invoice"."InvoiceDate"'
    phases: [{ after: 3y, action: delete }]
`,
    });
    expect(problems.find((problem) => problem.check === 'clock-not-indexed')?.message).toContain('CREATE INDEX CONCURRENTLY ON "public"."Invoice" ("InvoiceDate")');
  });
});
