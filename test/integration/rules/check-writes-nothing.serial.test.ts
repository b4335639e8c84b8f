import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBench3d } from '../../../src/bench3d/seed-bench3d.js';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, walInsertPosition, walRecordsTouchingDatabase, type TestDatabase } from '../../support/test-database.js';

const BENCH3D_RULES = fileURLToPath(new URL('../../../rules/', import.meta.url));

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedBench3d(database.db, { scale: 0.2, seed: 7, now: new Date('2026-11-25T00:00:00Z') });
  // Vacuum sets hint bits and the visibility map now, so neither a read nor autovacuum writes later.
  await database.db.raw('VACUUM ANALYZE');
  // ANALYZE leaves dead pg_statistic rows behind, and the planner reading that page prunes it
  // (a Heap2 PRUNE record, seen with pg_walinspect): remove them before the first position.
  await database.db.raw('VACUUM pg_catalog.pg_statistic');
});

afterAll(async () => {
  await database?.drop();
});

describe('lethe validate and check on the Bench3D rules against seeded data', () => {
  it('pass with exit 0 and no problem, and leave no WAL record touching the database', async () => {
    const before = await walInsertPosition(database.db);

    const validated = await runCli(['validate', '--rules', BENCH3D_RULES]);
    const checked = await runCli(['check', '--db', database.url, '--rules', BENCH3D_RULES, '--format', 'json']);

    expect(await walRecordsTouchingDatabase(database.db, before)).toEqual([]);
    expect(validated.stdout).toBe('12 rules in 8 files are valid\n');
    expect(validated.code).toBe(0);
    const report = JSON.parse(checked.stdout) as { valid: boolean; rules: number; files: number; problems: { severity: string; check: string; message: string }[] };
    expect(report).toMatchObject({ valid: true, rules: 12, files: 8 });
    // The accounts rule (requests only) and minors-without-consent both read the holds and both
    // delete released holds: a cycle whose order does not matter (neither deletes a hold in force).
    // One true warning: deleting a minor's account sets their device logs' user_id NULL, so the
    // cancelled-account clock (users.cancelled_at through the join) is gone; the age rule still deletes them.
    expect(report.problems.map((problem) => [problem.severity, problem.check, problem.message.match(/'[a-z-]+'/g)?.slice(0, 2)])).toEqual([
      ['warning', 'rule-cycle', ["'minors-without-consent'", "'accounts'"]],
      ['warning', 'derived-clock', ["'cancelled-accounts-device-logs'", "'minors-without-consent'"]],
    ]);
    expect(checked.code).toBe(0);
    const state = await database.db.raw<{ rows: { present: boolean }[] }>(`select to_regnamespace('lethe') is not null as present`);
    expect(state.rows[0]!.present).toBe(false);
  });
});
