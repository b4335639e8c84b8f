import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/run/one-clock/', import.meta.url));
const NOW = '2026-11-25T12:00:00Z';
const SERVER_ZONES = ['UTC', 'Asia/Shanghai', 'Pacific/Auckland'] as const;

interface PhaseCounts {
  candidates: number;
  held: number;
  affected: number;
  oldest: string | null;
  remaining?: number;
  partitions?: unknown[];
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
    report.rules.map((rule) => [
      rule.id,
      rule.phases.map(({ candidates, held, affected, oldest, remaining, partitions }) => ({
        candidates,
        held,
        affected,
        oldest,
        ...(remaining === undefined ? {} : { remaining }),
        ...(partitions === undefined ? {} : { partitions }),
      })),
    ]),
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
    const drops = [
      { partition: 'public.daily_visits_1025', bound: "FOR VALUES FROM ('2026-10-25') TO ('2026-10-26')", rows: 1 },
      { partition: 'public.daily_visits_1026', bound: "FOR VALUES FROM ('2026-10-26') TO ('2026-10-27')", rows: 1 },
    ];
    expect(plans.get('UTC')).toEqual({
      // Midnights (UTC) of the 24th, 25th and 26th are before the cutoff, the 27th's is not.
      'visits-by-day': [{ candidates: 3, held: 0, affected: 0, oldest: '2026-10-24T00:00:00.000Z' }],
      // 03:00 and 19:59:59 in Shanghai are before 20:00 there (the cutoff); 20:00 is not.
      'visits-by-wall-time': [{ candidates: 2, held: 0, affected: 0, oldest: '2026-10-25T19:00:00.000Z' }],
      'visits-by-instant': [{ candidates: 2, held: 0, affected: 0, oldest: '2026-10-25T23:59:59.000Z' }],
      // In Auckland the 27th began at 2026-10-26T11:00Z, before the cutoff: three days are due, and the
      // partitions whose upper bound (the 26th, the 27th) began there before the cutoff go whole.
      'daily-visits': [{ candidates: 3, held: 0, affected: 0, oldest: '2026-10-24T11:00:00.000Z', partitions: drops }],
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
      const rows = await database.db.raw<{ rows: { id: number }[] }>('SELECT id FROM visits UNION ALL SELECT id FROM daily_visits ORDER BY id');
      survivors.set(zone, rows.rows.map((row) => row.id));
    }
    expect(survivors.get('UTC')).toEqual([4, 13, 14, 22, 24, 34]);
    expect(survivors.get('Asia/Shanghai')).toEqual(survivors.get('UTC'));
    expect(survivors.get('Pacific/Auckland')).toEqual(survivors.get('UTC'));
    expect(Object.values(reports.get('UTC')!).map((phases) => phases.map(({ affected, remaining }) => [affected, remaining]))).toEqual([[[3, 0]], [[2, 0]], [[2, 0]], [[3, 0]]]);
    // The two partitions the plan listed went whole (detached and dropped); the boundary one was walked.
    for (const zone of SERVER_ZONES) {
      const left = await databases.get(zone)!.db.raw<{ rows: { name: string }[] }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'daily_visits'::regclass ORDER BY 1`,
      );
      expect(left.rows.map((row) => row.name)).toEqual(['daily_visits_1027', 'daily_visits_1028']);
    }
    expect(reports.get('Asia/Shanghai')).toEqual(reports.get('UTC'));
    expect(reports.get('Pacific/Auckland')).toEqual(reports.get('UTC'));
  });
});
