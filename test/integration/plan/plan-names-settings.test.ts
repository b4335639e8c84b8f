import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

let database: TestDatabase;
let dir: string;
const NOW = '2026-11-25T00:00:00Z';

const RULE = (subject: boolean) =>
  ['category: events', 'rules:', '  - id: events', '    table: events', ...(subject ? ['    subject: events.user_id'] : []), '    clock: events.created_at', '    phases: [{ after: 30d, action: delete }]', ''].join('\n');

beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
  await database.db.raw(`
    CREATE TABLE events (id int PRIMARY KEY, user_id int, created_at timestamptz NOT NULL);
    CREATE INDEX ON events (created_at);
    INSERT INTO events VALUES (1, 7, '2020-01-01T00:00:00Z'), (2, 8, '2020-01-01T00:00:00Z');
    CREATE TABLE legal_holds (user_id int);
    INSERT INTO legal_holds VALUES (7);
  `);
  dir = await mkdtemp(join(tmpdir(), 'lethe-settings-'));
  await mkdir(join(dir, 'with'));
  await writeFile(join(dir, 'with', 'lethe.yaml'), 'holds:\n  subjects: "SELECT user_id FROM legal_holds"\n');
  await writeFile(join(dir, 'with', 'events.yaml'), RULE(true));
  await mkdir(join(dir, 'without'));
  await writeFile(join(dir, 'without', 'events.yaml'), RULE(false));
});

afterAll(async () => {
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('--rules naming one file', () => {
  it('plans with the holds of the lethe.yaml beside it, and the header names that file (json, text, markdown)', async () => {
    const file = join(dir, 'with', 'events.yaml');
    const json = await runCli(['plan', '--db', database.url, '--rules', file, '--now', NOW, '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(Object.keys(report).slice(0, 4)).toEqual(['lethe', 'mode', 'now', 'settings']);
    expect(report.settings).toBe(join(dir, 'with', 'lethe.yaml'));
    expect(report.rules[0].phases[0]).toMatchObject({ candidates: 1, held: 1 });

    const text = await runCli(['plan', '--db', database.url, '--rules', file, '--now', NOW]);
    expect(text.stdout.split('\n')[1]).toBe(`settings: ${join(dir, 'with', 'lethe.yaml')}`);
    const markdown = await runCli(['plan', '--db', database.url, '--rules', file, '--now', NOW, '--format', 'markdown']);
    expect(markdown.stdout).toContain(`settings: \`${join(dir, 'with', 'lethe.yaml')}\``);
  });

  it('says when no settings file was used', async () => {
    const file = join(dir, 'without', 'events.yaml');
    const json = await runCli(['plan', '--db', database.url, '--rules', file, '--now', NOW, '--format', 'json']);
    expect(JSON.parse(json.stdout).settings).toBeNull();
    const text = await runCli(['plan', '--db', database.url, '--rules', file, '--now', NOW]);
    expect(text.stdout.split('\n')[1]).toBe('settings: none (no lethe.yaml)');
  });

  it('refuses with exit 2, before connecting, when the file relies on holds and no lethe.yaml stands beside it', async () => {
    const lonely = join(dir, 'lonely');
    await mkdir(lonely);
    await writeFile(join(lonely, 'events.yaml'), RULE(true));
    const result = await runCli(['plan', '--db', 'postgres://nobody@127.0.0.1:1/none', '--rules', join(lonely, 'events.yaml'), '--now', NOW]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(lonely, 'events.yaml')}:5:14 rules[0].subject: relies on holds, but no lethe.yaml stands beside this file`);
  });
});
