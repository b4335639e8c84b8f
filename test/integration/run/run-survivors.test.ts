import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH3D_TABLES } from '../../../src/bench3d/tables.js';
import { runCli, type CliResult } from '../../support/run-cli.js';
import { BENCH_NOW, createSeededDatabase, parseReport, RULES_DIR } from '../../support/run-helpers.js';
import type { TestDatabase } from '../../support/test-database.js';

/**
 * Issue 5, "done when": after `lethe run` on Bench3D (scale 0.5, seed 7),
 * exactly the rows the rule files promise survive, with exactly the values
 * they promise. The expectation is computed before the run, in hand-written
 * SQL read off the rule files (not the engine's statement builders):
 *
 *   cutoffs from now = 2026-11-25T00:00Z: 1d, 15d, 30d, 180d, 1y
 *   held subject:      an active legal hold (released_at IS NULL)
 *   users:
 *     P  cancelled-accounts-profile: cancelled, cancelled_at < now-30d  -> profile anonymized
 *        (it runs first, so its birth_date := NULL takes those users out of both minors rules)
 *     M  minors-without-consent: under 14 at sign-up, no consent         -> deleted with their
 *        models (rule cascade) and legal_holds (rule cascade), third_party_logins and
 *        verification_codes (ON DELETE CASCADE), device_logs.user_id := NULL (ON DELETE SET NULL)
 *     W  minors-with-consent-expired: last login before now-1y           -> anonymized
 *   device_logs: cancelled owner (30d) deleted; source <> internal: before now-180d deleted,
 *     between now-180d and now-30d anonymized; a NULL clock never expires
 *   models: owner in M or cancelled (30d); public_model_metadata: model gone, or model not
 *     public since before now; third_party_logins: owner in M, unbound, or cancelled (15d);
 *   verification_codes: owner in M, cancelled (30d), or expired before now-1d.
 */

const now = new Date(BENCH_NOW);
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
const CUT = { now: now.toISOString(), d1: daysAgo(1), d15: daysAgo(15), d30: daysAgo(30), d180: daysAgo(180), y1: '2025-11-25T00:00:00.000Z' };

type Row = Record<string, unknown>;

interface Expected {
  /** id -> the full row as jsonb (parsed), as it must be after the run. */
  rows: Record<string, Map<string, Row>>;
  /** id -> row text before the run, for rows no rule may change at all. */
  untouched: Record<string, Map<string, string>>;
  sets: Record<string, string[]>;
}

/** Every read in UTC, whatever the server's default: dates and timestamps render the same before and after. */
function inUtc<T>(db: Knex, use: (trx: Knex) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    await trx.raw(`SET LOCAL TimeZone = 'UTC'`);
    return use(trx);
  });
}

async function query<T = Row>(db: Knex, sql: string, bindings: Record<string, unknown> = {}): Promise<T[]> {
  return (await db.raw<{ rows: T[] }>(sql, bindings as Knex.ValueDict)).rows;
}

const HELD = `(SELECT user_id FROM legal_holds WHERE released_at IS NULL)`;
const notHeld = (column: string) => `(${column} IS NULL OR ${column} NOT IN ${HELD})`;
const minor = `birth_date > (created_at - interval '14 years')::date`;
const cancelledBefore = (cutoff: string) => `(SELECT id FROM users WHERE status = 'cancelled' AND cancelled_at < :${cutoff}::timestamptz AND ${notHeld('id')})`;

/** Everything the rule files promise, read from the data before the run. */
async function computeExpected(db: Knex): Promise<Expected> {
  const ids = async (sql: string) => (await query<{ id: string }>(db, sql, CUT)).map((row) => String(row.id));
  // A cancelled child without consent is left to minors-without-consent, which deletes the account.
  const P = await ids(`SELECT id FROM users WHERE status = 'cancelled' AND cancelled_at < :d30::timestamptz AND ${notHeld('id')} AND NOT coalesce(${minor} AND NOT guardian_consent, false)`);
  const inP = `id = ANY(ARRAY[${P.join(',') || 'NULL'}]::bigint[])`;
  const M = await ids(`SELECT id FROM users WHERE created_at < :now::timestamptz AND ${minor} AND NOT guardian_consent AND ${notHeld('id')} AND NOT (${inP})`);
  const W = await ids(`SELECT id FROM users WHERE last_login_at < :y1::timestamptz AND ${minor} AND guardian_consent AND ${notHeld('id')} AND NOT (${inP})`);
  const inM = (column: string) => `${column} = ANY(ARRAY[${M.join(',') || 'NULL'}]::bigint[])`;

  const deleted: Record<string, string[]> = {
    users: M,
    legal_holds: await ids(`SELECT id FROM legal_holds WHERE ${inM('user_id')}`),
    models: await ids(`SELECT id FROM models WHERE ${inM('owner_id')} OR owner_id IN ${cancelledBefore('d30')}`),
    third_party_logins: await ids(
      `SELECT id FROM third_party_logins WHERE ${inM('user_id')} OR (unbound_at < :now::timestamptz AND ${notHeld('user_id')}) OR user_id IN ${cancelledBefore('d15')}`,
    ),
    verification_codes: await ids(
      `SELECT id FROM verification_codes WHERE ${inM('user_id')} OR user_id IN ${cancelledBefore('d30')} OR (expires_at < :d1::timestamptz AND ${notHeld('user_id')})`,
    ),
    device_logs: await ids(
      `SELECT id FROM device_logs WHERE user_id IN ${cancelledBefore('d30')} OR (source <> 'internal' AND created_at < :d180::timestamptz AND ${notHeld('user_id')})`,
    ),
  };
  deleted.public_model_metadata = await ids(
    `SELECT pm.id FROM public_model_metadata pm JOIN models m ON m.id = pm.model_id
      WHERE m.id = ANY(ARRAY[${deleted.models!.join(',') || 'NULL'}]::bigint[])
         OR (m.visibility <> 'public' AND m.visibility_changed_at < :now::timestamptz AND ${notHeld('m.owner_id')})`,
  );
  const deletedLogs = `id = ANY(ARRAY[${deleted.device_logs!.join(',') || 'NULL'}]::bigint[])`;
  const anonymizedLogs = await ids(
    `SELECT id FROM device_logs WHERE source <> 'internal' AND created_at >= :d180::timestamptz AND created_at < :d30::timestamptz
        AND ${notHeld('user_id')} AND NOT (${deletedLogs})`,
  );
  const orphanedLogs = await ids(`SELECT id FROM device_logs WHERE ${inM('user_id')} AND NOT (${deletedLogs})`);

  const rows: Record<string, Map<string, Row>> = {};
  const untouched: Record<string, Map<string, string>> = {};
  for (const table of BENCH3D_TABLES) {
    const gone = new Set(deleted[table]);
    const all = await query<{ id: string; j: Row; t: string }>(db, `SELECT id::text AS id, to_jsonb(x) AS j, x::text AS t FROM "${table}" x ORDER BY x.id`);
    rows[table] = new Map(all.filter((row) => !gone.has(row.id)).map((row) => [row.id, row.j]));
    untouched[table] = new Map(all.filter((row) => !gone.has(row.id)).map((row) => [row.id, row.t]));
  }
  const change = (table: string, id: string, values: Row) => {
    rows[table]!.set(id, { ...rows[table]!.get(id)!, ...values });
    untouched[table]!.delete(id);
  };
  for (const id of P) change('users', id, { phone: null, nickname: 'cancelled user', avatar_url: null, birth_date: null, last_login_at: null });
  for (const id of W) {
    const birth = rows.users!.get(id)!.birth_date as string;
    change('users', id, { phone: null, nickname: 'former user', avatar_url: null, birth_date: `${birth.slice(0, 4)}-01-01` });
  }
  for (const id of orphanedLogs) change('device_logs', id, { user_id: null });
  // The /24 network of the address, computed with a netmask (the engine uses set_masklen + network).
  const networks = new Map(
    (
      await query<{ id: string; ip: string | null }>(
        db,
        `SELECT id::text AS id, CASE family(ip) WHEN 4 THEN set_masklen(ip & inet '255.255.255.0', 24) ELSE set_masklen(ip & inet 'ffff:ff00::', 24) END::text AS ip
           FROM device_logs WHERE id = ANY(:ids::bigint[])`,
        { ids: anonymizedLogs },
      )
    ).map((row) => [row.id, row.ip]),
  );
  for (const id of anonymizedLogs) {
    const payload = rows.device_logs!.get(id)!.payload as Row | null;
    const kept = payload === null ? null : Object.fromEntries(Object.entries(payload).filter(([key]) => !['gps', 'contacts', 'phone'].includes(key)));
    change('device_logs', id, { ip: networks.get(id) ?? null, imei: null, device_id: null, mac_address: null, wlan_ssid: null, base_station: null, payload: kept });
  }
  return { rows, untouched, sets: { P, M, W, anonymizedLogs, orphanedLogs, ...Object.fromEntries(Object.entries(deleted).map(([table, list]) => [`deleted:${table}`, list])) } };
}

describe('lethe run on Bench3D (scale 0.5, seed 7): exactly the promised rows survive', () => {
  let database: TestDatabase;
  let expected: Expected;
  let before: { held: string[]; heldDueLogs: string[]; clocklessLogs: string[]; internalOldLogs: string[]; sensitivePayloadLogs: string[] };
  let outcome: CliResult;

  beforeAll(async () => {
    database = await createSeededDatabase({ scale: 0.5, seed: 7, now: BENCH_NOW });
    const { db } = database;
    // The seeder writes no payload with the keys the rule removes: give some rows of every kind of window those keys.
    await db.raw(`UPDATE device_logs SET payload = coalesce(payload, '{}'::jsonb) || '{"gps": [31.23, 121.47], "contacts": ["138****0000"], "phone": "13800000000"}'::jsonb
                   WHERE id % 37 = 0`);
    // Nor does this seed release a hold on a child it deletes: add one, so the rule's `cascade: [legal_holds]` is exercised
    // (legal_holds.user_id is ON DELETE RESTRICT: without the cascade, deleting the child would fail).
    await db.raw(
      `INSERT INTO legal_holds (user_id, reason, placed_at, released_at)
       SELECT id, 'released dispute', created_at, created_at + interval '1 day' FROM users
        WHERE ${minor} AND NOT guardian_consent AND status = 'active' AND id NOT IN (SELECT user_id FROM legal_holds) ORDER BY id LIMIT 1`,
    );
    // Users whose other rules (cancelled account, child without consent) reach their logs whatever the clock.
    const ownerReached = `(user_id IS NULL OR user_id NOT IN (SELECT id FROM users WHERE status = 'cancelled' OR ${minor}))`;
    before = {
      held: (await query<{ id: string }>(db, `SELECT user_id::text AS id FROM legal_holds WHERE released_at IS NULL`)).map((row) => row.id),
      heldDueLogs: (
        await query<{ id: string }>(db, `SELECT id::text AS id FROM device_logs WHERE source <> 'internal' AND created_at < :d30::timestamptz AND user_id IN ${HELD}`, CUT)
      ).map((row) => row.id),
      clocklessLogs: (await query<{ id: string }>(db, `SELECT id::text AS id FROM device_logs WHERE created_at IS NULL AND source <> 'internal' AND ${ownerReached}`)).map((row) => row.id),
      internalOldLogs: (await query<{ id: string }>(db, `SELECT id::text AS id FROM device_logs WHERE source = 'internal' AND created_at < :d180::timestamptz AND ${ownerReached}`, CUT)).map(
        (row) => row.id,
      ),
      sensitivePayloadLogs: (await query<{ id: string }>(db, `SELECT id::text AS id FROM device_logs WHERE jsonb_exists_any(payload, array['gps','contacts','phone'])`)).map((row) => row.id),
    };
    expected = await inUtc(db, computeExpected);
    outcome = await runCli(['run', '--db', database.url, '--rules', RULES_DIR, '--yes', '--now', BENCH_NOW, '--format', 'json']);
  }, 180_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('finishes every rule (exit 0, status ok, every rule done)', () => {
    expect(outcome.code, outcome.stderr).toBe(0);
    const report = parseReport(outcome.stdout);
    expect(report.status).toBe('ok');
    expect(report.rules.map((rule) => [rule.id, rule.status])).toEqual(report.rules.map((rule) => [rule.id, 'done']));
    expect(report.rules).toHaveLength(12);
  });

  it('the seeded data exercises every case the expectation distinguishes (nothing vacuous)', () => {
    for (const name of ['P', 'M', 'W', 'anonymizedLogs', 'orphanedLogs', 'deleted:models', 'deleted:public_model_metadata', 'deleted:third_party_logins', 'deleted:verification_codes', 'deleted:device_logs', 'deleted:legal_holds']) {
      expect(expected.sets[name]!.length, name).toBeGreaterThan(0);
    }
    expect(before.held.length).toBeGreaterThan(0);
    expect(before.heldDueLogs.length).toBeGreaterThan(0);
    expect(before.clocklessLogs.length).toBeGreaterThan(0);
    expect(before.internalOldLogs.length).toBeGreaterThan(0);
    expect(before.sensitivePayloadLogs.filter((id) => expected.sets.anonymizedLogs!.includes(id)).length).toBeGreaterThan(0);
  });

  it.each(BENCH3D_TABLES)('%s keeps exactly the expected ids', async (table) => {
    const after = (await query<{ id: string }>(database.db, `SELECT id::text AS id FROM "${table}" x ORDER BY x.id`)).map((row) => row.id);
    expect(after).toEqual([...expected.rows[table]!.keys()]);
  });

  it.each(BENCH3D_TABLES)('%s rows that no rule may change keep their full row text', async (table) => {
    const rows = expected.untouched[table]!;
    const after = await inUtc(database.db, (trx) =>
      query<{ id: string; t: string }>(trx, `SELECT id::text AS id, x::text AS t FROM "${table}" x WHERE id = ANY(:ids::bigint[]) ORDER BY x.id`, { ids: [...rows.keys()] }),
    );
    const mismatches = after.filter((row) => rows.get(row.id) !== row.t).map((row) => ({ id: row.id, before: rows.get(row.id), after: row.t }));
    expect(mismatches).toEqual([]);
    expect(after).toHaveLength(rows.size);
  });

  it.each(BENCH3D_TABLES)('%s changed rows hold exactly the values the rules document', async (table) => {
    const untouched = expected.untouched[table]!;
    const changed = [...expected.rows[table]!.entries()].filter(([id]) => !untouched.has(id));
    const after = new Map(
      (
        await inUtc(database.db, (trx) =>
          query<{ id: string; j: Row }>(trx, `SELECT id::text AS id, to_jsonb(x) AS j FROM "${table}" x WHERE id = ANY(:ids::bigint[])`, { ids: changed.map(([id]) => id) }),
        )
      ).map((row) => [row.id, row.j]),
    );
    for (const [id, row] of changed) expect(after.get(id), `${table} ${id}`).toEqual(row);
  });

  it('held people: their due rows are left exactly as they were', () => {
    for (const id of before.heldDueLogs) expect(expected.untouched.device_logs!.has(id), `device_logs ${id}`).toBe(true);
    for (const id of before.held) expect(expected.untouched.users!.has(id), `users ${id}`).toBe(true);
  });

  it('device-logs never touches a row without a clock or from an internal job, however old', () => {
    for (const id of [...before.clocklessLogs, ...before.internalOldLogs]) expect(expected.untouched.device_logs!.has(id), `device_logs ${id}`).toBe(true);
  });

  it('anonymized device logs: ip is a /24 network, identifiers NULL, payload without gps/contacts/phone', async () => {
    const rows = await query<{ id: string; ip: string | null; masklen: number | null; original: string; imei: string | null; device_id: string | null; mac_address: string | null; wlan_ssid: string | null; base_station: string | null; payload: Row | null }>(
      database.db,
      `SELECT id::text AS id, ip::text AS ip, masklen(ip) AS masklen, imei, device_id, mac_address, wlan_ssid, base_station, payload FROM device_logs WHERE id = ANY(:ids::bigint[])`,
      { ids: expected.sets.anonymizedLogs },
    );
    expect(rows).toHaveLength(expected.sets.anonymizedLogs!.length);
    for (const row of rows) {
      expect([row.imei, row.device_id, row.mac_address, row.wlan_ssid, row.base_station]).toEqual([null, null, null, null, null]);
      if (row.ip !== null) {
        expect(row.masklen).toBe(24);
        if (!row.ip.includes(':')) expect(row.ip).toMatch(/^\d+\.\d+\.\d+\.0\/24$/);
      }
      if (row.payload) expect(Object.keys(row.payload).filter((key) => ['gps', 'contacts', 'phone'].includes(key))).toEqual([]);
    }
  });

  it('cancelled users past 30 days have the profile of rules/cancelled-accounts.yaml and keep status and clocks', async () => {
    const rows = await query<Row>(
      database.db,
      `SELECT phone, nickname, avatar_url, birth_date, last_login_at, status, cancelled_at IS NOT NULL AS has_cancelled_at FROM users WHERE id = ANY(:ids::bigint[])`,
      { ids: expected.sets.P },
    );
    expect(rows).toHaveLength(expected.sets.P!.length);
    for (const row of rows) {
      expect(row).toEqual({ phone: null, nickname: 'cancelled user', avatar_url: null, birth_date: null, last_login_at: null, status: 'cancelled', has_cancelled_at: true });
    }
  });

  it('deleted minors take their models, model metadata, logins, codes and released holds along; their logs lose the user id', async () => {
    const { db } = database;
    const M = expected.sets.M!;
    const left = await query<{ n: number }>(
      db,
      `SELECT (SELECT count(*) FROM models WHERE owner_id = ANY(:m::bigint[]))
            + (SELECT count(*) FROM third_party_logins WHERE user_id = ANY(:m::bigint[]))
            + (SELECT count(*) FROM verification_codes WHERE user_id = ANY(:m::bigint[]))
            + (SELECT count(*) FROM legal_holds WHERE user_id = ANY(:m::bigint[]))
            + (SELECT count(*) FROM device_logs WHERE user_id = ANY(:m::bigint[])) AS n`,
      { m: M },
    );
    expect(Number(left[0]!.n)).toBe(0);
    const orphaned = await query<{ user_id: string | null }>(db, `SELECT user_id FROM device_logs WHERE id = ANY(:ids::bigint[])`, { ids: expected.sets.orphanedLogs });
    expect(orphaned.map((row) => row.user_id)).toEqual(expected.sets.orphanedLogs!.map(() => null));
  });

  it('a second run at the same now changes nothing', async () => {
    const sums = async () => Object.fromEntries(await Promise.all(BENCH3D_TABLES.map(async (table) => [table, (await query<{ s: string }>(database.db, `SELECT md5(string_agg(x::text, '|' ORDER BY id)) AS s FROM "${table}" x`))[0]!.s])));
    const first = await sums();
    const again = await runCli(['run', '--db', database.url, '--rules', RULES_DIR, '--yes', '--now', BENCH_NOW, '--format', 'json']);
    expect(again.code, again.stderr).toBe(0);
    expect(parseReport(again.stdout).rules.flatMap((rule) => rule.phases.map((phase) => phase.affected))).toEqual(
      parseReport(again.stdout).rules.flatMap((rule) => rule.phases.map(() => 0)),
    );
    expect(await sums()).toEqual(first);
  });
});
