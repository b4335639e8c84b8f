import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBench3d } from '../../../src/bench3d/seed-bench3d.js';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

const RULES = fileURLToPath(new URL('../../fixtures/run/composite/', import.meta.url));
const NOW = '2026-11-25T00:00:00Z';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedBench3d(database.db, { scale: 0.1, seed: 5, now: new Date(NOW) });
  // A composite key (tenant_id, id) whose id repeats across tenants: a keyset walk must compare rows, not ids.
  await database.db.raw(`
    CREATE TABLE tenant_events (tenant_id integer, id bigint, user_id bigint, ip inet, created_at timestamptz, PRIMARY KEY (tenant_id, id));
    INSERT INTO tenant_events
    SELECT t, g, (SELECT id FROM users ORDER BY id OFFSET (g % 50) LIMIT 1), ('10.1.' || (g % 250) || '.' || t)::inet,
           timestamptz '${NOW}' - (g || ' days')::interval
      FROM generate_series(1, 3) t, generate_series(1, 400) g`);
});

afterAll(async () => {
  await database?.drop();
});

describe('a rule on a table with a composite key, walked by key', () => {
  it('deletes and anonymizes exactly the due rows, leaving held, suspended and young rows alone', async () => {
    const expected = await database.db.raw<{ rows: { deleted: string; anonymized: string; kept: string }[] }>(
      `WITH base AS (
         SELECT e.*, u.status, coalesce(e.user_id IN (SELECT user_id FROM legal_holds WHERE released_at IS NULL), false) AS held
           FROM tenant_events e JOIN users u ON u.id = e.user_id)
       SELECT count(*) FILTER (WHERE created_at < timestamptz '${NOW}' - interval '180 days' AND status <> 'suspended' AND NOT held)::text AS deleted,
              count(*) FILTER (WHERE created_at < timestamptz '${NOW}' - interval '30 days' AND created_at >= timestamptz '${NOW}' - interval '180 days'
                               AND status <> 'suspended' AND NOT held AND masklen(ip) = 32)::text AS anonymized,
              count(*)::text AS kept
         FROM base`,
    );
    const before = expected.rows[0]!;

    const result = await runCli(['run', '--yes', '--db', database.url, '--rules', RULES, '--now', NOW, '--batch-size', '37', '--concurrency', '2', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { rules: { id: string; status: string; phases: { after: string; affected: number; remaining?: number }[] }[] };
    const events = report.rules.find((rule) => rule.id === 'tenant-events')!;
    expect(events.status).toBe('done');
    expect(events.phases.map((phase) => [phase.after, phase.affected, phase.remaining])).toEqual([
      ['180d', Number(before.deleted), 0],
      ['30d', Number(before.anonymized), 0],
    ]);
    expect(report.rules.find((rule) => rule.id === 'verification-codes')?.status).toBe('done');

    const after = await database.db.raw<{ rows: { rows: string; unmasked: string }[] }>(
      `SELECT count(*)::text AS rows,
              count(*) FILTER (WHERE e.created_at < timestamptz '${NOW}' - interval '30 days' AND u.status <> 'suspended'
                               AND e.user_id NOT IN (SELECT user_id FROM legal_holds WHERE released_at IS NULL) AND masklen(e.ip) = 32)::text AS unmasked
         FROM tenant_events e JOIN users u ON u.id = e.user_id`,
    );
    expect(Number(after.rows[0]!.rows)).toBe(Number(before.kept) - Number(before.deleted));
    expect(after.rows[0]!.unmasked).toBe('0');
  });

  it('recorded batches whose key ranges are row values of both columns', async () => {
    const ledger = await database.db.raw<{ rows: { key_from: string[]; key_to: string[] }[] }>(`SELECT key_from, key_to FROM lethe.ledger WHERE rule_id = 'tenant-events' ORDER BY seq`);
    expect(ledger.rows.length).toBeGreaterThan(2);
    for (const row of ledger.rows) {
      expect(row.key_from).toHaveLength(2);
      expect(row.key_to).toHaveLength(2);
    }
  });
});

describe('a rule on a table keyed by uuid, walked by key', () => {
  it('passes check (its statements EXPLAIN with typed bounds) and deletes exactly the due rows', async () => {
    await database.db.raw(`
      CREATE TABLE uevents (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id bigint, created_at timestamptz);
      INSERT INTO uevents (user_id, created_at)
      SELECT (SELECT id FROM users WHERE status <> 'cancelled' ORDER BY id OFFSET (g % 20) LIMIT 1), timestamptz '${NOW}' - (g || ' days')::interval
        FROM generate_series(1, 300) g`);
    const rules = fileURLToPath(new URL('../../fixtures/run/uuid-key/', import.meta.url));
    const checked = await runCli(['check', '--db', database.url, '--rules', rules]);
    expect(checked.code, checked.stdout).toBe(0);
    const due = await database.db.raw<{ rows: { n: string }[] }>(`SELECT count(*)::text AS n FROM uevents e JOIN users u ON u.id = e.user_id WHERE e.created_at < timestamptz '${NOW}' - interval '180 days'`);
    const result = await runCli(['run', '--yes', '--db', database.url, '--rules', rules, '--now', NOW, '--batch-size', '25', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { rules: { phases: { affected: number }[] }[] };
    expect(report.rules[0]!.phases[0]!.affected).toBe(Number(due.rows[0]!.n));
    const left = await database.db.raw<{ rows: { n: string }[] }>(`SELECT count(*)::text AS n FROM uevents WHERE created_at < timestamptz '${NOW}' - interval '180 days'`);
    expect(left.rows[0]!.n).toBe('0');
  });
});
