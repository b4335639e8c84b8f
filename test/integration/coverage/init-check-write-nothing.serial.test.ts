import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBench3d } from '../../../src/bench3d/seed-bench3d.js';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, walInsertPosition, walRecordsTouchingDatabase, type TestDatabase } from '../../support/test-database.js';

const BENCH3D_RULES = fileURLToPath(new URL('../../../rules/', import.meta.url));

let database: TestDatabase;
let scratch: string;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedBench3d(database.db, { scale: 0.2, seed: 5, now: new Date('2026-11-25T00:00:00Z') });
  // As in check-writes-nothing: hint bits, the visibility map and pg_statistic settled before the first position.
  await database.db.raw('VACUUM ANALYZE');
  await database.db.raw('VACUUM pg_catalog.pg_statistic');
  scratch = mkdtempSync(join(tmpdir(), 'lethe-init-wal-'));
});

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await database?.drop();
});

describe('lethe init and check --coverage, with --sample', () => {
  it('leave no WAL record touching the database and create no state schema', async () => {
    const before = await walInsertPosition(database.db);

    const init = await runCli(['init', '--db', database.url, '--out', join(scratch, 'draft'), '--sample', '100']);
    const checked = await runCli(['check', '--db', database.url, '--rules', BENCH3D_RULES, '--coverage', '--fail-on-uncovered', '--sample', '100']);
    const draftChecked = await runCli(['check', '--db', database.url, '--rules', join(scratch, 'draft'), '--coverage']);

    expect(await walRecordsTouchingDatabase(database.db, before)).toEqual([]);
    expect([init.code, checked.code, draftChecked.code]).toEqual([0, 0, 0]);
    const state = await database.db.raw<{ rows: { present: boolean }[] }>(`select to_regnamespace('lethe') is not null as present`);
    expect(state.rows[0]!.present).toBe(false);
  });
});
