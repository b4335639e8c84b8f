import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

let database: TestDatabase;
let rules: string;

/** A rule `check` accepts (EXPLAIN cannot see it) that fails on the data: 100 / 0. */
beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
  await database.db.raw(`
    CREATE TABLE events (id int PRIMARY KEY, divisor int NOT NULL, created_at timestamptz NOT NULL);
    CREATE INDEX ON events (created_at);
    INSERT INTO events VALUES (1, 0, '2020-01-01T00:00:00Z');
  `);
  rules = await mkdtemp(join(tmpdir(), 'lethe-verbose-'));
  await writeFile(
    join(rules, 'events.yaml'),
    ['category: events', 'rules:', '  - id: events', '    table: events', '    clock: events.created_at', '    where: "100 / events.divisor > 1"', '    phases: [{ after: 30d, action: delete }]', ''].join('\n'),
  );
});

afterAll(async () => {
  await database?.drop();
  await rm(rules, { recursive: true, force: true });
});

describe('a rule that fails with SQL_FAILED in a plan', () => {
  it('says one line without --verbose', async () => {
    const result = await runCli(['plan', '--db', database.url, '--rules', rules, '--now', '2026-11-25T00:00:00Z', '--format', 'json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("lethe: rule 'events': division by zero [SQLSTATE 22012] [SQL_FAILED]\n");
    expect(result.stderr).not.toContain('sqlstate');
  });

  it('with --verbose prints the SQLSTATE and the failing statement with placeholders, never the bound cutoff', async () => {
    const result = await runCli(['plan', '--db', database.url, '--rules', rules, '--now', '2026-11-25T00:00:00Z', '--format', 'json', '--verbose']);
    expect(result.code).toBe(1);
    const failure = result.stderr.slice(result.stderr.indexOf("lethe: rule 'events'"));
    expect(failure).toMatch(/^lethe: rule 'events': division by zero \[SQLSTATE 22012\] \[SQL_FAILED\]\nsqlstate: 22012\nsql:\n {2}SELECT count\(\*\)/);
    expect(failure).toContain('100 / events.divisor > 1');
    expect(failure).toContain('$1::timestamptz');
    expect(failure).not.toContain('2026-10-26');
    // The JSON report stays the contract: the cause is not in it.
    expect(JSON.parse(result.stdout).rules[0].error).toEqual({ code: 'SQL_FAILED', message: 'division by zero [SQLSTATE 22012]' });
  });
});
