import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { idsOf, parseReport, runLethe } from '../../support/run-helpers.js';

/** Guards a real run passes before it writes anything: a future now, blast radius, a reviewed plan. */
const NOW = '2026-11-25T00:00:00Z';

let database: TestDatabase;
let workDir: string;

beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
  workDir = mkdtempSync(join(tmpdir(), 'lethe-guards-'));
});

afterAll(async () => {
  await database?.drop();
  rmSync(workDir, { recursive: true, force: true });
});

beforeEach(async () => {
  // 2,000 events: 1,950 older than 30 days, 50 recent.
  await database.db.raw(`
DROP TABLE IF EXISTS events; DROP SCHEMA IF EXISTS lethe CASCADE;
CREATE TABLE events (id int PRIMARY KEY, at timestamptz NOT NULL);
CREATE INDEX ON events (at);
INSERT INTO events SELECT i, '2026-01-01 00:00+00'::timestamptz + (i * interval '1 minute') FROM generate_series(1, 1950) i;
INSERT INTO events SELECT i, '2026-11-20 00:00+00' FROM generate_series(1951, 2000) i;
ANALYZE events;
`);
});

function writeRules(name: string, settings = '', ruleExtra = ''): string {
  const dir = join(workDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'lethe.yaml'), settings || 'defaults:\n  timezone: UTC\n');
  writeFileSync(join(dir, 'events.yaml'), `category: events\nrules:\n  - id: events\n    table: events\n    clock: events.at\n${ruleExtra}    phases:\n      - after: 30d\n        action: delete\n`);
  return dir;
}

const count = async () => Number((await idsOf(database.db, 'SELECT count(*) AS id FROM events'))[0]);
const stateExists = async () => (await idsOf(database.db, `SELECT count(*) AS id FROM pg_namespace WHERE nspname = 'lethe'`))[0] === '1';

describe('a real run refuses, with exit 4 and nothing written', () => {
  it('a --now ahead of the database clock, unless --allow-future-now', async () => {
    const dir = writeRules('future', '', '    guard: { maxShare: 1 }\n');
    const refused = await runLethe(['--db', database.url, '--rules', dir, 'run', '--yes', '--now', '2036-01-01']);
    expect(refused.code, refused.stderr).toBe(4);
    expect(refused.stderr).toMatch(/ahead of the database's clock.*\[SAFETY_GUARD\]/s);
    expect(refused.stderr).toMatch(/--allow-future-now/);
    expect(await count()).toBe(2000);
    expect(await stateExists()).toBe(false);

    const dryRun = await runLethe(['--db', database.url, '--rules', dir, 'plan', '--now', '2036-01-01']);
    expect(dryRun.code).toBe(0);

    const allowed = await runLethe(['--db', database.url, '--rules', dir, 'run', '--yes', '--now', '2036-01-01', '--allow-future-now']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(await count()).toBe(0);
  });

  it('a run that would change more than guard.maxShare of the table, until --override-guard, which the ledger records', async () => {
    const dir = writeRules('share');
    const refused = await runLethe(['--db', database.url, '--rules', dir, 'run', '--yes', '--now', NOW]);
    expect(refused.code, refused.stderr).toBe(4);
    expect(refused.stderr).toMatch(/rule 'events' would change 1,950 rows of public\.events, 97\.5% of its 2,000 rows, more than guard\.maxShare 90%/);
    expect(refused.stderr).toMatch(/--override-guard events/);
    expect(await count()).toBe(2000);
    expect(await stateExists()).toBe(false);

    const unknown = await runLethe(['--db', database.url, '--rules', dir, 'run', '--yes', '--now', NOW, '--override-guard', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--override-guard: no rule with id 'nope'/);

    const overridden = await runLethe(['--db', database.url, '--rules', dir, 'run', '--yes', '--now', NOW, '--override-guard', 'events', '--format', 'json']);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(await idsOf(database.db, 'SELECT min(id) AS id FROM events')).toEqual(['1951']);
    const report = JSON.parse(overridden.stdout) as { overriddenGuards: { ruleId: string; guard: string }[] };
    expect(report.overriddenGuards).toEqual([expect.objectContaining({ ruleId: 'events', guard: 'max-share' })]);
    const ledger = await database.db.raw<{ rows: { action: string; key_from: string[] }[] }>(`SELECT action, key_from FROM lethe.ledger WHERE rule_id = 'events' ORDER BY seq`);
    expect(ledger.rows[0]).toEqual({ action: 'override-guard', key_from: ['guard:max-share'] });
    const status = await runLethe(['--db', database.url, '--rules', dir, 'status', '--format', 'json']);
    expect(JSON.parse(status.stdout).ledger.verified).toBe(true);
  });

  it('more rows than guard.maxRows from lethe.yaml defaults', async () => {
    const dir = writeRules('max-rows', 'defaults:\n  guard: { maxRows: 100, maxShare: 1 }\n');
    const refused = await runLethe(['--db', database.url, '--rules', dir, 'run', '--yes', '--now', NOW]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/more than guard\.maxRows 100 \[max-rows\]/);
    expect(await count()).toBe(2000);
  });

  it('a jump over guard.maxGrowth times the previous run', async () => {
    const dir = writeRules('growth', '', '    guard: { maxShare: 1, minRows: 10 }\n');
    await database.db.raw(`DELETE FROM events WHERE id > 20 AND id <= 1950`);
    expect((await runLethe(['--db', database.url, '--rules', dir, 'run', '--yes', '--now', NOW])).code).toBe(0);
    await database.db.raw(`INSERT INTO events SELECT i, '2026-02-01 00:00+00' FROM generate_series(3001, 3500) i`);
    const refused = await runLethe(['--db', database.url, '--rules', dir, 'run', '--yes', '--now', NOW]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/would change 500 rows .*more than guard\.maxGrowth 10x the 20 of its previous run/);
    expect(await idsOf(database.db, 'SELECT count(*) AS id FROM events WHERE id > 3000')).toEqual(['500']);
  });
});

describe('run --plan applies exactly a reviewed plan', () => {
  it('applies a fresh plan at its own now', async () => {
    const dir = writeRules('reviewed', '', '    guard: { maxShare: 1 }\n');
    const planFile = join(workDir, 'plan.json');
    const plan = await runLethe(['--db', database.url, '--rules', dir, 'plan', '--now', NOW, '--format', 'json', '--out', planFile]);
    expect(plan.code, plan.stderr).toBe(0);
    const applied = await runLethe(['--db', database.url, '--rules', dir, 'run', '--yes', '--plan', planFile, '--format', 'json']);
    expect(applied.code, applied.stderr).toBe(0);
    expect((JSON.parse(applied.stdout) as { now: string }).now).toBe('2026-11-25T00:00:00.000Z');
    expect(await count()).toBe(50);
  });

  async function planInto(name: string): Promise<{ dir: string; planFile: string }> {
    const dir = writeRules(name, '', '    guard: { maxShare: 1 }\n');
    const planFile = join(workDir, `${name}-plan.json`);
    expect((await runLethe(['--db', database.url, '--rules', dir, 'plan', '--now', NOW, '--format', 'json', '--out', planFile])).code).toBe(0);
    return { dir, planFile };
  }

  it('refuses a plan whose counts grew; a stated tolerance lets that growth through', async () => {
    const { dir, planFile } = await planInto('grown');
    await database.db.raw(`INSERT INTO events SELECT i, '2026-02-01 00:00+00' FROM generate_series(5001, 5060) i`);
    const grown = await runLethe(['--db', database.url, '--rules', dir, 'run', '--yes', '--plan', planFile]);
    expect(grown.code).toBe(4);
    expect(grown.stderr).toMatch(/2010 rows now, 1950 approved/);
    expect(await count()).toBe(2060);
    const tolerated = await runLethe(['--db', database.url, '--rules', dir, 'run', '--yes', '--plan', planFile, '--plan-tolerance', '5%']);
    expect(tolerated.code, tolerated.stderr).toBe(0);
    expect(await count()).toBe(50);
  });

  it('refuses a plan whose rules changed, or another --now than the plan\'s', async () => {
    const { dir, planFile } = await planInto('changed');
    const otherNow = await runLethe(['--db', database.url, '--rules', dir, 'run', '--yes', '--plan', planFile, '--now', '2026-11-26']);
    expect(otherNow.code).toBe(2);
    expect(otherNow.stderr).toMatch(/differs from the plan's now/);
    writeRules('changed', '', '    guard: { maxShare: 1 }\n    where: "events.id > 10"\n');
    const changed = await runLethe(['--db', database.url, '--rules', dir, 'run', '--yes', '--plan', planFile]);
    expect(changed.code).toBe(4);
    expect(changed.stderr).toMatch(/the rules changed since the plan was made/);
    expect(await count()).toBe(2000);
  });

  it('refuses a file that is not a plan, naming the flag', async () => {
    const bad = join(workDir, 'not-a-plan.json');
    writeFileSync(bad, '{"hello": 1}');
    const outcome = await runLethe(['--db', database.url, '--rules', writeRules('bad'), 'run', '--yes', '--plan', bad]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/--plan .*not a plan written by lethe plan --format json/);
  });
});
