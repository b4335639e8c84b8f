import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report/types.js';
import { runCli } from '../../support/run-cli.js';
import { CHINOOK_NOW, createChinookDatabase, INVOICES_RULE, writeRulesFolder } from '../../support/chinook-shape.js';
import type { TestDatabase } from '../../support/test-database.js';

/** Lines by their own date: no fragment reads Invoice, so this rule and the invoices rule may run side by side. */
const LINES_RULE = `category: invoice-lines
rules:
  - id: invoice-lines
    table: InvoiceLine
    clock: '"InvoiceLine"."LineDate"'
    where: '"InvoiceLine"."TrackId" <> 2'
    phases:
      - { after: 2y, action: delete }
`;

describe('counts of concurrent rules sharing tables', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createChinookDatabase();
  });
  afterAll(() => database?.drop());

  it('rows still matching are counted after every rule has finished: none that another rule cascade removed', async () => {
    const rules = writeRulesFolder({ '1-invoices.yaml': INVOICES_RULE, '2-lines.yaml': LINES_RULE });
    const ran = await runCli(['run', '--db', database.url, '--rules', rules, '--yes', '--now', CHINOOK_NOW, '--concurrency', '3', '--batch-size', '5', '--format', 'json']);
    expect(ran.code, ran.stderr).toBe(0);
    const report = JSON.parse(ran.stdout) as Report;
    const lines = report.rules.find((rule) => rule.id === 'invoice-lines')!.phases[0]!;
    const stillMatching = await database.db.raw<{ rows: { n: string }[] }>(
      `SELECT count(*) AS n FROM "InvoiceLine" WHERE "LineDate" < TIMESTAMP '2024-12-01' AND "TrackId" <> 2`,
    );
    expect(Number(stillMatching.rows[0]!.n)).toBe(0);
    expect(lines.remaining).toBe(0);
    expect(lines.candidates).toBe(lines.affected);
    // The state records the same final counts (the next run's growth guard reads them).
    const recorded = await database.db.raw<{ rows: { phases: { candidates: number; remaining: number }[] }[] }>(`SELECT phases FROM lethe.rule_runs WHERE rule_id = 'invoice-lines'`);
    expect(recorded.rows[0]!.phases[0]).toMatchObject({ candidates: lines.candidates, remaining: 0 });
    const survivors = await database.db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM "InvoiceLine" WHERE "LineDate" < TIMESTAMP '2024-12-01'`);
    // Lines of track 2 stay unless their invoice went (over 3 years old).
    const expected = await database.db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM "Invoice" WHERE "InvoiceDate" >= TIMESTAMP '2023-12-01' AND "InvoiceDate" < TIMESTAMP '2024-12-01'`);
    expect(Number(survivors.rows[0]!.n)).toBe(Number(expected.rows[0]!.n));
  });
});
