import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRetention } from '../../../src/execute/run-retention.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Report } from '../../../src/report/types.js';
import { loadRulesOrThrow } from '../../../src/rules/load-rules.js';
import type { ResumeOptions } from '../../../src/plan/resolve-resume.js';
import { runCli } from '../../support/run-cli.js';
import { main } from '../../../src/cli/main.js';
import type { CliIO } from '../../../src/cli/context.js';
import { CHINOOK_NOW, createChinookDatabase, PLAYLISTS_RULE, writeRulesFolder } from '../../support/chinook-shape.js';
import type { TestDatabase } from '../../support/test-database.js';

const EARLY = CHINOOK_NOW; // the stopped run's now
const LATE = '2029-12-01T00:00:00.000Z'; // the next run's --now
/** Lethe deletes the lines itself, so the walk goes by key, ten invoices a batch. */
const INVOICES_BY_KEY = `category: invoices
rules:
  - id: invoices
    table: Invoice
    clock: '"Invoice"."InvoiceDate"'
    cascade: [InvoiceLine]
    phases:
      - { after: 3y, action: delete }
`;

const rulesDir = writeRulesFolder({ '1-invoices.yaml': INVOICES_BY_KEY, '2-playlists.yaml': PLAYLISTS_RULE });
const count = async (database: TestDatabase, sql: string) => Number((await database.db.raw<{ rows: { n: string }[] }>(sql)).rows[0]!.n);

async function run(database: TestDatabase, now: string, options: { resume?: ResumeOptions; stopAfterBatches?: number; confirm?: (preview: Report) => Promise<boolean> } = {}): Promise<Report> {
  const { ruleSet } = await loadRulesOrThrow(rulesDir);
  const controller = new AbortController();
  let batches = 0;
  return runRetention(database.db, ruleSet, {
    url: database.url,
    now: new Date(now),
    only: undefined,
    batchSize: 10,
    signal: controller.signal,
    logger: silentLogger,
    readSecret: () => undefined,
    // The later now is ahead of the database's clock on purpose.
    guards: { allowFutureNow: true, overrideGuards: [] },
    ...(options.resume ? { resume: options.resume } : {}),
    ...(options.confirm ? { confirm: options.confirm } : {}),
    onBatch: () => {
      if (options.stopAfterBatches !== undefined && ++batches >= options.stopAfterBatches) controller.abort(new Error('stopped by the test'));
    },
  });
}

const planJson = async (database: TestDatabase, ...flags: string[]) => runCli(['plan', '--db', database.url, '--rules', rulesDir, '--format', 'json', ...flags]);

describe('an unfinished run is visible and continued only on purpose', () => {
  let database: TestDatabase;
  let dueInvoicesAtEarly: number;
  beforeAll(async () => {
    database = await createChinookDatabase();
    dueInvoicesAtEarly = await count(database, `SELECT count(*) AS n FROM "Invoice" WHERE "InvoiceDate" < TIMESTAMP '2023-12-01'`);
    const stopped = await run(database, EARLY, { stopAfterBatches: 1 });
    expect(stopped.status).toBe('stopped');
  });
  afterAll(() => database?.drop());

  it('a stopped run leaves a checkpoint with its now for every rule, started or not', async () => {
    const rows = await database.db.raw<{ rows: { rule_id: string; logical_now: Date; phase_position: number }[] }>(`SELECT rule_id, logical_now, phase_position FROM lethe.checkpoints ORDER BY rule_id`);
    expect(rows.rows.map((row) => [row.rule_id, new Date(row.logical_now).toISOString()])).toEqual([
      ['invoices', EARLY],
      ['playlists', EARLY],
    ]);
    expect(await count(database, `SELECT count(*) AS n FROM "Invoice" WHERE "InvoiceDate" < TIMESTAMP '2023-12-01'`)).toBe(dueInvoicesAtEarly - 10);
  });

  it('plan with another --now refuses (exit 2), naming both times', async () => {
    const result = await planJson(database, '--now', LATE);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(EARLY);
    expect(result.stderr).toContain(LATE);
    expect(result.stderr).toMatch(/--resume.*--restart/s);
    expect(result.stdout).toBe('');
  });

  it('run with another --now refuses (exit 2) and writes nothing', async () => {
    const before = await count(database, `SELECT count(*) AS n FROM "Invoice"`);
    const result = await runCli(['run', '--db', database.url, '--rules', rulesDir, '--yes', '--now', LATE, '--allow-future-now']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`now ${EARLY}, but --now is ${LATE}`);
    expect(await count(database, `SELECT count(*) AS n FROM "Invoice"`)).toBe(before);
    expect(await count(database, `SELECT count(*) AS n FROM lethe.runs`)).toBe(1);
  });

  it('plan --resume, plan without --now and run --dry-run --resume show the resumed now, cutoffs and remaining counts', async () => {
    for (const flags of [['--now', LATE, '--resume'], [], ['--now', EARLY]]) {
      const result = await planJson(database, ...flags);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as Report;
      const invoices = report.rules.find((rule) => rule.id === 'invoices')!;
      expect(invoices.resumes?.now).toBe(EARLY);
      expect(invoices.phases[0]!.cutoff).toBe('2023-12-01T00:00:00.000Z');
      expect(invoices.phases[0]!.candidates).toBe(dueInvoicesAtEarly - 10);
      expect(report.rules.find((rule) => rule.id === 'playlists')!.phases[0]!.candidates).toBe(11);
    }
    const dry = await runCli(['run', '--dry-run', '--db', database.url, '--rules', rulesDir, '--now', LATE, '--resume']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`resumes unfinished run`);
    expect(dry.stdout).toContain(`with its now ${EARLY}`);
  });

  it('the confirmation question on a terminal shows the resumed now and counts; refusing writes nothing', async () => {
    let stderr = '';
    let asked = '';
    const io: CliIO = {
      writeStdout: () => undefined,
      writeStderr: (text) => {
        stderr += text;
      },
      env: {},
      stdinIsTTY: true,
      stderrIsTTY: true,
      stderrColumns: undefined,
      ask: async (question) => {
        asked = question;
        return false;
      },
    };
    const code = await main(['node', 'lethe', 'run', '--no-progress', '--db', database.url, '--rules', rulesDir, '--now', LATE, '--resume', '--allow-future-now'], io);
    expect(code).toBe(2);
    expect(asked).toBe('Apply these changes?');
    expect(stderr).toContain(`resumes unfinished run`);
    expect(stderr).toContain(`with its now ${EARLY}`);
    expect(stderr).toMatch(new RegExp(`3y\\s+delete\\s+2023-12-01 00:00Z\\s+${dueInvoicesAtEarly - 10}\\s`));
    expect(await count(database, `SELECT count(*) AS n FROM "Playlist"`)).toBe(20);
  });

  it('the prompt shows the resumed counts, and the run does exactly that (an unstarted rule keeps the stopped run now)', async () => {
    let preview: Report | undefined;
    const report = await run(database, LATE, {
      resume: { choice: 'resume', explicitNow: true },
      confirm: async (shown) => {
        preview = shown;
        return true;
      },
    });
    expect(report.status).toBe('ok');
    const shown = (id: string) => preview!.rules.find((rule) => rule.id === id)!;
    expect(shown('invoices').resumes?.now).toBe(EARLY);
    expect(shown('invoices').phases[0]!.candidates).toBe(dueInvoicesAtEarly - 10);
    expect(shown('playlists').resumes?.now).toBe(EARLY);
    for (const rule of report.rules) expect(rule.phases[0]!.affected, rule.id).toBe(shown(rule.id).phases[0]!.candidates);
    // Playlists 10..20 were due at the stopped run's now; 1..9 only at the later one.
    const survivors = await database.db.raw<{ rows: { PlaylistId: number }[] }>(`SELECT "PlaylistId" FROM "Playlist" ORDER BY 1`);
    expect(survivors.rows.map((row) => row.PlaylistId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await count(database, `SELECT count(*) AS n FROM "Invoice" WHERE "InvoiceDate" < TIMESTAMP '2023-12-01'`)).toBe(0);
    expect(await count(database, `SELECT count(*) AS n FROM "Invoice" WHERE "InvoiceDate" >= TIMESTAMP '2023-12-01'`)).toBeGreaterThan(0);
  });
});

describe('--restart discards an unfinished run', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createChinookDatabase();
    await run(database, EARLY, { stopAfterBatches: 1 });
  });
  afterAll(() => database?.drop());

  it('plan --restart and run --restart use the new now for every rule', async () => {
    const planned = await planJson(database, '--now', LATE, '--restart');
    expect(planned.code, planned.stderr).toBe(0);
    const report = JSON.parse(planned.stdout) as Report;
    expect(report.rules.every((rule) => rule.resumes === undefined)).toBe(true);
    expect(report.rules.find((rule) => rule.id === 'playlists')!.phases[0]!.candidates).toBe(20);
    const result = await runCli(['run', '--db', database.url, '--rules', rulesDir, '--yes', '--now', LATE, '--restart', '--allow-future-now', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expect(await count(database, `SELECT count(*) AS n FROM "Playlist"`)).toBe(0);
    expect(await count(database, `SELECT count(*) AS n FROM "Invoice" WHERE "InvoiceDate" < TIMESTAMP '2026-12-01'`)).toBe(0);
    expect(await count(database, `SELECT count(*) AS n FROM lethe.checkpoints`)).toBe(0);
  });

  it('--resume and --restart together are a usage error', async () => {
    const result = await planJson(database, '--resume', '--restart');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--resume and --restart');
  });
});
