import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/run/one-clock/', import.meta.url));
const NOW = '2026-11-25T00:00:00Z';
const SERVER_ZONES = ['UTC', 'Asia/Shanghai', 'Pacific/Auckland'] as const;

interface PhaseCounts {
  candidates: number;
  held: number;
  affected: number;
  oldest: string | null;
  remaining?: number;
}

const databases = new Map<string, TestDatabase>();

/** The same schema and rows in three databases whose default TimeZone differs (as a server's or role's would). */
beforeAll(async () => {
  const schema = await readFile(`${FIXTURE}schema.sql`, 'utf8');
  for (const zone of SERVER_ZONES) {
    const database = await createTestDatabase({ empty: true });
    await database.db.raw(`ALTER DATABASE "${database.name}" SET timezone = '${zone}'`);
    // Rows written in UTC: the literals above carry their own zone or none, so they read the same anywhere.
    await database.db.raw(schema);
    databases.set(zone, database);
  }
});

afterAll(async () => {
  for (const database of databases.values()) await database.drop();
});

function phasesOf(stdout: string): Record<string, PhaseCounts[]> {
  const report = JSON.parse(stdout) as { rules: { id: string; phases: (PhaseCounts & Record<string, unknown>)[] }[] };
  return Object.fromEntries(
    report.rules.map((rule) => [rule.id, rule.phases.map(({ candidates, held, affected, oldest, remaining }) => ({ candidates, held, affected, oldest, ...(remaining === undefined ? {} : { remaining }) }))]),
  );
}

describe('one clock: the same rules under three server TimeZones', () => {
  it('the servers really differ: each session starts in its database default', async () => {
    for (const zone of SERVER_ZONES) {
      const client = new pg.Client({ connectionString: databases.get(zone)!.url });
      await client.connect();
      try {
        expect((await client.query<{ zone: string }>(`SELECT current_setting('TimeZone') AS zone`)).rows[0]!.zone).toBe(zone);
      } finally {
        await client.end();
      }
    }
  });

  it('plans identical counts, with date and timestamp clocks read in the rule timezone', async () => {
    const plans = new Map<string, Record<string, PhaseCounts[]>>();
    for (const zone of SERVER_ZONES) {
      const result = await runCli(['plan', '--db', databases.get(zone)!.url, '--rules', FIXTURE, '--now', NOW, '--format', 'json']);
      expect(result.code, result.stderr).toBe(0);
      plans.set(zone, phasesOf(result.stdout));
    }
    expect(plans.get('UTC')).toEqual({
      // 2026-10-24 and -25 began before the cutoff in UTC; the 26th begins at it.
      'visits-by-day': [{ candidates: 2, held: 0, affected: 0, oldest: '2026-10-24T00:00:00.000Z' }],
      // 03:00 and 07:59:59 in Shanghai are before 08:00 there (the cutoff).
      'visits-by-wall-time': [{ candidates: 2, held: 0, affected: 0, oldest: '2026-10-25T19:00:00.000Z' }],
      'visits-by-instant': [{ candidates: 2, held: 0, affected: 0, oldest: '2026-10-25T23:00:00.000Z' }],
    });
    expect(plans.get('Asia/Shanghai')).toEqual(plans.get('UTC'));
    expect(plans.get('Pacific/Auckland')).toEqual(plans.get('UTC'));
  });

  it('runs identically: the same rows go, the same survive, and the post-run counts agree', async () => {
    const reports = new Map<string, Record<string, PhaseCounts[]>>();
    const survivors = new Map<string, number[]>();
    for (const zone of SERVER_ZONES) {
      const database = databases.get(zone)!;
      const result = await runCli(['run', '--db', database.url, '--rules', FIXTURE, '--now', NOW, '--yes', '--format', 'json']);
      expect(result.code, result.stderr).toBe(0);
      reports.set(zone, phasesOf(result.stdout));
      const rows = await database.db.raw<{ rows: { id: number }[] }>('SELECT id FROM visits ORDER BY id');
      survivors.set(zone, rows.rows.map((row) => row.id));
    }
    expect(survivors.get('UTC')).toEqual([3, 4, 13, 14, 22, 24]);
    expect(survivors.get('Asia/Shanghai')).toEqual(survivors.get('UTC'));
    expect(survivors.get('Pacific/Auckland')).toEqual(survivors.get('UTC'));
    for (const phases of Object.values(reports.get('UTC')!)) expect(phases).toMatchObject([{ affected: 2, remaining: 0 }]);
    expect(reports.get('Asia/Shanghai')).toEqual(reports.get('UTC'));
    expect(reports.get('Pacific/Auckland')).toEqual(reports.get('UTC'));
  });
});
