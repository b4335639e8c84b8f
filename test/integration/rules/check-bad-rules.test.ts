import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

const BAD_RULES = fileURLToPath(new URL('../../fixtures/bad-rules/', import.meta.url));

/**
 * Rules that validate offline but are wrong for the Bench3D schema: the lines `lethe check`
 * must print, with the file relative to the case folder.
 */
const SCHEMA_CASES: Record<string, string[]> = {
  'schema-unknown-table': ["rules.yaml:4:12 rules[0].table: table 'device_log' does not exist"],
  'schema-unknown-set-column': [`rules.yaml:11:23 rules[0].phases[0].set.ip_address: column 'ip_address' does not exist in "public"."device_logs"`],
  'schema-unknown-mark-column': [`rules.yaml:11:15 rules[0].phases[0].mark: column 'scrubbed_at' does not exist in "public"."device_logs"`],
  'schema-mark-not-timestamp': ["rules.yaml:11:15 rules[0].phases[0].mark: mark column 'network_type' must be a timestamp; it is text"],
  'schema-clock-not-time': [
    `rules.yaml:5:12 rules[0].clock: warning: no index starts with "public"."device_logs"."event"; every batch scans the table. Add: CREATE INDEX CONCURRENTLY ON "public"."device_logs" ("event");`,
    'rules.yaml:5:12 rules[0].clock: the clock must be a date or timestamp expression',
  ],
  'schema-where-unknown-column': ['rules.yaml:6:12 rules[0].where: column device_logs.origin does not exist'],
  'schema-mask-on-inet': ["rules.yaml:10:15 rules[0].phases[0].set.ip: mask needs a text column; 'ip' is inet"],
  'schema-generalize-date-on-text': ["rules.yaml:10:23 rules[0].phases[0].set.os_version: generalize date needs a date or timestamp column; 'os_version' is text"],
  'schema-null-on-not-null': ["rules.yaml:10:18 rules[0].phases[0].set.event: column 'event' is NOT NULL and cannot be set to null; use { value: ... }"],
  'schema-hash-on-boolean': [
    "rules.yaml:11:29 rules[0].phases[0].set.guardian_consent: hash yields text (hex), bigint, integer, uuid or bytea; 'guardian_consent' is boolean",
  ],
  'schema-delete-users-without-cascade': [
    `rules.yaml:4:12 rules[0].table: "public"."models".owner_id references "public"."users" without ON DELETE CASCADE or SET NULL; list models in 'cascade' or change the foreign key`,
    `rules.yaml:4:12 rules[0].table: "public"."legal_holds".user_id references "public"."users" without ON DELETE CASCADE or SET NULL; list legal_holds in 'cascade' or change the foreign key`,
  ],
  'schema-cascade-not-child': [`rules.yaml:6:15 rules[0].cascade[0]: "public"."verification_codes" has no foreign key to "public"."device_logs"`],
};

function relativeTo(folder: string, text: string): string {
  return text.split(`${folder}/`).join('');
}

function summaryOf(lines: string[]): string {
  const warnings = lines.filter((line) => line.includes(': warning: ')).length;
  const errors = lines.length - warnings;
  return `invalid: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

describe('lethe check on rules that are wrong for the live Bench3D schema', () => {
  it('asserts every schema-* fixture folder here', () => {
    const folders = readdirSync(BAD_RULES).filter((name) => name.startsWith('schema-')).sort();
    expect(folders).toEqual(Object.keys(SCHEMA_CASES).sort());
  });

  it.each(Object.entries(SCHEMA_CASES))('rejects %s with exit 2 and exactly the expected lines', async (name, expected) => {
    const folder = join(BAD_RULES, name);
    const result = await runCli(['check', '--db', database.url, '--rules', folder]);
    expect(relativeTo(folder, result.stdout)).toBe([...expected, summaryOf(expected)].join('\n') + '\n');
    expect(result.code).toBe(2);
  });

  it('reports a live-schema problem with --format json as data: severity, check, file, line, column, path, message', async () => {
    const folder = join(BAD_RULES, 'schema-mask-on-inet');
    const result = await runCli(['check', '--db', database.url, '--rules', folder, '--format', 'json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      lethe: 1,
      valid: false,
      problems: [
        {
          severity: 'error',
          check: 'wrong-column-type',
          file: join(folder, 'rules.yaml'),
          line: 10,
          column: 15,
          path: 'rules[0].phases[0].set.ip',
          message: "mask needs a text column; 'ip' is inet",
        },
      ],
    });
  });

  it('stops at the offline problems and does not need the database when the rules do not validate', async () => {
    const folder = join(BAD_RULES, 'unknown-rule-key');
    const result = await runCli(['check', '--db', 'postgres://nobody@127.0.0.1:1/none', '--rules', folder]);
    expect(relativeTo(folder, result.stdout)).toBe("rules.yaml:5:5 rules[0].tabel: unknown key 'tabel' (did you mean 'table'?)\ninvalid: 1 error, 0 warnings\n");
    expect(result.code).toBe(2);
  });
});
