import { TEMPLATE_TABLE } from './load-template.js';

export const CASE_NAMES = ['delete', 'anonymize-sql', 'anonymize-fake', 'pseudonymize', 'plan', 'partitioned', 'erase', 'delete-2w', 'anonymize-2w'] as const;
export type CaseName = (typeof CASE_NAMES)[number];

/** The environment variable holding the pseudonym key, as a rule names it. */
export const KEY_ENV = 'LETHE_BENCH_KEY';
export const BENCH_KEY = 'lethe-bench-key-not-a-secret';

export interface Sql {
  text: string;
  values: unknown[];
}

/**
 * One comparison: a bare statement the database runs at its own speed, and the Lethe phase
 * that must do the same work. The new values are the SQL Lethe itself generates
 * (src/strategies/), so both sides compute the same expressions.
 */
export interface BenchCase {
  name: CaseName;
  partitioned: boolean;
  command: 'run' | 'plan' | 'erase';
  /** Workers on the one table (`run --concurrency N`); 1 for one walk. */
  workers: number;
  /** erase: how many people (evenly spread over the template's user ids) both sides remove. */
  subjects?: number;
  /** Columns indexed on both copies besides the key and created_at (erase: user_id). */
  indexes?: string[];
  /** The reference; its row count (rowCount, or `count` for a SELECT) is the rows it handled. */
  reference(table: string, cutoff: string, subjects: string[]): Sql;
  /** The `phases:` of the rule, as YAML lines. */
  phases: string[];
  /** A summary of what must be equal on both sides afterwards (rows left and deterministic values). */
  fingerprint(table: string): string;
  /** Expired rows that still need the case's work: 0 after either side. */
  pending(table: string, cutoff: string, subjects: string[]): Sql;
}

/** Lethe's generalize-ip on an inet column (generalize-strategies.ts). */
const ipSql = `(network(set_masklen((ip)::inet, least(24, CASE WHEN family((ip)::inet) = 4 THEN 32 ELSE 128 END))))::inet`;
/** Lethe's mask with keepStart 8, keepEnd 0 (redact-strategies.ts): keeps the vendor part of a MAC. */
const maskSql = `(CASE WHEN length(mac_address) <= 8 THEN repeat('*', length(mac_address))
  ELSE left(mac_address, 8) || repeat('*', length(mac_address) - 8) || right(mac_address, 0) END)::text`;
/** Lethe's hash on a text column with pgcrypto (hash-strategy.ts). */
const hashSql = `encode(hmac((device_id)::text, $2::text, 'sha256'), 'hex')::text`;

const sqlStrategies = ['ip: { generalize: ip, bits: 24 }', 'imei: null', 'mac_address: { mask: { keepStart: 8, keepEnd: 0 } }'];
const sqlAssignments = `ip = ${ipSql}, imei = NULL, mac_address = ${maskSql}`;

const rowsAndIds = (table: string) => `SELECT count(*)::text || ':' || coalesce(sum(id), 0)::text FROM ${table}`;
const rowsAndColumns = (table: string, columns: string) =>
  `SELECT count(*)::text || ':' || coalesce(sum(hashtext(concat_ws('|', ${columns}))::bigint), 0)::text || ':' || count(anonymized_at)::text FROM ${table}`;
const expired = (table: string, cutoff: string, extra = 'true'): Sql => ({
  text: `SELECT count(*)::int AS n FROM ${table} WHERE created_at < $1::timestamptz AND (${extra})`,
  values: [cutoff],
});

const deleteCase = (name: 'delete' | 'partitioned' | 'delete-2w', partitioned: boolean, workers = 1): BenchCase => ({
  name,
  partitioned,
  command: 'run',
  workers,
  reference: (table, cutoff) => ({ text: `DELETE FROM ${table} WHERE created_at < $1::timestamptz`, values: [cutoff] }),
  phases: ['- after: 180d', '  action: delete'],
  fingerprint: rowsAndIds,
  pending: (table, cutoff) => expired(table, cutoff),
});

const anonymizeSql: BenchCase = {
  name: 'anonymize-sql',
  partitioned: false,
  command: 'run',
  workers: 1,
  reference: (table, cutoff) => ({ text: `UPDATE ${table} SET ${sqlAssignments} WHERE created_at < $1::timestamptz`, values: [cutoff] }),
  phases: ['- after: 180d', '  action: anonymize', '  set:', ...sqlStrategies.map((line) => `    ${line}`)],
  fingerprint: (table) => rowsAndColumns(table, 'id, ip, imei, mac_address'),
  pending: (table, cutoff) => expired(table, cutoff, `ip IS DISTINCT FROM ${ipSql} OR imei IS NOT NULL OR mac_address IS DISTINCT FROM ${maskSql}`),
};

export const BENCH_CASES: Record<CaseName, BenchCase> = {
  delete: deleteCase('delete', false),
  'anonymize-sql': anonymizeSql,
  'anonymize-fake': {
    name: 'anonymize-fake',
    partitioned: false,
    command: 'run',
    workers: 1,
    // The database's own limit for writing the same columns: random values made in SQL.
    reference: (table, cutoff) => ({
      text: `UPDATE ${table} SET ${sqlAssignments}, wlan_ssid = substr(md5(random()::text), 1, 12), device_id = gen_random_uuid()::text, anonymized_at = now()
WHERE created_at < $1::timestamptz`,
      values: [cutoff],
    }),
    phases: [
      '- after: 180d',
      '  action: anonymize',
      '  set:',
      ...[...sqlStrategies, 'wlan_ssid: { fake: internet.domainWord }', 'device_id: { fake: string.uuid }'].map((line) => `    ${line}`),
      '  mark: anonymized_at',
    ],
    fingerprint: (table) => rowsAndColumns(table, 'id, ip, imei, mac_address'),
    // Faked values must differ from the originals the template still holds.
    pending: (table, cutoff) => ({
      text: `SELECT count(*)::int AS n FROM ${table} c JOIN ${TEMPLATE_TABLE} t USING (id)
WHERE c.created_at < $1::timestamptz AND (c.anonymized_at IS NULL OR c.wlan_ssid IS NOT DISTINCT FROM t.wlan_ssid OR c.device_id IS NOT DISTINCT FROM t.device_id)`,
      values: [cutoff],
    }),
  },
  pseudonymize: {
    name: 'pseudonymize',
    partitioned: false,
    command: 'run',
    workers: 1,
    reference: (table, cutoff) => ({
      text: `UPDATE ${table} SET device_id = ${hashSql}, anonymized_at = now() WHERE created_at < $1::timestamptz`,
      values: [cutoff, BENCH_KEY],
    }),
    phases: ['- after: 180d', '  action: pseudonymize', '  set:', `    device_id: { hash: ${KEY_ENV} }`, '  mark: anonymized_at'],
    fingerprint: (table) => rowsAndColumns(table, 'id, device_id'),
    pending: (table, cutoff) => expired(table, cutoff, 'anonymized_at IS NULL'),
  },
  plan: {
    name: 'plan',
    partitioned: false,
    command: 'plan',
    workers: 1,
    reference: (table, cutoff) => ({ text: `SELECT count(*)::int AS count FROM ${table} WHERE created_at < $1::timestamptz`, values: [cutoff] }),
    phases: ['- after: 180d', '  action: delete'],
    fingerprint: rowsAndIds,
    // A plan writes nothing: every expired row is still there.
    pending: () => ({ text: 'SELECT 0 AS n', values: [] }),
  },
  partitioned: deleteCase('partitioned', true),
  // A subjects file of 10,000 people against one set-based DELETE of their rows.
  erase: {
    name: 'erase',
    partitioned: false,
    command: 'erase',
    workers: 1,
    subjects: 10_000,
    indexes: ['user_id'],
    reference: (table, _cutoff, subjects) => ({ text: `DELETE FROM ${table} WHERE user_id = ANY($1::bigint[])`, values: [subjects] }),
    phases: ['- after: 180d', '  action: delete'],
    fingerprint: rowsAndIds,
    pending: (table, _cutoff, subjects) => ({ text: `SELECT count(*)::int AS n FROM ${table} WHERE user_id = ANY($1::bigint[])`, values: [subjects] }),
  },
  // One table walked by two workers (run --concurrency 2), against the same single bare statement.
  'delete-2w': deleteCase('delete-2w', false, 2),
  'anonymize-2w': { ...anonymizeSql, name: 'anonymize-2w', workers: 2 },
};

/** The rule file Lethe reads for one copy: one rule, one phase, no holds. */
export function ruleFileYaml(benchCase: BenchCase, table: string, ruleId: string): string {
  return [
    'category: bench',
    `description: npm run bench, case ${benchCase.name}`,
    'rules:',
    `  - id: ${ruleId}`,
    `    table: ${table}`,
    `    clock: ${table}.created_at`,
    ...(benchCase.subjects ? [`    subject: ${table}.user_id`] : []),
    '    phases:',
    ...benchCase.phases.map((line) => `      ${line}`),
    '',
  ].join('\n');
}
