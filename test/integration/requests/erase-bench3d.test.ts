import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptSchema } from '../../../src/requests/receipt-schema.js';
import type { Receipt } from '../../../src/requests/receipt-types.js';
import { columnsReferencingUsers, userFingerprint, writeEraseRules } from '../../support/erase-helpers.js';
import { runCli } from '../../support/run-cli.js';
import { createSeededDatabase, idsOf, openSession, tableChecksum } from '../../support/run-helpers.js';
import { readLastSuccess, readRuleHistory } from '../../../src/state/read-rule-history.js';
import type { TestDatabase } from '../../support/test-database.js';

const TABLES = ['users', 'device_logs', 'third_party_logins', 'verification_codes', 'models', 'public_model_metadata', 'legal_holds'];

describe('lethe erase on the seeded Bench3D database', () => {
  let database: TestDatabase;
  let rules: string;
  const erase = (...flags: string[]) => runCli(['erase', '--db', database.url, '--rules', rules, '--yes', '--format', 'json', ...flags]);
  const receiptOf = (stdout: string) => JSON.parse(stdout) as Receipt;
  /** The user REQ-ONE erased: Lethe stores only a digest, so the test keeps the id. */
  let erased = '';

  beforeAll(async () => {
    database = await createSeededDatabase();
    rules = await writeEraseRules();
  }, 180_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('a dry run counts and writes nothing', async () => {
    const [user] = await idsOf(database.db, `SELECT user_id::text AS id FROM device_logs WHERE user_id IS NOT NULL AND user_id NOT IN (SELECT user_id FROM legal_holds) ORDER BY user_id LIMIT 1`);
    const before = await Promise.all(TABLES.map((table) => tableChecksum(database.db, table)));
    const outcome = await erase('--subject', user!, '--dry-run');
    expect(outcome.code, outcome.stderr).toBe(0);
    const receipt = receiptOf(outcome.stdout);
    expect(receipt).toMatchObject({ mode: 'dry-run', status: 'planned', subjects: { requested: 1, pending: 1 } });
    expect(receipt.rules.find((rule) => rule.id === 'device-logs')!.rows).toBeGreaterThan(0);
    expect(await Promise.all(TABLES.map((table) => tableChecksum(database.db, table)))).toEqual(before);
    const state = await database.db.raw<{ rows: { present: boolean }[] }>(`SELECT to_regclass('lethe.requests') IS NOT NULL AS present`);
    expect(state.rows[0]!.present).toBe(false);
  });

  it("removes exactly one user's rows from every table that references users, names what stays, and leaves another user's rows byte-identical", async () => {
    const [user] = await idsOf(
      database.db,
      `SELECT u.id::text AS id FROM users u WHERE u.status = 'active' AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.user_id = u.id)
         AND EXISTS (SELECT 1 FROM device_logs d WHERE d.user_id = u.id AND d.source <> 'internal') AND EXISTS (SELECT 1 FROM models m WHERE m.owner_id = u.id)
       ORDER BY u.id LIMIT 1`,
    );
    const [other] = await idsOf(database.db, `SELECT owner_id::text AS id FROM models WHERE owner_id <> ? AND owner_id NOT IN (SELECT user_id FROM legal_holds) ORDER BY owner_id LIMIT 1`, [user!]);
    const otherBefore = await userFingerprint(database.db, other!);
    const internal = Number((await database.db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM device_logs WHERE user_id = ? AND source = 'internal'`, [user!])).rows[0]!.n);
    const modelIds = await idsOf(database.db, `SELECT id::text AS id FROM models WHERE owner_id = ?`, [user!]);

    erased = user!;
    const outcome = await erase('--subject', user!, '--request-id', 'REQ-ONE');
    expect(outcome.code, outcome.stderr).toBe(0);
    const receipt = receiptOf(outcome.stdout);
    expect(receiptSchema.safeParse(receipt).success).toBe(true);
    expect(receipt).toMatchObject({ mode: 'erase', requestId: 'REQ-ONE', status: 'done', subjects: { requested: 1, done: 1, notFound: 0, held: 0 } });
    expect(outcome.stdout).not.toContain(`"${user}"`);

    const columns = await columnsReferencingUsers(database.db);
    expect(columns.map((column) => column.table).sort()).toEqual(['device_logs', 'legal_holds', 'models', 'third_party_logins', 'verification_codes']);
    for (const { table, column } of columns) {
      const left = await database.db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM ${table} WHERE "${column}" = ?`, [user!]);
      expect(Number(left.rows[0]!.n), `${table}.${column}`).toBe(0);
    }
    expect(await idsOf(database.db, `SELECT id::text AS id FROM users WHERE id = ?`, [user!])).toEqual([]);
    expect(await idsOf(database.db, `SELECT id::text AS id FROM public_model_metadata WHERE model_id = ANY(?::bigint[])`, [modelIds])).toEqual([]);
    // Internal logs are left out by the device-logs rule's where: the receipt says so (the user's delete then set their user_id NULL).
    const kept = receipt.rules.find((rule) => rule.id === 'device-logs')!.kept;
    expect(kept.filter((entry) => entry.reason === 'where').reduce((sum, entry) => sum + entry.rows, 0)).toBe(internal);
    expect(receipt.tables.find((table) => table.table === 'public.users')).toMatchObject({ removed: 1 });

    expect(await userFingerprint(database.db, other!)).toBe(otherBefore);
  }, 120_000);

  it('a rerun of a finished request id reports it already done and changes nothing', async () => {
    const before = await tableChecksum(database.db, 'device_logs');
    const ledger = await database.db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM lethe.ledger`);
    const stored = await database.db.raw<{ rows: { receipt: Receipt }[] }>(`SELECT receipt FROM lethe.requests WHERE request_id = 'REQ-ONE'`);
    const digest = stored.rows[0]!.receipt.subjects.digests![0]!.digest;
    expect(digest).toMatch(/^hmac:[0-9a-f]{32}$/);
    // The same person again: found by digest only, never by id.
    const people = await database.db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM lethe.request_subjects WHERE request_id = 'REQ-ONE' AND digest = ?`, [digest]);
    expect(Number(people.rows[0]!.n)).toBe(1);
    const rerun = await erase('--request-id', 'REQ-ONE', '--subject', erased);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ requestId: 'REQ-ONE', status: 'done', alreadyDone: true });
    expect(await tableChecksum(database.db, 'device_logs')).toBe(before);
    expect((await database.db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM lethe.ledger`)).rows[0]!.n).toBe(ledger.rows[0]!.n);
    const otherPeople = await erase('--request-id', 'REQ-ONE', '--subject', '999999');
    expect(otherPeople.code).toBe(2);
    expect(otherPeople.stderr).toContain('--request-id REQ-ONE: that request was made for other people');
  });

  it("an erasure's rule runs are not retention runs: --due, the success metric and the growth guard do not see them", async () => {
    const erasures = await database.db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM lethe.rule_runs rr JOIN lethe.runs r USING (run_id) WHERE r.mode = 'erase' AND rr.status = 'done'`);
    expect(Number(erasures.rows[0]!.n)).toBeGreaterThan(0);
    const session = await openSession(database.url);
    try {
      const history = await readRuleHistory(session.sql, 'lethe');
      expect(history.latest.size).toBe(0);
      expect(history.lastCompleted.size).toBe(0);
      expect((await readLastSuccess(session.sql, 'lethe')).size).toBe(0);
    } finally {
      await session.client.end();
    }
  });

  it('leaves a held user exactly as they are and names the hold', async () => {
    const [held] = await idsOf(database.db, `SELECT user_id::text AS id FROM legal_holds WHERE released_at IS NULL AND user_id IN (SELECT user_id FROM device_logs) ORDER BY user_id LIMIT 1`);
    const before = await userFingerprint(database.db, held!);
    const outcome = await erase('--subject', held!);
    expect(outcome.code, outcome.stderr).toBe(0);
    const receipt = receiptOf(outcome.stdout);
    expect(receipt.subjects).toMatchObject({ requested: 1, held: 1, done: 0 });
    expect(receipt.requestId).toMatch(/^erase-/);
    expect(receipt.rules.flatMap((rule) => rule.kept).some((kept) => kept.reason === 'hold' && kept.hold === 'holds.subjects')).toBe(true);
    expect(receipt.rules.every((rule) => rule.rows === 0)).toBe(true);
    expect(await userFingerprint(database.db, held!)).toBe(before);
  });

  it("selects through the rule's join when the subject lives there (public-model-metadata: subject models.owner_id)", async () => {
    const [owner] = await idsOf(
      database.db,
      `SELECT m.owner_id::text AS id FROM models m JOIN public_model_metadata p ON p.model_id = m.id
       WHERE m.visibility <> 'public' AND m.owner_id NOT IN (SELECT user_id FROM legal_holds) ORDER BY m.owner_id LIMIT 1`,
    );
    const count = (sql: string) => database.db.raw<{ rows: { n: string }[] }>(sql, [owner!]).then((result) => Number(result.rows[0]!.n));
    const models = await count(`SELECT count(*) AS n FROM models WHERE owner_id = ?`);
    const hidden = await count(`SELECT count(*) AS n FROM public_model_metadata p JOIN models m ON m.id = p.model_id WHERE m.owner_id = ? AND m.visibility <> 'public'`);
    const shown = await count(`SELECT count(*) AS n FROM public_model_metadata p JOIN models m ON m.id = p.model_id WHERE m.owner_id = ? AND m.visibility = 'public'`);
    const outcome = await erase('--subject', owner!, '--only', 'public-model-metadata');
    expect(outcome.code, outcome.stderr).toBe(0);
    const rule = receiptOf(outcome.stdout).rules[0]!;
    expect(rule).toMatchObject({ id: 'public-model-metadata', rows: hidden });
    expect(rule.kept.filter((kept) => kept.reason === 'where').reduce((sum, kept) => sum + kept.rows, 0)).toBe(shown);
    expect(await count(`SELECT count(*) AS n FROM public_model_metadata p JOIN models m ON m.id = p.model_id WHERE m.owner_id = ? AND m.visibility <> 'public'`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM public_model_metadata p JOIN models m ON m.id = p.model_id WHERE m.owner_id = ? AND m.visibility = 'public'`)).toBe(shown);
    expect(await count(`SELECT count(*) AS n FROM models WHERE owner_id = ?`)).toBe(models);
  });

  it('reports a person found nowhere as not-found, exit 0', async () => {
    const outcome = await erase('--subject', '987654321', '--subject', 'not-a-number');
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(receiptOf(outcome.stdout)).toMatchObject({ status: 'not-found', subjects: { requested: 2, notFound: 2 } });
  });

  it('bad input names the flag, exits 2 and writes nothing', async () => {
    const missing = await erase('--subjects-file', join(rules, 'no-such-file.txt'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--subjects-file');
    const none = await erase();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('erase needs --subject ID or --subjects-file FILE');
    const file = join(rules, 'two-per-line.txt');
    await writeFile(file, '17\n17, 23\n');
    const twoPerLine = await erase('--subjects-file', file);
    expect(twoPerLine.code).toBe(2);
    expect(twoPerLine.stderr).toContain('line 2: expected one id per line');
  });

});
