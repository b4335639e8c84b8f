import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClassifiedSchema } from '../../../src/classify/read-classified-schema.js';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

/** A shop's schema with naming the classifier was not written for, personal columns beside look-alikes. */
const SCHEMA = `
CREATE TABLE accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  mobile_no varchar(20), mail text UNIQUE, real_name text, pwd_hash text,
  email_verified boolean NOT NULL DEFAULT false, locale text, plan_type text, referral_code text,
  created_on timestamptz NOT NULL DEFAULT now(), closed_at timestamptz);
CREATE TABLE account_profiles (
  account_id bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  profile jsonb, settings jsonb, bio text, home_addr text);
CREATE TABLE login_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  client_ip text, imei_code text, user_agent text, success boolean, latency_ms integer, happened timestamptz);
CREATE TABLE shipments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint REFERENCES accounts (id) ON DELETE SET NULL,
  tracking_no text, carrier text, status text, recipient_phone text, street_address text, zip_code text,
  lat numeric(9,6), lng numeric(9,6), weight_kg numeric, created_at timestamptz NOT NULL);
CREATE TABLE products (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text, description text, sku text, color text, price numeric, file_hash text);
CREATE TABLE app_settings (key text PRIMARY KEY, value jsonb, email_template text, updated_at timestamptz);
CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, actor text, action text, ip_count integer, at timestamptz);
COMMENT ON COLUMN accounts.referral_code IS 'code a friend shares to invite';
`;

const PERSONAL = [
  'accounts.mobile_no', 'accounts.mail', 'accounts.real_name', 'accounts.pwd_hash',
  'account_profiles.profile', 'account_profiles.bio', 'account_profiles.home_addr',
  'login_events.client_ip', 'login_events.imei_code', 'login_events.user_agent',
  'shipments.recipient_phone', 'shipments.street_address', 'shipments.zip_code', 'shipments.lat', 'shipments.lng',
];

/** What the classifier flags that is not personal: a content hash is a "hash" by name. */
const KNOWN_FALSE_POSITIVES = ['products.file_hash'];

let database: TestDatabase;
let scratch: string;

beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
  await database.db.raw(SCHEMA);
  scratch = mkdtempSync(join(tmpdir(), 'lethe-never-seen-'));
});

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await database?.drop();
});

describe('the classifier on a schema it has never seen', () => {
  it('finds every personal column, with no false positive but those listed', async () => {
    const { personal } = await readClassifiedSchema(database.db, {});
    const found = personal.map((item) => `${item.table}.${item.column}`).sort();
    expect(PERSONAL.filter((column) => !found.includes(column))).toEqual([]);
    expect(found.filter((column) => !PERSONAL.includes(column))).toEqual(KNOWN_FALSE_POSITIVES);
    expect(personal.find((item) => item.column === 'mobile_no')).toMatchObject({ category: 'phone', evidence: ["name 'mobile_no'"] });
    expect(personal.find((item) => item.column === 'profile')).toMatchObject({ category: 'json' });
  });

  it('drafts rules with lethe init that pass validate and check, a clock through the foreign key where a table has none of its own', async () => {
    const out = join(scratch, 'rules');
    const init = await runCli(['init', '--db', database.url, '--out', out]);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('drafted 4 rules');
    expect((await runCli(['validate', '--rules', out])).code).toBe(0);
    const checked = await runCli(['check', '--db', database.url, '--rules', out, '--coverage', '--format', 'json']);
    const report = JSON.parse(checked.stdout) as { problems: { severity: string; message: string }[]; coverage: { uncovered: { table: string; column: string }[] } };
    expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(checked.code).toBe(0);
    // Left for a person to decide: a unique email no fixed strategy fits (the draft says so in a TODO),
    // and the false positive of a table that references no person.
    expect(report.coverage.uncovered.map((item) => `${item.table}.${item.column}`)).toEqual(['accounts.mail', ...KNOWN_FALSE_POSITIVES]);
    const users = await runCli(['validate', '--rules', out, '--format', 'json']);
    expect(users.code).toBe(0);
  });
});
