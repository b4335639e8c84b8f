import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';

const BAD_RULES = fileURLToPath(new URL('../../fixtures/bad-rules/', import.meta.url));
const WITH_WARNINGS = fileURLToPath(new URL('../../fixtures/rules-with-warnings/', import.meta.url));

/** Cases whose problems only the live schema can reveal; `lethe check` covers them (test/integration/rules). */
const SCHEMA_CASE_PREFIX = 'schema-';

/**
 * Every offline case: the problems `lethe validate` must print, as `[check, line]`, where a line
 * is `file:line:col key.path: message` with the file relative to the case folder.
 */
const DURATION = 'expected a duration like 0, 45m, 36h, 30d, 2w, 6mo or 1y';

const OFFLINE_CASES: Record<string, [check: string, line: string][]> = {
  'yaml-syntax-error': [
    ['yaml-syntax', 'rules.yaml:7:1 (file): invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
  ],
  'yaml-duplicate-key': [['yaml-syntax', 'rules.yaml:6:5 (file): invalid YAML: Map keys must be unique']],
  'empty-file': [['empty-file', 'rules.yaml:1:1 (file): the file is empty; expected category and rules']],
  'table-is-number': [['wrong-type', 'rules.yaml:4:12 rules[0].table: expected string, got number 42']],
  'phases-not-list': [['wrong-type', 'rules.yaml:7:7 rules[0].phases: expected array, got a mapping']],
  'after-is-boolean': [
    ['invalid-format', 'rules.yaml:7:16 rules[0].phases[0].after: expected a duration like 0, 45m, 36h, 30d, 2w, 6mo or 1y, got boolean true'],
  ],
  'after-is-number': [
    ['invalid-format', 'rules.yaml:7:16 rules[0].phases[0].after: expected a duration like 0, 45m, 36h, 30d, 2w, 6mo or 1y, got number 30: a duration needs a unit; did you mean 30d?'],
  ],
  'missing-clock': [['missing-key', "rules.yaml:3:5 rules[0]: missing required key 'clock'"]],
  'missing-phases': [['missing-key', "rules.yaml:3:5 rules[0]: missing required key 'phases'"]],
  'missing-category': [['missing-key', "rules.yaml:1:1 (file): missing required key 'category'"]],
  'unknown-rule-key': [['unknown-key', "rules.yaml:5:5 rules[0].tabel: unknown key 'tabel' (did you mean 'table'?)"]],
  'unknown-phase-key-afer': [['unknown-key', "rules.yaml:8:9 rules[0].phases[0].afer: unknown key 'afer' (did you mean 'after'?)"]],
  'unknown-phase-key-acton': [['unknown-key', "rules.yaml:9:9 rules[0].phases[0].acton: unknown key 'acton' (did you mean 'action'?)"]],
  'unknown-strategy-key': [['unknown-key', "rules.yaml:10:43 rules[0].phases[0].set.ip.bitz: unknown key 'bitz' (did you mean 'bits'?)"]],
  'unknown-file-key': [['unknown-key', "rules.yaml:2:1 descripton: unknown key 'descripton' (did you mean 'description'?)"]],
  'unknown-settings-key': [['unknown-key', "lethe.yaml:1:1 hold: unknown key 'hold' (did you mean 'holds'?)"]],
  'rule-id-not-kebab': [['invalid-format', 'rules.yaml:3:9 rules[0].id: expected a kebab-case id like device-logs']],
  'duration-unknown-unit': [['invalid-format', 'rules.yaml:7:16 rules[0].phases[0].after: expected a duration like 0, 45m, 36h, 30d, 2w, 6mo or 1y, got "30x"']],
  'duration-negative': [
    [
      'invalid-format',
      'rules.yaml:7:16 rules[0].phases[0].after: expected a duration like 0, 45m, 36h, 30d, 2w, 6mo or 1y, got "-1d": a duration cannot be negative; it is an age on the clock (0 for "as soon as the clock is set")',
    ],
  ],
  'duration-fraction': [['invalid-format', 'rules.yaml:7:16 rules[0].phases[0].after: expected a duration like 0, 45m, 36h, 30d, 2w, 6mo or 1y, got "1.5d": whole numbers only; did you mean 36h?']],
  'duration-did-you-mean': [
    ['invalid-format', `rules.yaml:7:16 rules[0].phases[0].after: ${DURATION}, got "0d": write 0 (a zero duration has no unit)`],
    ['invalid-format', `rules.yaml:10:16 rules[0].phases[1].after: ${DURATION}, got "90s": seconds are not supported, use 2m`],
    ['invalid-format', `rules.yaml:13:16 rules[0].phases[2].after: ${DURATION}, got "6M": did you mean 6mo? (months are mo, minutes are m)`],
    ['invalid-format', `rules.yaml:16:16 rules[0].phases[3].after: ${DURATION}, got "P6M": ISO 8601 durations are not supported; did you mean 6mo?`],
    ['invalid-format', `rules.yaml:19:16 rules[0].phases[4].after: ${DURATION}, got "2 years": did you mean 2y?`],
  ],
  'typo-key-and-value': [['unknown-key', "rules.yaml:8:9 rules[0].phases[0].acton: unknown key 'acton' (did you mean 'action: delete'?)"]],
  'bad-category-and-rule-errors': [
    ['invalid-format', 'rules.yaml:1:11 category: expected a kebab-case category like device-logs'],
    ['invalid-value', "rules.yaml:8:17 rules[0].phases[0].action: 'delet' is not one of delete, anonymize, pseudonymize (did you mean 'delete'?)"],
    ['unknown-key', "rules.yaml:10:5 rules[1].tabel: unknown key 'tabel' (did you mean 'table'?)"],
  ],
  'faker-renamed-method': [
    ['unknown-fake', 'rules.yaml:10:26 rules[0].phases[0].set.model.fake: faker has no internet.userName (did you mean internet.username?)'],
    ['unknown-fake', 'rules.yaml:11:30 rules[0].phases[0].set.device_id.fake: faker has no persn.firstName (did you mean person.firstName?)'],
  ],
  'fake-needs-arguments': [
    [
      'fake-needs-arguments',
      "rules.yaml:10:26 rules[0].phases[0].set.model.fake: faker's helpers.arrayElement cannot be called without arguments (Cannot read properties of undefined (reading 'length')); choose a method that takes none, e.g. person.firstName",
    ],
    [
      'fake-needs-arguments',
      "rules.yaml:11:30 rules[0].phases[0].set.device_id.fake: faker's helpers.arrayElements cannot be called without arguments (Cannot read properties of undefined (reading 'length')); choose a method that takes none, e.g. person.firstName",
    ],
  ],
  'shared-mark-two-phases': [
    [
      'shared-mark',
      "rules.yaml:16:15 rules[0].phases[1].mark: mark column 'anonymized_at' is already the mark of phase 1 of this rule: once that phase marks a row, this one never selects it; give each phase its own mark column",
    ],
  ],
  'shared-mark-two-rules': [
    [
      'shared-mark',
      "web-logs.yaml:12:15 rules[0].phases[0].mark: mark column 'anonymized_at' is already the mark of rule 'device-logs-app' (device-logs.yaml:3): once that phase marks a row, this one never selects it; give each phase its own mark column",
    ],
  ],
  // One pass: a bad category, a bad phase and a typo in another do not hide the rule's fragment,
  // its other phases' fake method, or the next rule's duplicate id.
  'errors-in-one-pass': [
    ['invalid-format', 'rules.yaml:1:11 category: expected a kebab-case category like device-logs'],
    ['sql-shape', 'rules.yaml:6:12 rules[0].where: must be a single piece of SQL: a ; here would end the statement and start another'],
    ['invalid-format', `rules.yaml:8:16 rules[0].phases[0].after: ${DURATION}, got "6M": did you mean 6mo? (months are mo, minutes are m)`],
    ['unknown-fake', 'rules.yaml:14:26 rules[0].phases[1].set.model.fake: faker has no internet.userName (did you mean internet.username?)'],
    ['unknown-key', "rules.yaml:17:9 rules[0].phases[2].acton: unknown key 'acton' (did you mean 'action: delete'?)"],
    ['duplicate-id', "rules.yaml:18:9 rules[1].id: rule id 'device-logs' is already used at rules.yaml:3"],
  ],
  'yaml-alias-bomb': [['too-many-aliases', 'rules.yaml:1:1 (file): YAML aliases expand more than 100 times (a "billion laughs" document?); write the rules out']],
  'binary-file': [['not-text', 'rules.yaml:1:1 (file): not a YAML text file: it contains NUL bytes']],
  'deep-nesting': [['too-deep', 'rules.yaml:2:40 (file): nesting deeper than 32 levels; rule files need about 8']],
  'phases-not-increasing': [
    ['phase-order', "rules.yaml:11:16 rules[0].phases[1].after: phases must have distinct, increasing 'after': 30d does not come after 6mo"],
  ],
  'phases-equal-after': [
    ['phase-order', "rules.yaml:11:16 rules[0].phases[1].after: phases must have distinct, increasing 'after': 14d does not come after 2w"],
  ],
  'phase-after-delete': [['phase-after-delete', 'rules.yaml:9:9 rules[0].phases[1]: no phase can follow a delete phase: its rows are gone']],
  'cron-four-fields': [
    ['bad-cron', 'rules.yaml:6:15 rules[0].schedule: expected 5 fields (minute hour day month weekday) or 6 (with seconds first), got 4'],
  ],
  'cron-seven-fields': [
    ['bad-cron', 'rules.yaml:6:15 rules[0].schedule: expected 5 fields (minute hour day month weekday) or 6 (with seconds first), got 7'],
  ],
  'cron-minute-out-of-range': [
    ['bad-cron', 'rules.yaml:6:15 rules[0].schedule: invalid cron expression: Constraint error, got value 61 expected range 0-59'],
  ],
  'unknown-timezone': [
    ['bad-timezone', "rules.yaml:7:15 rules[0].timezone: unknown timezone 'Mars/Olympus_Mons'; expected an IANA name like Asia/Shanghai"],
  ],
  'duplicate-id-across-files': [
    ['duplicate-id', "verification-codes.yaml:3:9 rules[0].id: rule id 'logs' is already used at device-logs.yaml:3"],
  ],
  'hash-in-anonymize': [
    [
      'hash-in-anonymize',
      'rules.yaml:10:22 rules[0].phases[0].set.device_id: anonymize refuses hash: a keyed hash is reversible by whoever has the key; use pseudonymize',
    ],
  ],
  'pseudonymize-without-hash': [
    [
      'pseudonymize-needs-hash',
      'rules.yaml:8:17 rules[0].phases[0].action: pseudonymize needs at least one { hash: ENV_VAR } column; without one it is anonymize',
    ],
  ],
  'fake-without-mark': [
    [
      'missing-mark',
      "rules.yaml:10:18 rules[0].phases[0].set.model: 'fake' is not a fixed point: the phase needs 'mark' (a timestamp column set when a row is done)",
    ],
  ],
  'hash-without-mark': [
    [
      'missing-mark',
      "rules.yaml:10:22 rules[0].phases[0].set.device_id: 'hash' is not a fixed point: the phase needs 'mark' (a timestamp column set when a row is done)",
    ],
  ],
  'delete-with-set': [['delete-with-set', "rules.yaml:10:11 rules[0].phases[0].set: a delete phase takes no 'set'"]],
  'anonymize-without-set': [['missing-set', "rules.yaml:8:17 rules[0].phases[0].action: an anonymize phase needs 'set' with at least one column"]],
  'mark-in-set': [['mark-in-set', "rules.yaml:12:15 rules[0].phases[0].mark: mark column 'anonymized_at' is also changed by 'set'"]],
  'semicolon-in-where': [
    ['sql-shape', 'rules.yaml:6:12 rules[0].where: must be a single piece of SQL: a ; here would end the statement and start another'],
  ],
  'unterminated-quote-in-hold': [
    ['sql-syntax', 'rules.yaml:6:11 rules[0].hold: is not valid SQL here: unterminated quoted string at or near "\'internal" at character 22 of the fragment'],
  ],
  'semicolon-in-clock': [
    ['sql-shape', 'rules.yaml:5:12 rules[0].clock: must be a single piece of SQL: a ; here would end the statement and start another'],
  ],
  'semicolon-in-join': [
    ['sql-shape', 'rules.yaml:5:11 rules[0].join: must be a single piece of SQL: a ; here would end the statement and start another'],
  ],
  'semicolon-in-holds-subjects': [
    ['sql-shape', 'lethe.yaml:2:13 holds.subjects: must be a single piece of SQL: a ; here would end the statement and start another'],
  ],
  'where-syntax-error': [
    ['sql-syntax', 'rules.yaml:6:12 rules[0].where: is not valid SQL here: syntax error at or near "AND" at character 38 of the fragment'],
  ],
  'escape-where-parentheses': [
    ['sql-syntax', 'rules.yaml:6:12 rules[0].where: is not valid SQL here: syntax error at or near ")" at character 33 of the fragment (a parenthesis the fragment does not open would step out of it)'],
  ],
  'escape-where-newline': [
    ['sql-syntax', 'rules.yaml:6:12 rules[0].where: is not valid SQL here: syntax error at or near ")" at character 34 of the fragment (a parenthesis the fragment does not open would step out of it)'],
  ],
  'escape-clock-parameter': [['sql-parameter', 'rules.yaml:5:12 rules[0].clock: may not use $n parameters: values in rules are written as literals']],
  'escape-join-where': [
    ['sql-shape', 'rules.yaml:5:11 rules[0].join: must be join clauses only (JOIN ... ON ...): no WHERE, GROUP BY, ORDER BY, LIMIT or a second statement'],
  ],
  'escape-hold-comment': [
    ['sql-syntax', 'rules.yaml:6:11 rules[0].hold: is not valid SQL here: syntax error at or near ")" at character 6 of the fragment (a parenthesis the fragment does not open would step out of it)'],
  ],
  'escape-holds-subjects-two-columns': [['sql-shape', 'lethe.yaml:2:13 holds.subjects: must select exactly one column: the subject values on hold']],
  'unknown-strategy': [
    [
      'unknown-strategy',
      'rules.yaml:10:17 rules[0].phases[0].set.imei: unknown strategy; expected null or an object with one of: value, fake, generalize, mask, json, hash',
    ],
  ],
  'ip-bits-out-of-range': [['too-big', 'rules.yaml:10:39 rules[0].phases[0].set.ip.bits: Too big: expected number to be <=128']],
  'unknown-faker-method': [['unknown-fake', 'rules.yaml:10:26 rules[0].phases[0].set.model.fake: faker has no person.nonexistent']],
  'batch-target-without-unit': [['invalid-format', 'rules.yaml:6:22 rules[0].batch.target: expected a duration like 250ms or 1s']],
  'batch-target-number': [['wrong-type', 'lethe.yaml:2:20 defaults.batch.target: expected string, got number 250']],
};

const caseFolders = readdirSync(BAD_RULES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const schemaCases = caseFolders.filter((name) => name.startsWith(SCHEMA_CASE_PREFIX));

/** CLI output with the case folder cut from every path, so expectations read `rules.yaml:4:12 ...`. */
function relativeTo(folder: string, text: string): string {
  return text.split(folder.endsWith('/') ? folder : `${folder}/`).join('');
}

function summaryOf(lines: string[]): string {
  const warnings = lines.filter((line) => line.includes(': warning: ')).length;
  const errors = lines.length - warnings;
  return `invalid: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}

describe('the bad-rules corpus', () => {
  it('has at least 34 offline cases, each asserted here, and every other folder is a live-schema case', () => {
    expect(Object.keys(OFFLINE_CASES).length).toBeGreaterThanOrEqual(34);
    expect(caseFolders.filter((name) => !name.startsWith(SCHEMA_CASE_PREFIX))).toEqual(Object.keys(OFFLINE_CASES).sort());
  });
});

describe('lethe validate on malformed rules', () => {
  it.each(Object.entries(OFFLINE_CASES))('rejects %s with exit 2 and exactly the expected problem lines', async (name, expected) => {
    const folder = join(BAD_RULES, name);
    const result = await runCli(['validate', '--rules', folder]);
    const lines = expected.map(([, line]) => line);
    expect(relativeTo(folder, result.stdout)).toBe([...lines, summaryOf(lines)].join('\n') + '\n');
    expect(result.code).toBe(2);
  });

  it.each(Object.entries(OFFLINE_CASES))('reports %s with --format json as the same problems, field by field', async (name, expected) => {
    const folder = join(BAD_RULES, name);
    const result = await runCli(['validate', '--rules', folder, '--format', 'json']);
    expect(result.code).toBe(2);
    const document = JSON.parse(result.stdout) as { lethe: number; valid: boolean; problems: Record<string, unknown>[] };
    expect(document.lethe).toBe(1);
    expect(document.valid).toBe(false);
    for (const problem of document.problems) {
      expect(Object.keys(problem).sort()).toEqual(['check', 'column', 'file', 'line', 'message', 'path', 'severity']);
    }
    const asLines = document.problems.map((problem) => [
      problem.check,
      relativeTo(folder, `${String(problem.file)}:${String(problem.line)}:${String(problem.column)} ${String(problem.path)}: ${problem.severity === 'warning' ? 'warning: ' : ''}${String(problem.message)}`),
    ]);
    expect(asLines).toEqual(expected);
  });

  it('gives one JSON problem its severity, check, file, line, column, key path and message as separate fields', async () => {
    const folder = join(BAD_RULES, 'unknown-rule-key');
    const result = await runCli(['validate', '--rules', folder, '--format', 'json']);
    expect(JSON.parse(result.stdout)).toEqual({
      lethe: 1,
      valid: false,
      rules: 0,
      files: 0,
      problems: [
        {
          severity: 'error',
          check: 'unknown-key',
          file: join(folder, 'rules.yaml'),
          line: 5,
          column: 5,
          path: 'rules[0].tabel',
          message: "unknown key 'tabel' (did you mean 'table'?)",
        },
      ],
    });
  });

  it.each(schemaCases)('accepts %s offline: only the live schema can show what is wrong with it', async (name) => {
    const result = await runCli(['validate', '--rules', join(BAD_RULES, name)]);
    // Tolerates a later fix of the plural in "1 rules in 1 files".
    expect(result.stdout).toMatch(/^1 rules? in 1 files? (?:is|are) valid\n$/);
    expect(result.code).toBe(0);
  });
});

describe('lethe validate on rules with warnings only', () => {
  const warnings = [
    "verification-codes.yaml:4:9 rules[0].id: warning: no 'subject': the legal holds in lethe.yaml cannot protect this rule's rows",
    "verification-codes.yaml:15:14 rules[1].cascade: warning: 'cascade' has no effect: the rule has no delete phase",
  ];

  it('prints the warnings and exits 0: warnings alone do not make rules invalid', async () => {
    const result = await runCli(['validate', '--rules', WITH_WARNINGS]);
    expect(relativeTo(WITH_WARNINGS, result.stdout)).toBe([...warnings, '2 rules in 2 files are valid (2 warnings)'].join('\n') + '\n');
    expect(result.code).toBe(0);
  });

  it('exits 2 with --strict, which treats the same warnings as failures', async () => {
    const result = await runCli(['validate', '--rules', WITH_WARNINGS, '--strict']);
    expect(relativeTo(WITH_WARNINGS, result.stdout)).toBe([...warnings, summaryOf(warnings)].join('\n') + '\n');
    expect(result.code).toBe(2);
  });

  it('marks the warnings as severity warning in --format json and reports the rules as valid', async () => {
    const result = await runCli(['validate', '--rules', WITH_WARNINGS, '--format', 'json']);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as { valid: boolean; rules: number; files: number; problems: { severity: string; check: string }[] };
    expect(document).toMatchObject({ valid: true, rules: 2, files: 2 });
    expect(document.problems.map(({ severity, check }) => [severity, check])).toEqual([
      ['warning', 'no-subject'],
      ['warning', 'cascade-without-delete'],
    ]);
  });
});
