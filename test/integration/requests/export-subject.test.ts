import { mkdtempSync, readFileSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';
import { createSeededDatabase, RULES_DIR } from '../../support/run-helpers.js';
import type { TestDatabase } from '../../support/test-database.js';
import { loadRulesOrThrow } from '../../../src/rules/load-rules.js';
import { exportSubject } from '../../../src/requests/export-subject.js';
import { columnsReferencingUsers, expectedIdsByTable, idsOfRows, pickUsers, rowsByTable, type ExportDocument } from './export-support.js';

let database: TestDatabase;
let users: { rich: number; held: number; other: number };
let folder: string;

beforeAll(async () => {
  database = await createSeededDatabase({ scale: 0.2 });
  users = await pickUsers(database.db);
  folder = mkdtempSync(join(tmpdir(), 'lethe-export-'));
});

afterAll(async () => {
  if (folder) rmSync(folder, { recursive: true, force: true });
  await database?.drop();
});

async function exportJson(subject: number | string, extra: string[] = []): Promise<ExportDocument> {
  const result = await runCli(['export', '--db', database.url, '--rules', RULES_DIR, '--subject', String(subject), ...extra]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as ExportDocument;
}

describe('lethe export on the seeded Bench3D database', () => {
  it("holds every row of the user in every table referencing users (and their models' metadata), checked against direct SQL", async () => {
    const document = await exportJson(users.rich);
    const exported = rowsByTable(document);
    const expected = await expectedIdsByTable(database.db, users.rich);
    expect(document.status).toBe('ok');
    for (const [table, ids] of expected) expect(idsOfRows(exported.get(table)), table).toEqual(ids);
    // The chosen user has rows almost everywhere, internal device logs included.
    expect(expected.get('device_logs')!.length).toBeGreaterThan(0);
    expect(expected.get('public_model_metadata')!.length).toBeGreaterThan(0);
    expect([...exported.keys()].sort()).toEqual([...expected.entries()].filter(([, ids]) => ids.length > 0).map(([table]) => table).sort());
    expect(document.rows).toBe([...exported.values()].reduce((sum, rows) => sum + rows.length, 0));
  });

  it('holds nothing of any other user', async () => {
    const exported = rowsByTable(await exportJson(users.rich));
    for (const { table, column } of await columnsReferencingUsers(database.db)) {
      for (const row of exported.get(table) ?? []) expect(String(row[column]), `${table}.${column}`).toBe(String(users.rich));
    }
    for (const row of exported.get('users') ?? []) expect(String(row.id)).toBe(String(users.rich));
    const models = new Set((exported.get('models') ?? []).map((row) => String(row.id)));
    for (const row of exported.get('public_model_metadata') ?? []) expect(models.has(String(row.model_id))).toBe(true);
  });

  it('groups tables by category and counts them in the header; a held user is exported too (holds stop erasure, not a copy)', async () => {
    const document = await exportJson(users.held);
    expect(document.categories.accounts?.users).toHaveLength(1);
    expect(Object.keys(document.categories['device-logs'] ?? {})).toEqual(Object.keys(document.categories['device-logs'] ?? {}).filter((table) => table === 'device_logs'));
    const legalHolds = document.tables.find((table) => table.table === 'legal_holds')!;
    expect(legalHolds.rows).toBeGreaterThan(0);
    for (const table of document.tables) expect(rowsByTable(document).get(table.table)?.length ?? 0).toBe(table.rows);
  });

  it('leaves out the columns a rule marks as not exportable (the verification code)', async () => {
    const document = await exportJson(users.rich);
    const codes = rowsByTable(document).get('verification_codes')!;
    expect(codes.length).toBeGreaterThan(0);
    for (const row of codes) {
      expect(row).not.toHaveProperty('code');
      expect(row).toHaveProperty('phone');
    }
    expect(document.tables.find((table) => table.table === 'verification_codes')!.omittedColumns).toEqual(['code']);
  });

  it('writes the same rows as JSON Lines: a header line, then one line per row naming its category and table', async () => {
    const json = await exportJson(users.rich);
    const result = await runCli(['export', '--db', database.url, '--rules', RULES_DIR, '--subject', String(users.rich), '--format', 'jsonl']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const [header, ...rows] = lines;
    expect(header).toMatchObject({ lethe: 1, mode: 'export', status: 'ok', rows: json.rows });
    expect(rows).toHaveLength(json.rows);
    const fromLines = new Map<string, Record<string, unknown>[]>();
    for (const line of rows) {
      expect(json.categories[line.category as string]?.[line.table as string]).toBeDefined();
      fromLines.set(line.table as string, [...(fromLines.get(line.table as string) ?? []), line.row as Record<string, unknown>]);
    }
    expect(fromLines).toEqual(rowsByTable(json));
  });

  it('reports a subject found nowhere as not-found, with exit 0 and an empty export', async () => {
    const document = await exportJson(987654321);
    expect(document.status).toBe('not-found');
    expect(document.rows).toBe(0);
    expect(document.categories).toEqual({});
  });

  it('writes --out through a partial file readable by its owner only, and never logs the subject', async () => {
    const out = join(folder, 'export.json');
    const result = await runCli(['export', '--db', database.url, '--rules', RULES_DIR, '--subject', String(users.rich), '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect((JSON.parse(readFileSync(out, 'utf8')) as ExportDocument).status).toBe('ok');
    const logged = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    // Counts may equal the id by chance; every other field must not be it.
    for (const line of logged) expect(Object.entries(line).filter(([key]) => !['rows', 'tables', 'time', 'level'].includes(key)).map(([, value]) => String(value))).not.toContain(String(users.rich));
    expect(result.stderr).not.toContain('subject');
  });

  it('reads rows through a cursor a page at a time: memory is bounded by the page, not by the table', async () => {
    const { ruleSet } = await loadRulesOrThrow(RULES_DIR);
    const writes: string[] = [];
    const header = await exportSubject(database.db, ruleSet, {
      subject: String(users.rich),
      kind: undefined,
      format: 'jsonl',
      now: new Date(),
      fetchRows: 2,
      sink: { write: async (text) => void writes.push(text) },
    });
    const rowWrites = writes.slice(1).filter((text) => text !== '');
    expect(rowWrites.length).toBeGreaterThanOrEqual(Math.ceil(header.rows / 2));
    for (const text of rowWrites) expect(text.trimEnd().split('\n').length).toBeLessThanOrEqual(2);
  });
});

describe('lethe export: bad usage exits 2 naming the flag, before anything is read', () => {
  it.each([
    [['--subject', '1', '--format', 'xml'], '--format'],
    [['--subject', '1', '--kind', 'nobody'], '--kind'],
    [['--subject', '1', '--kind', 'Bad Kind'], '--kind'],
    [['--subject', ''], '--subject'],
    [[], '--subject'],
    [['--subject', 'not-a-number'], '--subject'],
  ])('%j', async (flags, named) => {
    const result = await runCli(['export', '--db', database.url, '--rules', RULES_DIR, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(named);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain('not-a-number');
  });
});

describe('lethe export with subjects through a join and kinds of subject', () => {
  let rules: string;

  beforeAll(() => {
    rules = mkdtempSync(join(tmpdir(), 'lethe-export-kinds-'));
    writeFileSync(join(rules, 'lethe.yaml'), 'holds:\n  person: "SELECT user_id FROM legal_holds WHERE released_at IS NULL"\n  owner: "SELECT user_id FROM legal_holds WHERE released_at IS NULL"\n');
    writeFileSync(
      join(rules, 'joined.yaml'),
      [
        'category: joined',
        'rules:',
        '  - id: logs-by-account',
        '    table: device_logs',
        '    join: "JOIN users ON users.id = device_logs.user_id"',
        '    subject: { column: users.id, kind: person }',
        '    clock: device_logs.created_at',
        '    export: { omit: [imei, payload] }',
        '    phases: [{ after: 1y, action: delete }]',
        '  - id: metadata-by-owner',
        '    table: public_model_metadata',
        '    join: "JOIN models ON models.id = public_model_metadata.model_id"',
        '    subject: { column: models.owner_id, kind: owner }',
        '    clock: public_model_metadata.collected_at',
        '    phases: [{ after: 1y, action: delete }]',
        '  - id: accounts-hidden',
        '    table: users',
        '    subject: { column: users.id, kind: owner }',
        '    clock: users.cancelled_at',
        '    export: false',
        '    phases: [{ after: 1y, action: anonymize, set: { phone: null } }]',
        '',
      ].join('\n'),
    );
  });

  afterAll(() => rmSync(rules, { recursive: true, force: true }));

  it('selects the rows a subject named through the join names, and only the rules of the kind asked for', async () => {
    const result = await runCli(['export', '--db', database.url, '--rules', rules, '--subject', String(users.rich), '--kind', 'person']);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout) as ExportDocument;
    const expected = await expectedIdsByTable(database.db, users.rich);
    expect(document.kind).toBe('person');
    expect([...rowsByTable(document).keys()]).toEqual(['device_logs']);
    // Rows with a NULL user_id never join: exactly the user's own logs.
    expect(idsOfRows(rowsByTable(document).get('device_logs'))).toEqual(expected.get('device_logs'));
    for (const row of rowsByTable(document).get('device_logs')!) {
      expect(row).not.toHaveProperty('imei');
      expect(row).not.toHaveProperty('payload');
    }
  });

  it('counts but never shows a table a rule marks export: false', async () => {
    const result = await runCli(['export', '--db', database.url, '--rules', rules, '--subject', String(users.rich), '--kind', 'owner']);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout) as ExportDocument;
    const expected = await expectedIdsByTable(database.db, users.rich);
    expect(idsOfRows(rowsByTable(document).get('public_model_metadata'))).toEqual(expected.get('public_model_metadata'));
    expect(rowsByTable(document).has('users')).toBe(false);
    expect(document.tables.find((table) => table.table === 'users')).toMatchObject({ rows: 1, exported: false });
  });

  it('asks for --kind when the rules name several kinds and none is the default', async () => {
    const result = await runCli(['export', '--db', database.url, '--rules', rules, '--subject', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--kind');
  });
});
