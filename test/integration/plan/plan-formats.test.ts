import { Ajv2020 } from 'ajv/dist/2020.js';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBench3d } from '../../../src/bench3d/seed-bench3d.js';
import type { Report } from '../../../src/report/types.js';
import { runCli, type CliResult } from '../../support/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

const BENCH3D_RULES = fileURLToPath(new URL('../../../rules/', import.meta.url));
const REPORT_SCHEMA = JSON.parse(readFileSync(new URL('../../../schema/report.schema.json', import.meta.url), 'utf8')) as object;
const NOW = '2026-11-25T00:00:00Z';
const CATEGORIES = ['accounts', 'cancelled-accounts', 'device-logs', 'minors', 'public-model-metadata', 'third-party-logins', 'verification-codes'];

let database: TestDatabase;
let outDir: string;

function lethe(...args: string[]): Promise<CliResult> {
  return runCli([...args, '--rules', BENCH3D_RULES, '--now', NOW, ...(args.includes('--db') ? [] : ['--db', database.url])]);
}

/** stderr without the structured log lines (JSON objects): what a person reads. */
function messageLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '' && !line.startsWith('{'));
}

function validateReport(report: unknown): string[] {
  const ajv = new Ajv2020({ allErrors: true });
  const validate = ajv.compile(REPORT_SCHEMA);
  return validate(report) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

beforeAll(async () => {
  database = await createTestDatabase();
  await seedBench3d(database.db, { scale: 0.2, seed: 7, now: new Date(NOW) });
  outDir = mkdtempSync(join(tmpdir(), 'lethe-plan-out-'));
});

afterAll(async () => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
  await database?.drop();
});

describe('lethe plan --format json', () => {
  let plan: Report;
  let dryRun: Report;

  beforeAll(async () => {
    const planned = await lethe('plan', '--format', 'json');
    const dry = await lethe('run', '--dry-run', '--format', 'json');
    expect(planned.code).toBe(0);
    expect(dry.code).toBe(0);
    plan = JSON.parse(planned.stdout) as Report;
    dryRun = JSON.parse(dry.stdout) as Report;
  });

  it('validates against schema/report.schema.json (JSON Schema draft 2020-12), for plan and for run --dry-run', () => {
    expect((REPORT_SCHEMA as { $schema: string }).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(validateReport(plan)).toEqual([]);
    expect(validateReport(dryRun)).toEqual([]);
  });

  it('is checked by a schema that does reject a report missing a count or carrying an unknown field', () => {
    const withoutCandidates = structuredClone(plan) as unknown as { rules: { phases: Record<string, unknown>[] }[] };
    delete withoutCandidates.rules[0]!.phases[0]!.candidates;
    expect(validateReport(withoutCandidates)).toEqual([expect.stringMatching(/candidates/)]);
    expect(validateReport({ ...plan, extra: true })).not.toEqual([]);
  });

  it('gives run --dry-run the same report as plan, but for its mode', () => {
    expect(plan).toMatchObject({ lethe: 1, mode: 'plan', now: '2026-11-25T00:00:00.000Z', status: 'ok' });
    expect({ ...dryRun, mode: 'plan' }).toEqual(plan);
    expect(dryRun.mode).toBe('dry-run');
  });

  it('previews each anonymized column as its type and length only, never its original value', async () => {
    const anonymizing = plan.rules.flatMap((rule) => rule.phases.filter((phase) => phase.action === 'anonymize' && phase.candidates > 0).map((phase) => ({ rule, phase })));
    expect(anonymizing.map(({ rule }) => rule.id).sort()).toEqual(['cancelled-accounts-profile', 'device-logs', 'minors-with-consent-expired']);
    for (const { phase } of anonymizing) {
      expect(phase.preview?.length).toBeGreaterThan(0);
      for (const row of phase.preview!) {
        for (const column of row) {
          expect(Object.keys(column.before).sort()).toEqual(['length', 'type']);
          expect(typeof column.before.type).toBe('string');
        }
      }
    }
    const profile = plan.rules.find((rule) => rule.id === 'cancelled-accounts-profile')!.phases[0]!;
    const phones = profile.preview!.map((row) => row.find((column) => column.column === 'phone')!);
    expect(phones).toContainEqual({ column: 'phone', before: { type: 'text', length: 11 }, does: 'null' });
    for (const { phase } of anonymizing) for (const row of phase.preview!) for (const column of row) expect(column).not.toHaveProperty('after');
  });

  it('contains no phone number of the users table, nor any other original identifier the rules remove', async () => {
    const originals = await database.db.raw<{ rows: { value: string }[] }>(`
      SELECT phone AS value FROM users WHERE phone IS NOT NULL
      UNION SELECT avatar_url FROM users WHERE avatar_url IS NOT NULL
      UNION SELECT device_id FROM device_logs WHERE device_id IS NOT NULL
      UNION SELECT imei FROM device_logs WHERE imei IS NOT NULL
      UNION SELECT mac_address FROM device_logs WHERE mac_address IS NOT NULL`);
    expect(originals.rows.filter((row) => /^1\d{10}$/.test(row.value)).length).toBeGreaterThan(150);
    const text = (await lethe('plan')).stdout;
    const markdown = (await lethe('plan', '--format', 'markdown')).stdout;
    for (const output of [JSON.stringify(plan), JSON.stringify(dryRun), text, markdown]) {
      expect(originals.rows.filter((row) => output.includes(row.value)).map((row) => row.value)).toEqual([]);
    }
  });
});

describe('lethe plan in the human formats', () => {
  let categoryOf: Map<string, string>;

  beforeAll(async () => {
    const report = JSON.parse((await lethe('plan', '--format', 'json')).stdout) as Report;
    categoryOf = new Map(report.rules.map((rule) => [rule.id, rule.category]));
  });

  it('markdown: one "### category" section per category, each with one table whose rows are exactly its rules\' phases', async () => {
    const result = await lethe('plan', '--format', 'markdown');
    expect(result.code).toBe(0);
    const [title, ...sections] = result.stdout.split(/^### /m);
    expect(title).toMatch(/^## Lethe plan \(dry run: nothing was written\)\n/);
    expect(sections.map((section) => section.split('\n')[0]).sort()).toEqual(CATEGORIES);
    for (const section of sections) {
      const category = section.split('\n')[0]!;
      const tableLines = section.split('\n').filter((line) => line.startsWith('|'));
      expect(tableLines[0]).toBe('| rule | table | status | after | action | cutoff | candidates | held | oldest |');
      expect(tableLines[1]).toMatch(/^\|(-{3}|-{3}:)(\|(-{3}|-{3}:))+\|$/);
      const rows = tableLines.slice(2);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(categoryOf.get(/^\| `([^`]+)`/.exec(row)![1]!)).toBe(category);
      // One table: its lines are contiguous.
      const lines = section.split('\n');
      const first = lines.indexOf(tableLines[0]!);
      expect(lines.slice(first, first + tableLines.length)).toEqual(tableLines);
    }
    const ruleRows = sections.flatMap((section) => section.split('\n').filter((line) => line.startsWith('| `')));
    expect(new Set(ruleRows.map((row) => /^\| `([^`]+)`/.exec(row)![1]))).toEqual(new Set(categoryOf.keys()));
  });

  it('text: every rule is listed under an unindented line naming its category, each category once', async () => {
    const result = await lethe('plan');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('Lethe plan (dry run: nothing was written) — now 2026-11-25T00:00:00.000Z');
    const headings = lines.filter((line) => CATEGORIES.includes(line));
    expect([...headings].sort()).toEqual(CATEGORIES);
    let current: string | undefined;
    const listed = new Map<string, string | undefined>();
    for (const line of lines) {
      if (CATEGORIES.includes(line)) current = line;
      const rule = /^ {2}(\S+) {2}\(public\.[a-z_]+\) {2}planned$/.exec(line);
      if (rule) listed.set(rule[1]!, current);
    }
    expect(listed).toEqual(categoryOf);
    expect(lines.at(-2)).toMatch(/^total: [\d,]+ rows due, [\d,]+ held; status ok$/);
  });

  it('run --dry-run prints the same text as plan under its own title', async () => {
    const planned = await lethe('plan');
    const dry = await lethe('run', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout.split('\n')[0]).toBe('Lethe run --dry-run (nothing was written) — now 2026-11-25T00:00:00.000Z');
    expect(dry.stdout.split('\n').slice(1)).toEqual(planned.stdout.split('\n').slice(1));
  });
});

describe('lethe plan --out, --only, --now and --db', () => {
  it.each(['json', 'markdown', 'text'])('--format %s --out FILE writes the report to the file and prints nothing on stdout', async (format) => {
    const file = join(outDir, `report.${format}`);
    const toFile = await lethe('plan', '--format', format, '--out', file);
    const toStdout = await lethe('plan', '--format', format);
    expect(toFile.code).toBe(0);
    expect(toFile.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(toStdout.stdout);
    expect(readdirSync(outDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('--out into a folder that does not exist exits 2 with one line naming the file, and creates nothing', async () => {
    const file = join(outDir, 'missing', 'report.json');
    const result = await lethe('plan', '--format', 'json', '--out', file);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(messageLines(result.stderr).filter((line) => line.startsWith('lethe:'))).toEqual([expect.stringContaining(file)]);
    expect(existsSync(join(outDir, 'missing'))).toBe(false);
  });

  it('--only device-logs plans that rule alone', async () => {
    const result = await lethe('plan', '--format', 'json', '--only', 'device-logs');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.rules.map((rule) => rule.id)).toEqual(['device-logs']);
    expect(report.rules[0]!.phases.map((phase) => phase.after)).toEqual(['180d', '30d']);
    const text = await lethe('plan', '--only', 'device-logs');
    expect(text.stdout).not.toMatch(/minors|verification|cancelled|third-party|public-model/);
  });

  it('--only with a comma-separated list plans exactly those rules', async () => {
    const result = await lethe('plan', '--format', 'json', '--only', 'verification-codes, minors-without-consent');
    expect((JSON.parse(result.stdout) as Report).rules.map((rule) => rule.id).sort()).toEqual(['minors-without-consent', 'verification-codes']);
  });

  it.each([
    [['nope'], 'nope'],
    [['device-logs,nope'], 'nope'],
  ])('--only %j exits 2 with one line naming the unknown id, and prints no report', async ([only], unknown) => {
    const result = await lethe('plan', '--only', only!);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const errors = messageLines(result.stderr).filter((line) => line.startsWith('lethe:'));
    expect(errors).toEqual([`lethe: --only: no rule with id '${unknown}' [USAGE]`]);
    expect(messageLines(result.stderr).find((line) => line.startsWith('hint:'))).toContain('device-logs');
  });

  it('--now garbage exits 2 with one line naming the flag and the value, and prints no report', async () => {
    const result = await runCli(['plan', '--db', database.url, '--rules', BENCH3D_RULES, '--now', 'garbage']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(messageLines(result.stderr).filter((line) => line.startsWith('lethe:'))).toEqual(['lethe: --now must be an ISO 8601 date like 2026-11-25 or 2026-11-25T03:00:00Z (a time needs a zone), got garbage [USAGE]']);
  });

  it('--format xml is a usage error (exit 2)', async () => {
    const result = await lethe('plan', '--format', 'xml');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });

  describe('an unreachable database', () => {
    const password = 'Sup3r-S3cret-Pa55word';
    const unreachable = `postgres://lethe:${password}@127.0.0.1:1/lethe`;

    it.each([
      ['--db', ['plan', '--db', unreachable], {}],
      ['DATABASE_URL', ['plan'], { DATABASE_URL: unreachable }],
      ['--db with run --dry-run --format json', ['run', '--dry-run', '--format', 'json', '--db', unreachable], {}],
    ] as const)('given by %s exits 1 with one error line (and its hint), never printing the password', async (_how, args, env) => {
      const result = await runCli([...args, '--rules', BENCH3D_RULES, '--now', NOW], env);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      const lines = messageLines(result.stderr);
      expect(lines.filter((line) => !line.startsWith('hint:'))).toEqual(['lethe: cannot connect to postgres://lethe:***@127.0.0.1:1/lethe [DB_UNREACHABLE]']);
      expect(lines.length).toBeLessThanOrEqual(2);
      expect(result.stdout + result.stderr).not.toContain(password);
    });
  });
});

describe('usage errors found before connecting', () => {
  it('--now 2026-02-30 (no such day) exits 2 instead of planning for 2026-03-02', async () => {
    const result = await runCli(['plan', '--db', database.url, '--rules', BENCH3D_RULES, '--now', '2026-02-30', '--only', 'verification-codes']);
    expect(result.code).toBe(2);
    expect(messageLines(result.stderr).filter((line) => line.startsWith('lethe:'))).toEqual([expect.stringContaining('--now')]);
  });

  it('--only nope exits 2 naming the id even when the database is unreachable (the ids are known from the rule files)', async () => {
    const result = await runCli(['plan', '--db', 'postgres://lethe@127.0.0.1:1/lethe', '--rules', BENCH3D_RULES, '--only', 'nope']);
    expect(result.code).toBe(2);
    expect(messageLines(result.stderr).filter((line) => line.startsWith('lethe:'))).toEqual(["lethe: --only: no rule with id 'nope' [USAGE]"]);
  });
});
