import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRetention } from '../../../src/execute/run-retention.js';
import type { BatchEvent } from '../../../src/execute/types.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Report } from '../../../src/report/types.js';
import { loadRulesOrThrow } from '../../../src/rules/load-rules.js';
import { runCli } from '../../support/run-cli.js';
import {
  BENCH_NOW,
  createSeededDatabase,
  idsOf,
  isBatchLine,
  parseReport,
  positionOf,
  readLedger,
  ROOT,
  rowTexts,
  RULES_DIR,
  startLethe,
  startsAfter,
  tableChecksum,
  waitForNoRunSessions,
} from '../../support/run-helpers.js';
import type { TestDatabase } from '../../support/test-database.js';

const now = new Date(BENCH_NOW);
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
const D30 = daysAgo(30);
const D180 = daysAgo(180);
const HELD = `(SELECT user_id FROM legal_holds WHERE released_at IS NULL)`;
/** device-logs rows due now (either phase) that no hold protects. */
const DUE_LOGS = `source <> 'internal' AND created_at < '${D30}'::timestamptz AND (user_id IS NULL OR user_id NOT IN ${HELD})`;

const cliRun = (url: string, ...flags: string[]) => runCli(['run', '--db', url, '--rules', RULES_DIR, '--yes', '--now', BENCH_NOW, '--format', 'json', ...flags]);

/**
 * Runs a statement to completion from another process, synchronously: called
 * from the engine's onBatch hook, it commits before the next batch can start.
 * Returns the first column of the first row of `report` (run after the commit), if given.
 */
function commitElsewhereNow(url: string, sql: string, values: unknown[], report?: string): unknown {
  const script = `import pg from 'pg';
const client = new pg.Client({ connectionString: process.env.LETHE_TEST_URL, application_name: 'lethe test: another session' });
await client.connect();
const values = JSON.parse(process.env.LETHE_TEST_VALUES);
await client.query(process.env.LETHE_TEST_SQL, values);
if (process.env.LETHE_TEST_REPORT) {
  const result = await client.query({ text: process.env.LETHE_TEST_REPORT, values, rowMode: 'array' });
  process.stdout.write(JSON.stringify(result.rows[0][0]));
}
await client.end();`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, LETHE_TEST_URL: url, LETHE_TEST_SQL: sql, LETHE_TEST_VALUES: JSON.stringify(values), LETHE_TEST_REPORT: report ?? '' },
    encoding: 'utf8',
  });
  return output ? JSON.parse(output) : undefined;
}

async function runInProcess(database: TestDatabase, options: { batchSize: number; onBatch?: (event: BatchEvent) => void }): Promise<Report> {
  const { ruleSet } = await loadRulesOrThrow(RULES_DIR);
  return runRetention(database.db, ruleSet, {
    url: database.url,
    now,
    only: ['device-logs'],
    batchSize: options.batchSize,
    signal: new AbortController().signal,
    logger: silentLogger,
    readSecret: () => undefined,
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
  });
}

async function count(database: TestDatabase, sql: string): Promise<number> {
  return (await database.db.raw<{ rows: { n: number }[] }>(`SELECT count(*)::int AS n FROM (${sql}) x`)).rows[0]!.n;
}

describe('a legal hold placed by another session while a run is under way', () => {
  let database: TestDatabase;
  let subject: string;
  let subjectDueBefore: string[];
  let rowsBefore: Map<string, string>;
  /** What the other session saw right after its hold committed, with the run paused between two batches. */
  let atHold: { subjectDue: string[]; othersDue: number; placedAt: string };
  let report: Report;

  beforeAll(async () => {
    database = await createSeededDatabase();
    // A person with a due row among the first 50 ids (the run's first batch, walked by key or by page:
    // ids rise with the physical order the seeder wrote) and the most due rows after them.
    subject = (
      await idsOf(
        database.db,
        `SELECT user_id::text AS id FROM device_logs WHERE ${DUE_LOGS}
            AND user_id IN (SELECT user_id FROM device_logs WHERE ${DUE_LOGS} AND id <= 50)
          GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1`,
      )
    )[0]!;
    subjectDueBefore = await idsOf(database.db, `SELECT id::text AS id FROM device_logs WHERE ${DUE_LOGS} AND user_id = ${subject}`);
    rowsBefore = await rowTexts(database.db, 'device_logs');

    report = await runInProcess(database, {
      batchSize: 200,
      onBatch: (event) => {
        if (atHold || event.rows === 0) return;
        const output = commitElsewhereNow(
          database.url,
          `INSERT INTO legal_holds (user_id, reason, placed_at) VALUES ($1, 'dispute opened mid-run', clock_timestamp())`,
          [subject],
          `SELECT json_build_object(
             'subjectDue', (SELECT coalesce(json_agg(id::text), '[]') FROM device_logs WHERE source <> 'internal' AND created_at < '${D30}'::timestamptz AND user_id = $1),
             'othersDue', (SELECT count(*) FROM device_logs WHERE ${DUE_LOGS} AND user_id IS DISTINCT FROM $1 AND (created_at < '${D180}'::timestamptz OR imei IS NOT NULL)),
             'placedAt', (SELECT placed_at FROM legal_holds WHERE reason = 'dispute opened mid-run')) AS state`,
        );
        atHold = output as typeof atHold;
      },
    });
  }, 180_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('the hold was placed mid-run: the person’s first rows were already done, later ones and many of others’ still waiting', () => {
    expect(report.rules[0]!.status).toBe('done');
    expect(atHold).toBeDefined();
    const early = subjectDueBefore.filter((id) => Number(id) <= 50);
    expect(early.length).toBeGreaterThan(0);
    for (const id of early) expect(atHold.subjectDue).not.toContain(id);
    expect(atHold.subjectDue.length).toBeGreaterThan(0);
    expect(atHold.othersDue).toBeGreaterThan(100);
  });

  it('batches committed after the hold exist: the run went on past the hold', async () => {
    const ledger = await readLedger(database.db, 'device-logs');
    expect(ledger.filter((row) => row.committedAt.getTime() > new Date(atHold.placedAt).getTime()).length).toBeGreaterThan(0);
  });

  it('none of the person’s rows still due when the hold was committed were deleted or anonymized', async () => {
    const after = await rowTexts(database.db, 'device_logs');
    for (const id of atHold.subjectDue) expect(after.get(id), `device_logs ${id}`).toBe(rowsBefore.get(id));
  });

  it('everyone else’s due rows were processed', async () => {
    expect(await count(database, `SELECT 1 FROM device_logs WHERE ${DUE_LOGS} AND user_id IS DISTINCT FROM ${subject} AND created_at < '${D180}'::timestamptz`)).toBe(0);
    expect(await count(database, `SELECT 1 FROM device_logs WHERE ${DUE_LOGS} AND user_id IS DISTINCT FROM ${subject} AND imei IS NOT NULL`)).toBe(0);
  });
});

describe('rows that arrive with old clocks', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createSeededDatabase();
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
  });

  const insertLog = (createdAt: string | null, userId: string | null = null) =>
    idsOf(
      database.db,
      `INSERT INTO device_logs (user_id, imei, ip, event, payload, source, created_at)
       VALUES (?, '860000000000001', '203.0.113.77', 'app_open', '{"gps": [1, 2], "screen": "home"}', 'app', ?) RETURNING id::text AS id`,
      [userId, createdAt],
    );

  it('a row inserted with an old clock while a run is under way does not keep the run going, and is gone after the next run at the latest', async () => {
    let inserted = false;
    const report = await runInProcess(database, {
      batchSize: 500,
      onBatch: () => {
        if (inserted) return;
        inserted = true;
        commitElsewhereNow(database.url, `INSERT INTO device_logs (event, source, created_at) VALUES ('late arrival', 'app', $1::timestamptz)`, [daysAgo(400)]);
      },
    });
    expect(inserted).toBe(true);
    expect(report.rules[0]!.status).toBe('done');
    const next = await cliRun(database.url, '--only', 'device-logs');
    expect(next.code, next.stderr).toBe(0);
    expect(await idsOf(database.db, `SELECT id::text AS id FROM device_logs WHERE event = 'late arrival'`)).toEqual([]);
  });

  it('rows inserted with old clocks after a run are deleted or anonymized by the next run; recent, clockless and held ones stay', async () => {
    const first = await cliRun(database.url, '--only', 'device-logs');
    expect(first.code, first.stderr).toBe(0);
    const [held] = await idsOf(database.db, `SELECT user_id::text AS id FROM legal_holds WHERE released_at IS NULL ORDER BY legal_holds.id LIMIT 1`);
    const [expired] = await insertLog(daysAgo(200));
    const [stale] = await insertLog(daysAgo(60));
    const [recent] = await insertLog(daysAgo(5));
    const [clockless] = await insertLog(null);
    const [heldRow] = await insertLog(daysAgo(200), held!);
    const keep = await rowTexts(database.db, 'device_logs');

    const next = await cliRun(database.url, '--only', 'device-logs');
    expect(next.code, next.stderr).toBe(0);
    const phases = parseReport(next.stdout).rules[0]!.phases.map((phase) => [phase.action, phase.affected]);
    expect(phases).toEqual([
      ['delete', 1],
      ['anonymize', 1],
    ]);
    const after = await rowTexts(database.db, 'device_logs');
    expect(after.has(expired!)).toBe(false);
    for (const id of [recent!, clockless!, heldRow!]) expect(after.get(id)).toBe(keep.get(id));
    const anonymized = (await database.db.raw<{ rows: Record<string, unknown>[] }>(`SELECT imei, ip::text AS ip, payload FROM device_logs WHERE id = ?`, [stale!])).rows[0];
    expect(anonymized).toEqual({ imei: null, ip: '203.0.113.0/24', payload: { screen: 'home' } });
  });
});

describe('a run stopped early and resumed', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createSeededDatabase();
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('SIGTERM mid-run lets the batch commit, exits 3 with a partial report, and leaves a checkpoint at or past the last committed batch', async () => {
    const args = ['run', '--db', database.url, '--rules', RULES_DIR, '--yes', '--now', BENCH_NOW, '--only', 'device-logs', '--batch-size', '50', '--format', 'json'];
    const first = startLethe(args);
    await first.waitForLine(isBatchLine, 3);
    first.child.kill('SIGTERM');
    const outcome = await first.exited;
    expect(outcome.code, outcome.stderr).toBe(3);
    expect(outcome.stderr).toContain('SIGTERM received');
    const report = JSON.parse(outcome.stdout) as Report;
    expect(report.status).toBe('stopped');
    expect(report.rules[0]).toMatchObject({ id: 'device-logs', status: 'partial', stoppedBecause: 'stopped by SIGTERM' });
    await waitForNoRunSessions(database.db);

    const ledger = await readLedger(database.db, 'device-logs');
    expect(ledger.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ledger.map((row) => row.runId))).toEqual(new Set([report.runId]));
    const checkpoints = (await database.db.raw<{ rows: { run_id: string; phase_position: number; last_key: string[] | null; logical_now: Date }[] }>(
      `SELECT run_id::text AS run_id, phase_position, last_key, logical_now FROM lethe.checkpoints WHERE rule_id = 'device-logs'`,
    )).rows;
    expect(checkpoints).toHaveLength(1);
    expect(checkpoints[0]).toMatchObject({ run_id: report.runId, phase_position: 0 });
    // Written with each batch: at or past the last batch that changed rows (a walk by pages also records empty ranges it passed).
    const stoppedAt = positionOf(checkpoints[0]!.last_key!);
    const lastChange = positionOf(ledger[ledger.length - 1]!.keyTo);
    expect(stoppedAt.byPages).toBe(lastChange.byPages);
    expect(stoppedAt.value >= lastChange.value).toBe(true);
    expect(new Date(checkpoints[0]!.logical_now).toISOString()).toBe(BENCH_NOW);
    const ruleRun = (await database.db.raw<{ rows: { status: string }[] }>(`SELECT status FROM lethe.rule_runs WHERE run_id = ?`, [report.runId!])).rows;
    expect(ruleRun).toEqual([{ status: 'partial' }]);
  }, 120_000);

  it('the next run resumes from the checkpoint (its first range starts after the last one done) and finishes', async () => {
    const before = await readLedger(database.db, 'device-logs');
    const stoppedAt = before[before.length - 1]!;
    const outcome = await cliRun(database.url, '--only', 'device-logs');
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stderr).toContain('resuming unfinished run');
    const report = parseReport(outcome.stdout);
    expect(report.rules[0]!.status).toBe('done');
    const resumed = (await readLedger(database.db, 'device-logs')).filter((row) => row.runId !== stoppedAt.runId);
    expect(resumed[0]!.phaseAfter).toBe(stoppedAt.phaseAfter);
    expect(startsAfter(resumed[0]!.keyFrom, stoppedAt.keyTo)).toBe(true);
    expect(await count(database, `SELECT 1 FROM device_logs WHERE ${DUE_LOGS} AND (created_at < '${D180}'::timestamptz OR imei IS NOT NULL)`)).toBe(0);
    expect(await count(database, `SELECT 1 FROM lethe.checkpoints`)).toBe(0);
  });

  it('--max-runtime 1ms stops before the first batch with exit 3, and the next run does the work', async () => {
    const fresh = await createSeededDatabase();
    try {
      const before = await tableChecksum(fresh.db, 'verification_codes');
      const stopped = await cliRun(fresh.url, '--only', 'verification-codes', '--max-runtime', '1ms');
      expect(stopped.code, stopped.stderr).toBe(3);
      const report = parseReport(stopped.stdout) as unknown as Report;
      expect(report.status).toBe('stopped');
      expect(report.rules[0]!.status).toBe('partial');
      expect(report.rules[0]!.stoppedBecause).toMatch(/--max-runtime reached/);
      expect(await count(fresh, `SELECT 1 FROM lethe.ledger`)).toBe(0);
      expect(await tableChecksum(fresh.db, 'verification_codes')).toBe(before);
      const due = await count(fresh, `SELECT 1 FROM verification_codes WHERE expires_at < '${daysAgo(1)}'::timestamptz`);
      expect(due).toBeGreaterThan(0);

      const finished = await cliRun(fresh.url, '--only', 'verification-codes');
      expect(finished.code, finished.stderr).toBe(0);
      expect(
        await count(fresh, `SELECT 1 FROM verification_codes WHERE expires_at < '${daysAgo(1)}'::timestamptz AND (user_id IS NULL OR user_id NOT IN ${HELD})`),
      ).toBe(0);
    } finally {
      await fresh.drop();
    }
  }, 120_000);
});
