import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBench3d } from '../../../src/bench3d/seed-bench3d.js';
import type { Report } from '../../../src/report/types.js';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, walInsertPosition, walRecordsTouchingDatabase, type TestDatabase } from '../../support/test-database.js';

/**
 * "Writes nothing" proven record by record: pg_walinspect lists every WAL record since a
 * position, and none may touch a relation of this database. Other test files write to their
 * own databases meanwhile, which is why the WAL position alone would prove nothing here.
 */

const BENCH3D_RULES = fileURLToPath(new URL('../../../rules/', import.meta.url));
const NOW = '2026-11-25T00:00:00Z';

let database: TestDatabase;
let touchRules: string;

/** Sets hint bits and the visibility map, and removes dead catalog rows, so later reads have nothing to write. */
async function settle(): Promise<void> {
  await database.db.raw('VACUUM ANALYZE');
  // ANALYZE leaves dead pg_statistic rows, which the planner's first read would prune (a Heap2 record).
  await database.db.raw('VACUUM pg_catalog.pg_statistic');
}

async function scalar(sql: string): Promise<number> {
  const result = await database.db.raw<{ rows: { value: number }[] }>(sql);
  return result.rows[0]!.value;
}

beforeAll(async () => {
  database = await createTestDatabase();
  await seedBench3d(database.db, { scale: 0.2, seed: 7, now: new Date(NOW) });
  // Installs pg_walinspect now, so its own catalog rows are settled with everything else.
  await walInsertPosition(database.db);
  await settle();

  touchRules = mkdtempSync(join(tmpdir(), 'lethe-touch-rules-'));
  writeFileSync(join(touchRules, 'lethe.yaml'), 'holds:\n  subjects: "SELECT user_id FROM legal_holds WHERE released_at IS NULL"\n');
  writeFileSync(
    join(touchRules, 'touchy.yaml'),
    [
      'category: touchy',
      'rules:',
      '  - id: touchy-device-logs',
      '    table: device_logs',
      '    subject: device_logs.user_id',
      '    clock: device_logs.created_at',
      '    where: "touch()"',
      '    phases:',
      '      - after: 30d',
      '        action: delete',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  if (touchRules) rmSync(touchRules, { recursive: true, force: true });
  await database?.drop();
});

describe('lethe plan and lethe run --dry-run on seeded Bench3D data', () => {
  it('write no WAL record touching the database, in any format, for all rules or some', async () => {
    const from = await walInsertPosition(database.db);

    const planned = await runCli(['plan', '--db', database.url, '--rules', BENCH3D_RULES, '--now', NOW, '--format', 'json']);
    const plannedText = await runCli(['plan', '--db', database.url, '--rules', BENCH3D_RULES, '--now', NOW, '--only', 'device-logs,minors-without-consent']);
    const dryRun = await runCli(['run', '--dry-run', '--db', database.url, '--rules', BENCH3D_RULES, '--now', NOW, '--format', 'json']);
    const dryRunMarkdown = await runCli(['run', '--dry-run', '--db', database.url, '--rules', BENCH3D_RULES, '--now', NOW, '--format', 'markdown']);

    expect(await walRecordsTouchingDatabase(database.db, from)).toEqual([]);
    for (const result of [planned, plannedText, dryRun, dryRunMarkdown]) expect(result.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as Report;
    const dry = JSON.parse(dryRun.stdout) as Report;
    expect(plan.mode).toBe('plan');
    expect(dry.mode).toBe('dry-run');
    // Real work was found and counted, so the statements did read the rows they would change.
    expect(plan.rules.flatMap((rule) => rule.phases).reduce((sum, phase) => sum + phase.candidates, 0)).toBeGreaterThan(1000);
    expect(dry.rules).toEqual(plan.rules);
    expect(plannedText.stdout).toContain('device-logs');
    expect(dryRunMarkdown.stdout).toContain('### minors');
  });

  it('do not create the lethe state schema (nor any other)', async () => {
    await runCli(['plan', '--db', database.url, '--rules', BENCH3D_RULES, '--now', NOW]);
    await runCli(['run', '--dry-run', '--db', database.url, '--rules', BENCH3D_RULES, '--now', NOW]);
    expect(await scalar(`SELECT count(*)::int AS value FROM pg_namespace WHERE nspname = 'lethe'`)).toBe(0);
    const schemas = await database.db.raw<{ rows: { nspname: string }[] }>(
      `SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1`,
    );
    expect(schemas.rows.map((row) => row.nspname)).toEqual(['public']);
  });
});

describe('a rule whose where calls a function that writes', () => {
  beforeAll(async () => {
    await database.db.raw(`CREATE FUNCTION touch() RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO legal_holds (user_id, reason, placed_at) SELECT min(id), 'written by a dry run', now() FROM users;
        RETURN true;
      END $$`);
    await settle();
  });

  it('makes lethe plan exit 2 with the rule failed as READ_ONLY_VIOLATION, and no row or WAL record is written', async () => {
    const holdsBefore = await scalar('SELECT count(*)::int AS value FROM legal_holds');
    const from = await walInsertPosition(database.db);

    const result = await runCli(['plan', '--db', database.url, '--rules', touchRules, '--now', NOW]);

    expect(await walRecordsTouchingDatabase(database.db, from)).toEqual([]);
    expect(await scalar('SELECT count(*)::int AS value FROM legal_holds')).toBe(holdsBefore);
    expect(result.code).toBe(2);
    const lines = result.stdout.split('\n');
    const ruleLine = lines.findIndex((line) => /^\s+touchy-device-logs\s+\(public\.device_logs\)\s+failed$/.test(line));
    expect(ruleLine, result.stdout).toBeGreaterThan(-1);
    expect(lines[ruleLine + 1]).toMatch(/^\s+error READ_ONLY_VIOLATION: .*cannot execute INSERT in a read-only transaction.*must not call functions that write/);
    expect(result.stdout).toMatch(/status failed\n$/);
  });

  it('reports the same failure as data with --format json, and lethe run --dry-run exits 2 too', async () => {
    const holdsBefore = await scalar('SELECT count(*)::int AS value FROM legal_holds');
    const from = await walInsertPosition(database.db);

    const planned = await runCli(['plan', '--db', database.url, '--rules', touchRules, '--now', NOW, '--format', 'json']);
    const dryRun = await runCli(['run', '--dry-run', '--db', database.url, '--rules', touchRules, '--now', NOW, '--format', 'json']);

    expect(await walRecordsTouchingDatabase(database.db, from)).toEqual([]);
    expect(await scalar('SELECT count(*)::int AS value FROM legal_holds')).toBe(holdsBefore);
    for (const [result, mode] of [[planned, 'plan'], [dryRun, 'dry-run']] as const) {
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stdout)).toMatchObject({
        mode,
        status: 'failed',
        rules: [{ id: 'touchy-device-logs', status: 'failed', phases: [], error: { code: 'READ_ONLY_VIOLATION' } }],
      });
    }
  });

  it('still plans the other rules of the same run, and exits 2 because one of them tried to write', async () => {
    writeFileSync(join(touchRules, 'verification-codes.yaml'), [
      'category: verification-codes',
      'rules:',
      '  - id: verification-codes',
      '    table: verification_codes',
      '    subject: verification_codes.user_id',
      '    clock: verification_codes.expires_at',
      '    phases: [{ after: 1d, action: delete }]',
      '',
    ].join('\n'));
    try {
      const result = await runCli(['plan', '--db', database.url, '--rules', touchRules, '--now', NOW, '--format', 'json']);
      expect(result.code).toBe(2);
      const report = JSON.parse(result.stdout) as Report;
      expect(report.rules.map((rule) => [rule.id, rule.status])).toEqual([
        ['touchy-device-logs', 'failed'],
        ['verification-codes', 'planned'],
      ]);
      expect(report.rules[1]!.phases[0]!.candidates).toBeGreaterThan(0);
    } finally {
      rmSync(join(touchRules, 'verification-codes.yaml'));
    }
  });
});
