import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';
import { createSeededDatabase, RULES_DIR } from '../../support/run-helpers.js';
import { walInsertPosition, walRecordsTouchingDatabase, type TestDatabase } from '../../support/test-database.js';
import { pickUsers, type ExportDocument } from './export-support.js';

/**
 * "Writes nothing" proven record by record, as for plan: pg_walinspect lists every WAL record
 * since a position, and none may touch a relation of this database.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await createSeededDatabase({ scale: 0.2 });
  await walInsertPosition(database.db);
  await database.db.raw('VACUUM ANALYZE');
  await database.db.raw('VACUUM pg_catalog.pg_statistic');
});

afterAll(async () => {
  await database?.drop();
});

describe('lethe export', () => {
  it('writes no WAL record touching the database, in either format, found or not found', async () => {
    const { rich, held } = await pickUsers(database.db);
    const from = await walInsertPosition(database.db);

    const results = [
      await runCli(['export', '--db', database.url, '--rules', RULES_DIR, '--subject', String(rich)]),
      await runCli(['export', '--db', database.url, '--rules', RULES_DIR, '--subject', String(held), '--format', 'jsonl']),
      await runCli(['export', '--db', database.url, '--rules', RULES_DIR, '--subject', '987654321']),
    ];

    expect(await walRecordsTouchingDatabase(database.db, from)).toEqual([]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(results[0]!.stdout) as ExportDocument).rows).toBeGreaterThan(10);
    expect((JSON.parse(results[2]!.stdout) as ExportDocument).status).toBe('not-found');
    const schemas = await database.db.raw<{ rows: { nspname: string }[] }>(`SELECT nspname FROM pg_namespace WHERE nspname = 'lethe'`);
    expect(schemas.rows).toEqual([]);
  });
});
