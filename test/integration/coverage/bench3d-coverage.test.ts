import { Ajv2020 } from 'ajv/dist/2020.js';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBench3d } from '../../../src/bench3d/seed-bench3d.js';
import { checkCoverage } from '../../../src/check/check-coverage.js';
import { readClassifiedSchema } from '../../../src/classify/read-classified-schema.js';
import { loadRules } from '../../../src/rules/load-rules.js';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

const BENCH3D_RULES = fileURLToPath(new URL('../../../rules/', import.meta.url));
const COVERAGE_SCHEMA = JSON.parse(readFileSync(new URL('../../../schema/coverage.schema.json', import.meta.url), 'utf8')) as object;

/** Every column of the Bench3D schema that holds personal data, by hand (legal_holds is kept by law, not by a rule). */
const PERSONAL_COLUMNS = [
  'users.phone', 'users.nickname', 'users.avatar_url', 'users.birth_date',
  'third_party_logins.provider_uid', 'third_party_logins.nickname', 'third_party_logins.avatar_url',
  'device_logs.imei', 'device_logs.device_id', 'device_logs.mac_address', 'device_logs.ip', 'device_logs.wlan_ssid', 'device_logs.base_station', 'device_logs.payload',
  'verification_codes.phone', 'verification_codes.code',
  'models.title',
  'public_model_metadata.title', 'public_model_metadata.description', 'public_model_metadata.thumbnail_url', 'public_model_metadata.tags',
];

let database: TestDatabase;
let scratch: string;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedBench3d(database.db, { scale: 0.2, seed: 11, now: new Date('2026-11-25T00:00:00Z') });
  scratch = mkdtempSync(join(tmpdir(), 'lethe-coverage-'));
});

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await database?.drop();
});

describe('lethe init on the seeded Bench3D database', () => {
  it('drafts rules that change or delete every personal column, and that pass validate and check as written', async () => {
    const out = join(scratch, 'draft');
    const init = await runCli(['init', '--db', database.url, '--out', out]);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['lethe.yaml', 'users.yaml']);

    const validated = await runCli(['validate', '--rules', out]);
    expect(validated.code).toBe(0);
    const checked = await runCli(['check', '--db', database.url, '--rules', out, '--format', 'json']);
    const report = JSON.parse(checked.stdout) as { valid: boolean; problems: { severity: string; check: string }[] };
    expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(checked.code).toBe(0);

    const { ruleSet } = await loadRules(out);
    const classified = await readClassifiedSchema(database.db, {});
    const coverage = checkCoverage(ruleSet!, classified.facts, classified.personal, ruleSet!.coverage);
    const notCovered = new Set([...coverage.uncovered, ...coverage.kept].map((item) => `${item.table}.${item.column}`));
    expect(PERSONAL_COLUMNS.filter((column) => notCovered.has(column))).toEqual([]);
    // The draft holds every person's rows in legal_holds back, as the shipped rules do.
    expect(readFileSync(join(out, 'lethe.yaml'), 'utf8')).toContain('subjects: SELECT user_id FROM legal_holds WHERE released_at IS NULL');
  });

  it('leaves TODOs that check --strict refuses (exit 2), and never overwrites a file (exit 2 naming it)', async () => {
    const out = join(scratch, 'draft-todo');
    expect((await runCli(['init', '--db', database.url, '--out', out])).code).toBe(0);
    const strict = await runCli(['check', '--db', database.url, '--rules', out, '--strict', '--format', 'json']);
    expect(strict.code).toBe(2);
    expect((JSON.parse(strict.stdout) as { problems: { check: string }[] }).problems.some((problem) => problem.check === 'todo')).toBe(true);

    const before = readFileSync(join(out, 'users.yaml'), 'utf8');
    writeFileSync(join(out, 'users.yaml'), before + '# edited by a person\n');
    const again = await runCli(['init', '--db', database.url, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(join(out, 'users.yaml'));
    expect(again.stderr).toContain('never overwrites');
    expect(readFileSync(join(out, 'users.yaml'), 'utf8')).toBe(before + '# edited by a person\n');
  });
});

describe('check --coverage on the Bench3D rules', () => {
  it('passes with --fail-on-uncovered as shipped', async () => {
    const checked = await runCli(['check', '--db', database.url, '--rules', BENCH3D_RULES, '--coverage', '--fail-on-uncovered']);
    expect(checked.stdout).toMatch(/^coverage: covered \(/m);
    expect(checked.code).toBe(0);
  });

  it('exits 4 naming users.wechat_id once the column is added, and passes again once a rule keeps it', async () => {
    await database.db.raw('ALTER TABLE users ADD COLUMN wechat_id text');
    try {
      const failing = await runCli(['check', '--db', database.url, '--rules', BENCH3D_RULES, '--coverage', '--fail-on-uncovered']);
      expect(failing.code).toBe(4);
      expect(failing.stdout).toMatch(/^uncovered: users\.wechat_id \(account: name 'wechat_id'\): left as it is by cancelled-accounts-profile .* minors-with-consent-expired/m);
      const json = await runCli(['check', '--db', database.url, '--rules', BENCH3D_RULES, '--coverage', '--fail-on-uncovered', '--format', 'json']);
      expect(json.code).toBe(4);
      const document = JSON.parse(json.stdout) as { coverage: { uncovered: { table: string; column: string }[] } };
      expect(document.coverage.uncovered.map((item) => `${item.table}.${item.column}`)).toEqual(['users.wechat_id']);
      const validate = new Ajv2020({ allErrors: true }).compile(COVERAGE_SCHEMA);
      expect(validate(document.coverage), JSON.stringify(validate.errors)).toBe(true);
      const markdown = await runCli(['check', '--db', database.url, '--rules', BENCH3D_RULES, '--coverage', '--format', 'markdown']);
      expect(markdown.code).toBe(0);
      expect(markdown.stdout).toContain('| `users.wechat_id` | account |');

      const rules = join(scratch, 'rules-with-wechat');
      cpSync(BENCH3D_RULES, rules, { recursive: true });
      for (const file of ['cancelled-accounts.yaml', 'minors.yaml']) {
        const text = readFileSync(join(rules, file), 'utf8');
        writeFileSync(join(rules, file), text.replace('    keep:\n', '    keep:\n      wechat_id: bound WeChat account; removed with the binding by the third-party-logins rules\n'));
      }
      const passing = await runCli(['check', '--db', database.url, '--rules', rules, '--coverage', '--fail-on-uncovered']);
      expect(passing.stdout).toMatch(/^coverage: covered/m);
      expect(passing.code).toBe(0);
    } finally {
      await database.db.raw('ALTER TABLE users DROP COLUMN wechat_id');
    }
  });

  it('names a kept column that does not exist (exit 2), and refuses --fail-on-uncovered without --coverage (exit 2)', async () => {
    const rules = join(scratch, 'rules-bad-keep');
    cpSync(BENCH3D_RULES, rules, { recursive: true });
    const text = readFileSync(join(rules, 'minors.yaml'), 'utf8');
    writeFileSync(join(rules, 'minors.yaml'), text.replace('    keep:\n', '    keep:\n      wechat: no such column\n'));
    const checked = await runCli(['check', '--db', database.url, '--rules', rules, '--coverage']);
    expect(checked.code).toBe(2);
    expect(checked.stdout).toMatch(/minors\.yaml:\d+:\d+ rules\[1\]\.keep\.wechat: column 'wechat' does not exist in "public"\."users"/);
    const usage = await runCli(['check', '--db', database.url, '--rules', BENCH3D_RULES, '--fail-on-uncovered']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--fail-on-uncovered needs');
  });
});

describe('--sample', () => {
  it('reports how many sampled values matched, never a value, in any output or drafted file', async () => {
    const out = join(scratch, 'draft-sampled');
    const outputs: string[] = [];
    const init = await runCli(['init', '--db', database.url, '--out', out, '--sample', '50']);
    expect(init.code).toBe(0);
    outputs.push(init.stdout, init.stderr, ...readdirSync(out).map((name) => readFileSync(join(out, name), 'utf8')));
    expect(outputs.join('\n')).toMatch(/sample: \d+ of \d+ values look like phone/);
    await database.db.raw('ALTER TABLE users ADD COLUMN contact text');
    try {
      await database.db.raw(`UPDATE users SET contact = phone`);
      for (const format of ['text', 'json', 'markdown']) {
        const checked = await runCli(['check', '--db', database.url, '--rules', BENCH3D_RULES, '--coverage', '--sample', '50', '--format', format, '--verbose']);
        outputs.push(checked.stdout, checked.stderr);
      }
    } finally {
      await database.db.raw('ALTER TABLE users DROP COLUMN contact');
    }
    // The column named for nothing was found by its values alone.
    expect(outputs.join('\n')).toMatch(/users\.contact \(phone: sample: \d+ of \d+ values look like phone\)/);
    const values = await database.db.raw<{ rows: { value: string }[] }>(`
      select phone as value from users where phone is not null
      union select imei from device_logs where imei is not null union select mac_address from device_logs where mac_address is not null
      union select host(ip) from device_logs where ip is not null union select device_id from device_logs where device_id is not null
      union select provider_uid from third_party_logins union select phone from verification_codes`);
    const samples = values.rows.map((row) => row.value).filter((value) => value.length >= 7);
    expect(samples.length).toBeGreaterThan(100);
    const text = outputs.join('\n');
    expect(samples.filter((value) => text.includes(value))).toEqual([]);
  });
});
