import type { Knex } from 'knex';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBench3d } from '../../../src/bench3d/seed-bench3d.js';
import type { PhaseReport, Report } from '../../../src/report/types.js';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

/**
 * Issue 4, "done when": every count of `lethe plan` equals a count written by hand from the
 * rule files. The SQL below is deliberately not built with src/sql: each phase's selection is
 * spelled out the way a reviewer reads the YAML (window on the clock, `where`, and for
 * anonymize phases "a column still differs from its anonymized value").
 */

const BENCH3D_RULES = fileURLToPath(new URL('../../../rules/', import.meta.url));
const SEEDED_AT = '2026-11-25T00:00:00Z';
const NOWS = ['2026-11-25T00:00:00Z', '2027-03-01T00:00:00Z'] as const;

/** What one phase should select, as SQL over the Bench3D tables. `now` is a SQL timestamptz literal. */
interface ExpectedPhase {
  rule: string;
  after: string;
  action: 'delete' | 'anonymize';
  /** The phase's age as a PostgreSQL interval: cutoff = now - age. */
  age: string;
  /** Due rows (holds not yet applied): `key` (the target's id), `clock`, `subject`. */
  due: (now: string) => string;
  /** Child tables whose rows a delete removes with the candidates: SQL over `candidates(key)`. */
  cascades?: { table: string; by: 'rule' | 'database'; rows: string }[];
}

const DEVICE_LOG_STILL_IDENTIFYING = `(
     d.ip IS DISTINCT FROM network(set_masklen(d.ip, 24))::inet
  OR d.imei IS NOT NULL OR d.device_id IS NOT NULL OR d.mac_address IS NOT NULL
  OR d.wlan_ssid IS NOT NULL OR d.base_station IS NOT NULL
  OR EXISTS (SELECT FROM jsonb_object_keys(d.payload) AS k WHERE k IN ('gps', 'contacts', 'phone')))`;

const CANCELLED_PROFILE_STILL_IDENTIFYING = `(
     u.phone IS NOT NULL OR u.nickname IS DISTINCT FROM 'cancelled user' OR u.avatar_url IS NOT NULL
  OR u.birth_date IS NOT NULL OR u.last_login_at IS NOT NULL)`;

const MINOR_PROFILE_STILL_IDENTIFYING = `(
     u.phone IS NOT NULL OR u.nickname IS DISTINCT FROM 'former user' OR u.avatar_url IS NOT NULL
  OR extract(month FROM u.birth_date) <> 1 OR extract(day FROM u.birth_date) <> 1)`;

const MINOR = `u.birth_date > (u.created_at - interval '14 years')::date`;

const EXPECTED: ExpectedPhase[] = [
  {
    // Requests only: a NULL clock never expires, so a plan never finds a row.
    rule: 'accounts',
    after: '0',
    action: 'delete',
    age: '0 seconds',
    due: (now) => `SELECT u.id AS key, NULL::timestamptz AS clock, u.id AS subject FROM users u WHERE NULL::timestamptz < ${now}`,
  },
  {
    rule: 'cancelled-accounts-profile',
    after: '30d',
    action: 'anonymize',
    age: '30 days',
    due: (now) => `SELECT u.id AS key, u.cancelled_at AS clock, u.id AS subject FROM users u
      WHERE u.cancelled_at < ${now} - interval '30 days' AND u.status = 'cancelled' AND ${CANCELLED_PROFILE_STILL_IDENTIFYING}
        AND NOT coalesce(${MINOR} AND NOT u.guardian_consent, false)`,
  },
  {
    rule: 'cancelled-accounts-device-logs',
    after: '30d',
    action: 'delete',
    age: '30 days',
    due: (now) => `SELECT d.id AS key, u.cancelled_at AS clock, d.user_id AS subject FROM device_logs d JOIN users u ON u.id = d.user_id
      WHERE u.cancelled_at < ${now} - interval '30 days' AND u.status = 'cancelled'`,
  },
  {
    rule: 'cancelled-accounts-models',
    after: '30d',
    action: 'delete',
    age: '30 days',
    due: (now) => `SELECT m.id AS key, u.cancelled_at AS clock, m.owner_id AS subject FROM models m JOIN users u ON u.id = m.owner_id
      WHERE u.cancelled_at < ${now} - interval '30 days' AND u.status = 'cancelled'`,
    cascades: [{ table: 'public.public_model_metadata', by: 'database', rows: 'SELECT count(*) FROM public_model_metadata WHERE model_id IN (SELECT key FROM candidates)' }],
  },
  {
    rule: 'cancelled-accounts-verification-codes',
    after: '30d',
    action: 'delete',
    age: '30 days',
    due: (now) => `SELECT v.id AS key, u.cancelled_at AS clock, v.user_id AS subject FROM verification_codes v JOIN users u ON u.id = v.user_id
      WHERE u.cancelled_at < ${now} - interval '30 days' AND u.status = 'cancelled'`,
  },
  {
    rule: 'device-logs',
    after: '180d',
    action: 'delete',
    age: '180 days',
    due: (now) => `SELECT d.id AS key, d.created_at AS clock, d.user_id AS subject FROM device_logs d
      WHERE d.created_at < ${now} - interval '180 days' AND d.source <> 'internal'`,
  },
  {
    rule: 'device-logs',
    after: '30d',
    action: 'anonymize',
    age: '30 days',
    // A window: older than 30 days but not older than 180 days (those belong to the delete phase).
    due: (now) => `SELECT d.id AS key, d.created_at AS clock, d.user_id AS subject FROM device_logs d
      WHERE d.created_at < ${now} - interval '30 days' AND d.created_at >= ${now} - interval '180 days'
        AND d.source <> 'internal' AND ${DEVICE_LOG_STILL_IDENTIFYING}`,
  },
  {
    rule: 'minors-without-consent',
    after: '0',
    action: 'delete',
    age: '0 days',
    due: (now) => `SELECT u.id AS key, u.created_at AS clock, u.id AS subject FROM users u
      WHERE u.created_at < ${now} AND ${MINOR} AND NOT u.guardian_consent`,
    cascades: [
      { table: 'public.legal_holds', by: 'rule', rows: 'SELECT count(*) FROM legal_holds WHERE user_id IN (SELECT key FROM candidates)' },
      { table: 'public.models', by: 'rule', rows: 'SELECT count(*) FROM models WHERE owner_id IN (SELECT key FROM candidates)' },
      {
        table: 'public.public_model_metadata',
        by: 'database',
        rows: 'SELECT count(*) FROM public_model_metadata WHERE model_id IN (SELECT id FROM models WHERE owner_id IN (SELECT key FROM candidates))',
      },
      { table: 'public.third_party_logins', by: 'database', rows: 'SELECT count(*) FROM third_party_logins WHERE user_id IN (SELECT key FROM candidates)' },
      { table: 'public.verification_codes', by: 'database', rows: 'SELECT count(*) FROM verification_codes WHERE user_id IN (SELECT key FROM candidates)' },
    ],
  },
  {
    rule: 'minors-with-consent-expired',
    after: '1y',
    action: 'anonymize',
    age: '1 year',
    due: (now) => `SELECT u.id AS key, u.last_login_at AS clock, u.id AS subject FROM users u
      WHERE u.last_login_at < ${now} - interval '1 year' AND ${MINOR} AND u.guardian_consent AND ${MINOR_PROFILE_STILL_IDENTIFYING}`,
  },
  {
    rule: 'public-model-metadata',
    after: '0',
    action: 'delete',
    age: '0 days',
    due: (now) => `SELECT p.id AS key, m.visibility_changed_at AS clock, m.owner_id AS subject FROM public_model_metadata p JOIN models m ON m.id = p.model_id
      WHERE m.visibility_changed_at < ${now} AND m.visibility <> 'public'`,
  },
  {
    rule: 'third-party-logins-unbound',
    after: '0',
    action: 'delete',
    age: '0 days',
    due: (now) => `SELECT t.id AS key, t.unbound_at AS clock, t.user_id AS subject FROM third_party_logins t
      WHERE t.unbound_at < ${now}`,
  },
  {
    rule: 'third-party-logins-cancelled',
    after: '15d',
    action: 'delete',
    age: '15 days',
    due: (now) => `SELECT t.id AS key, u.cancelled_at AS clock, t.user_id AS subject FROM third_party_logins t JOIN users u ON u.id = t.user_id
      WHERE u.cancelled_at < ${now} - interval '15 days' AND u.status = 'cancelled'`,
  },
  {
    rule: 'verification-codes',
    after: '1d',
    action: 'delete',
    age: '1 day',
    due: (now) => `SELECT v.id AS key, v.expires_at AS clock, v.user_id AS subject FROM verification_codes v
      WHERE v.expires_at < ${now} - interval '1 day'`,
  },
];

interface Counted {
  cutoff: string;
  candidates: number;
  held: number;
  oldest: string | null;
  cascades?: { table: string; by: 'rule' | 'database'; rows: number }[];
}

/** A row is held when its subject has an unreleased legal hold; a row without a subject is never held. */
async function countByHand(db: Knex, expected: ExpectedPhase, now: string): Promise<Counted> {
  const at = `timestamptz '${now}'`;
  return db.transaction(async (trx) => {
    // Lethe plans in UTC; `(created_at - interval '14 years')::date` depends on the session's zone.
    await trx.raw(`SET LOCAL TimeZone = 'UTC'`);
    const judged = `WITH due AS (${expected.due(at)}),
      judged AS (
        SELECT due.*, EXISTS (SELECT 1 FROM legal_holds h WHERE h.released_at IS NULL AND h.user_id = due.subject) AS on_hold FROM due
      ),
      candidates AS (SELECT key FROM judged WHERE NOT on_hold)`;
    const counts = await trx.raw<{ rows: { cutoff: Date; candidates: number; held: number; oldest: Date | null }[] }>(
      `${judged}
       SELECT ${at} - interval '${expected.age}' AS cutoff,
              (SELECT count(*)::int FROM judged WHERE NOT on_hold) AS candidates,
              (SELECT count(*)::int FROM judged WHERE on_hold) AS held,
              (SELECT min(clock) FROM judged WHERE NOT on_hold) AS oldest`,
    );
    const row = counts.rows[0]!;
    const counted: Counted = {
      cutoff: row.cutoff.toISOString(),
      candidates: row.candidates,
      held: row.held,
      oldest: row.oldest ? row.oldest.toISOString() : null,
    };
    if (expected.cascades) {
      counted.cascades = [];
      for (const cascade of expected.cascades) {
        const result = await trx.raw<{ rows: { rows: number }[] }>(`${judged} SELECT (${cascade.rows})::int AS rows`);
        counted.cascades.push({ table: cascade.table, by: cascade.by, rows: result.rows[0]!.rows });
      }
    }
    return counted;
  });
}

async function planJson(url: string, now: string): Promise<Report> {
  const result = await runCli(['plan', '--db', url, '--rules', BENCH3D_RULES, '--format', 'json', '--now', now]);
  expect(result.stderr).not.toMatch(/"level":50/);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Report;
}

function reportedPhase(report: Report, rule: string, after: string): PhaseReport {
  const found = report.rules.find((candidate) => candidate.id === rule);
  expect(found, `rule ${rule} in the report`).toBeDefined();
  const phase = found!.phases.find((candidate) => candidate.after === after);
  expect(phase, `phase ${after} of ${rule} in the report`).toBeDefined();
  return phase!;
}

function asCounted(phase: PhaseReport, withCascades: boolean): Counted {
  const counted: Counted = { cutoff: phase.cutoff, candidates: phase.candidates, held: phase.held, oldest: phase.oldest };
  if (withCascades) counted.cascades = [...(phase.cascades ?? [])].sort((a, b) => a.table.localeCompare(b.table));
  return counted;
}

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedBench3d(database.db, { scale: 1, seed: 7, now: new Date(SEEDED_AT) });
});

afterAll(async () => {
  await database?.drop();
});

describe.each(NOWS)('lethe plan --format json --now %s on Bench3D scale 1 (seed 7)', (now) => {
  let report: Report;

  beforeAll(async () => {
    report = await planJson(database.url, now);
  });

  it('reports every Bench3D rule and every phase, each planned, with nothing affected', () => {
    const reported = report.rules.flatMap((rule) => rule.phases.map((phase) => `${rule.id} ${phase.after} ${phase.action} ${rule.status} affected=${phase.affected}`));
    expect(reported.sort()).toEqual(EXPECTED.map((phase) => `${phase.rule} ${phase.after} ${phase.action} planned affected=0`).sort());
    expect(report).toMatchObject({ lethe: 1, mode: 'plan', now: new Date(now).toISOString(), status: 'ok' });
  });

  it.each(EXPECTED.map((phase) => [`${phase.rule} ${phase.action} ${phase.after}`, phase] as const))(
    '%s: cutoff, candidates, held, oldest (and cascaded rows) equal the hand-written SQL',
    async (_name, expected) => {
      const byHand = await countByHand(database.db, expected, now);
      expect(asCounted(reportedPhase(report, expected.rule, expected.after), expected.cascades !== undefined)).toEqual({
        ...byHand,
        ...(byHand.cascades ? { cascades: [...byHand.cascades].sort((a, b) => a.table.localeCompare(b.table)) } : {}),
      });
    },
  );

  it('finds work and holds in the seeded data, so the comparisons above are not vacuous', async () => {
    // accounts is applied by requests only (a NULL clock): it never has candidates.
    const phases = report.rules.filter((rule) => rule.id !== 'accounts').flatMap((rule) => rule.phases);
    expect(phases.every((phase) => phase.candidates > 0)).toBe(true);
    expect(phases.filter((phase) => phase.held > 0).length).toBeGreaterThanOrEqual(6);
    const minors = reportedPhase(report, 'minors-without-consent', '0');
    expect(minors.held).toBeGreaterThan(0);
    expect(minors.cascades?.filter((cascade) => cascade.table !== 'public.legal_holds').every((cascade) => cascade.rows > 0)).toBe(true);
  });
});

describe('lethe plan after some rows were anonymized by hand (--now 2026-11-25T00:00:00Z)', () => {
  const now = NOWS[0];
  let before: Report;
  let after: Report;

  beforeAll(async () => {
    before = await planJson(database.url, now);
    await database.db.transaction(async (trx) => {
      await trx.raw(`SET LOCAL TimeZone = 'UTC'`);
      const at = `timestamptz '${now}'`;
      const unheld = (alias: string, subject: string) =>
        `NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.released_at IS NULL AND h.user_id = ${alias}.${subject})`;
      // Five due cancelled profiles wholly anonymized, three only partly (their phone is gone, the rest is not).
      await trx.raw(`UPDATE users SET phone = NULL, nickname = 'cancelled user', avatar_url = NULL, birth_date = NULL, last_login_at = NULL
        WHERE id IN (SELECT u.id FROM users u WHERE u.status = 'cancelled' AND u.cancelled_at < ${at} - interval '30 days'
                     AND ${CANCELLED_PROFILE_STILL_IDENTIFYING} AND ${unheld('u', 'id')} ORDER BY u.id LIMIT 5)`);
      await trx.raw(`UPDATE users SET phone = NULL
        WHERE id IN (SELECT u.id FROM users u WHERE u.status = 'cancelled' AND u.cancelled_at < ${at} - interval '30 days'
                     AND u.phone IS NOT NULL AND ${CANCELLED_PROFILE_STILL_IDENTIFYING} AND ${unheld('u', 'id')} ORDER BY u.id DESC LIMIT 3)`);
      // A hundred device logs in the 30d..180d window already scrubbed the way the rule would.
      await trx.raw(`UPDATE device_logs SET ip = network(set_masklen(ip, 24))::inet, imei = NULL, device_id = NULL, mac_address = NULL,
          wlan_ssid = NULL, base_station = NULL, payload = payload - array['gps', 'contacts', 'phone']
        WHERE id IN (SELECT d.id FROM device_logs d WHERE d.source <> 'internal' AND d.created_at < ${at} - interval '30 days'
                     AND d.created_at >= ${at} - interval '180 days' AND ${DEVICE_LOG_STILL_IDENTIFYING} AND ${unheld('d', 'user_id')}
                     ORDER BY d.id LIMIT 100)`);
    });
    after = await planJson(database.url, now);
  });

  it('no longer counts the wholly anonymized rows as candidates of their anonymize phase, but still counts partly anonymized ones', () => {
    expect(reportedPhase(after, 'cancelled-accounts-profile', '30d').candidates).toBe(reportedPhase(before, 'cancelled-accounts-profile', '30d').candidates - 5);
    expect(reportedPhase(after, 'device-logs', '30d').candidates).toBe(reportedPhase(before, 'device-logs', '30d').candidates - 100);
  });

  it('leaves the delete phases of the same tables unchanged: a delete has no "still needs work" condition', () => {
    for (const [rule, phase] of [['device-logs', '180d'], ['cancelled-accounts-device-logs', '30d']] as const) {
      expect(reportedPhase(after, rule, phase)).toEqual(reportedPhase(before, rule, phase));
    }
  });

  it.each(EXPECTED.filter((phase) => phase.action === 'anonymize').map((phase) => [`${phase.rule} ${phase.after}`, phase] as const))(
    '%s: candidates, held and oldest still equal the hand-written SQL',
    async (_name, expected) => {
      const byHand = await countByHand(database.db, expected, now);
      expect(asCounted(reportedPhase(after, expected.rule, expected.after), false)).toEqual(byHand);
    },
  );
});

describe('rows removed two foreign keys away', () => {
  /**
   * minors-without-consent deletes the child's models itself (`cascade: [models, ...]`), and the
   * database's ON DELETE CASCADE then removes those models' public_model_metadata rows too. The
   * report must list them too.
   */
  it('lists the public_model_metadata rows that go with the models minors-without-consent deletes', async () => {
    const now = NOWS[0];
    const report = await planJson(database.url, now);
    const minors = EXPECTED.find((phase) => phase.rule === 'minors-without-consent')!;
    const grandchildren = {
      ...minors,
      cascades: [
        {
          table: 'public.public_model_metadata',
          by: 'database' as const,
          rows: 'SELECT count(*) FROM public_model_metadata WHERE model_id IN (SELECT id FROM models WHERE owner_id IN (SELECT key FROM candidates))',
        },
      ],
    };
    const byHand = await countByHand(database.db, grandchildren, now);
    expect(byHand.cascades![0]!.rows).toBeGreaterThan(0);
    expect(reportedPhase(report, 'minors-without-consent', '0').cascades).toContainEqual(byHand.cascades![0]);
  });
});
