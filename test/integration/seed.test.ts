import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBench3dSchema } from '../../src/bench3d/apply-schema.js';
import { seedBench3d, type SeedSummary } from '../../src/bench3d/seed-bench3d.js';
import { BENCH3D_TABLES } from '../../src/bench3d/tables.js';
import { LetheError } from '../../src/errors.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const now = new Date('2026-11-25T00:00:00.000Z');

/** One md5 over every row of each table, in id order: equal checksums mean equal data. */
async function checksums(db: Knex): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const table of BENCH3D_TABLES) {
    const result = await db.raw<{ rows: { sum: string }[] }>(`select md5(string_agg(t::text, '|' order by id)) as sum from "${table}" t`);
    sums[table] = result.rows[0]!.sum;
  }
  return sums;
}

/** Every index and constraint definition of the Bench3D tables, to compare schemas. */
async function schemaShape(db: Knex): Promise<string[]> {
  const result = await db.raw<{ rows: { definition: string }[] }>(`
    select pg_get_indexdef(indexrelid) as definition from pg_index where indrelid = any (?::regclass[])
    union all
    select conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint where conrelid = any (?::regclass[])
    order by 1`, [[...BENCH3D_TABLES], [...BENCH3D_TABLES]]);
  return result.rows.map((row) => row.definition);
}

async function scalar<T>(db: Knex, sql: string): Promise<T> {
  const result = await db.raw<{ rows: { value: T }[] }>(sql);
  return result.rows[0]!.value;
}

describe('seedBench3d', () => {
  let fromEmpty: TestDatabase;
  let fromTemplate: TestDatabase;
  let otherSeed: TestDatabase;
  let summary: SeedSummary;

  beforeAll(async () => {
    [fromEmpty, fromTemplate, otherSeed] = await Promise.all([createTestDatabase({ empty: true }), createTestDatabase(), createTestDatabase()]);
    summary = await seedBench3d(fromEmpty.db, { scale: 1, seed: 7, now });
    await seedBench3d(fromTemplate.db, { scale: 1, seed: 7, now });
    await seedBench3d(otherSeed.db, { scale: 1, seed: 8, now });
  });

  afterAll(async () => {
    await Promise.all([fromEmpty?.drop(), fromTemplate?.drop(), otherSeed?.drop()]);
  });

  it('loads the row counts of scale 1 and reports its speed', () => {
    expect(summary.tables).toEqual({
      users: 1000,
      third_party_logins: 600,
      device_logs: 20000,
      verification_codes: 3000,
      models: 800,
      public_model_metadata: 1500,
      legal_holds: 10,
    });
    expect(summary.durationMs).toBeGreaterThan(0);
    expect(summary.rowsPerSecond).toBeGreaterThan(0);
    expect(summary.deviceLogRowsPerSecond).toBeGreaterThan(0);
  });

  it('gives identical data for the same seed and now, whether or not the schema existed', async () => {
    const [a, b] = await Promise.all([checksums(fromEmpty.db), checksums(fromTemplate.db)]);
    expect(a).toEqual(b);
  });

  it('gives different data in every table for a different seed', async () => {
    const [a, c] = await Promise.all([checksums(fromEmpty.db), checksums(otherSeed.db)]);
    for (const table of BENCH3D_TABLES) expect(c[table], table).not.toBe(a[table]);
  });

  it('leaves the same indexes and constraints as the migrations create', async () => {
    const fresh = await createTestDatabase();
    try {
      expect(await schemaShape(fromEmpty.db)).toEqual(await schemaShape(fresh.db));
    } finally {
      await fresh.drop();
    }
  });

  it('has cancelled accounts, cancelled within the last year after they were created', async () => {
    const db = fromEmpty.db;
    expect(await scalar(db, `select count(*)::int as value from users where status = 'cancelled' and cancelled_at is not null`)).toBe(80);
    expect(await scalar(db, `select count(*)::int as value from users where (status = 'cancelled') <> (cancelled_at is not null)`)).toBe(0);
    expect(await scalar(db, `select count(*)::int as value from users where cancelled_at < timestamptz '2025-11-25' or cancelled_at <= created_at`)).toBe(0);
  });

  it('has children under 14, with and without guardian consent', async () => {
    const minors = await fromEmpty.db.raw<{ rows: { guardian_consent: boolean; n: number; consent_at: number }[] }>(`
      select guardian_consent, count(*)::int as n, count(guardian_consent_at)::int as consent_at
        from users where birth_date > date '2026-11-25' - interval '14 years' group by 1 order by 1`);
    expect(minors.rows).toEqual([
      { guardian_consent: false, n: 25, consent_at: 0 },
      { guardian_consent: true, n: 25, consent_at: 25 },
    ]);
  });

  it('has unbound third-party logins, unbound after they were bound', async () => {
    expect(await scalar(fromEmpty.db, `select count(*)::int as value from third_party_logins where unbound_at is not null`)).toBe(90);
    expect(await scalar(fromEmpty.db, `select count(*)::int as value from third_party_logins where unbound_at < bound_at`)).toBe(0);
  });

  it('has public models turned private, whose metadata was collected while they were public', async () => {
    const db = fromEmpty.db;
    expect(await scalar(db, `select count(*)::int as value from models where visibility <> 'public' and visibility_changed_at is not null`)).toBe(120);
    expect(await scalar(db, `
      select count(*)::int as value from public_model_metadata m join models o on o.id = m.model_id
       where o.visibility <> 'public' and o.visibility_changed_at is not null`)).toBeGreaterThan(0);
    expect(await scalar(db, `
      select count(*)::int as value from public_model_metadata m join models o on o.id = m.model_id
       where (o.visibility <> 'public' and (o.visibility_changed_at is null or m.collected_at > o.visibility_changed_at))
          or (o.visibility = 'public' and m.collected_at < coalesce(o.visibility_changed_at, o.created_at))`)).toBe(0);
  });

  it('has active legal holds on cancelled accounts and children, and released ones', async () => {
    const holds = await fromEmpty.db.raw<{ rows: { active: number; released: number; cancelled: number; minors: number }[] }>(`
      select count(*) filter (where h.released_at is null)::int as active,
             count(*) filter (where h.released_at is not null)::int as released,
             count(*) filter (where h.released_at is null and u.status = 'cancelled')::int as cancelled,
             count(*) filter (where h.released_at is null and u.birth_date > date '2026-11-25' - interval '14 years')::int as minors
        from legal_holds h join users u on u.id = h.user_id`);
    const row = holds.rows[0]!;
    expect(row.active + row.released).toBe(10);
    expect(row.released).toBeGreaterThan(0);
    expect(row.cancelled).toBeGreaterThan(0);
    expect(row.minors).toBeGreaterThan(0);
  });

  it('has device logs without a clock and from internal jobs', async () => {
    const db = fromEmpty.db;
    const clockless = await scalar<number>(db, `select count(*)::int as value from device_logs where created_at is null`);
    expect(clockless).toBeGreaterThan(40);
    expect(clockless).toBeLessThan(200);
    expect(await scalar(db, `select count(*)::int as value from device_logs where source = 'internal'`)).toBeGreaterThan(0);
  });

  it('spreads every timestamp over the two years before now, never after it', async () => {
    const bounds = await fromEmpty.db.raw<{ rows: { first: Date; last: Date }[] }>(`
      select min(t) as first, max(t) as last from (
        select created_at as t from users union all select cancelled_at from users union all select last_login_at from users
        union all select created_at from device_logs union all select bound_at from third_party_logins
        union all select unbound_at from third_party_logins union all select expires_at from verification_codes
        union all select created_at from models union all select visibility_changed_at from models
        union all select collected_at from public_model_metadata union all select released_at from legal_holds) s`);
    expect(bounds.rows[0]!.first.getTime()).toBeGreaterThanOrEqual(now.getTime() - 2 * 366 * 86_400_000);
    expect(bounds.rows[0]!.last.getTime()).toBeLessThanOrEqual(now.getTime());
  });

  it('resets the identity sequences so later inserts get fresh ids', async () => {
    const inserted = await fromEmpty.db('users')
      .insert({ status: 'active', created_at: now })
      .returning('id');
    expect(Number(inserted[0]!.id)).toBe(1001);
    await fromEmpty.db('users').where('id', 1001).delete();
  });

  it('refuses to seed into tables that already hold rows, and changes nothing', async () => {
    const before = await checksums(fromTemplate.db);
    const error = await seedBench3d(fromTemplate.db, { scale: 0.1, seed: 1, now }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LetheError);
    expect((error as LetheError).code).toBe('CONFIG_INVALID');
    expect((error as LetheError).hint).toMatch(/fresh database/);
    expect(await checksums(fromTemplate.db)).toEqual(before);
  });

  it('applies the schema idempotently', async () => {
    await applyBench3dSchema(fromTemplate.db);
    await applyBench3dSchema(fromTemplate.db);
    expect(await scalar(fromTemplate.db, `select count(*)::int as value from bench3d_migrations`)).toBe(3);
  });
});

describe('seedBench3d at a tiny scale', () => {
  it('still has every shape the rules need', async () => {
    const database = await createTestDatabase();
    try {
      await seedBench3d(database.db, { scale: 0.01, seed: 3, now });
      const shapes = await database.db.raw<{ rows: Record<string, number>[] }>(`
        select
          (select count(*)::int from users where status = 'cancelled') as cancelled,
          (select count(*)::int from users where birth_date > date '2026-11-25' - interval '14 years' and guardian_consent) as minors_with_consent,
          (select count(*)::int from users where birth_date > date '2026-11-25' - interval '14 years' and not guardian_consent) as minors_without_consent,
          (select count(*)::int from third_party_logins where unbound_at is not null) as unbound,
          (select count(*)::int from models where visibility <> 'public' and visibility_changed_at is not null) as turned_private,
          (select count(*)::int from legal_holds where released_at is null) as active_holds,
          (select count(*)::int from device_logs where created_at is null) as clockless,
          (select count(*)::int from device_logs where source = 'internal') as internal`);
      for (const [shape, count] of Object.entries(shapes.rows[0]!)) expect(count, shape).toBeGreaterThan(0);
    } finally {
      await database.drop();
    }
  });

  it('stops at the next chunk when aborted and writes nothing', async () => {
    const database = await createTestDatabase();
    try {
      const controller = new AbortController();
      const seeding = seedBench3d(database.db, {
        scale: 1,
        seed: 3,
        now,
        signal: controller.signal,
        onProgress: (table, rows) => {
          if (table === 'device_logs' && rows > 0) controller.abort();
        },
      });
      await expect(seeding).rejects.toMatchObject({ code: 'STOPPED' });
      expect(await scalar(database.db, `select count(*)::int as value from users`)).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
