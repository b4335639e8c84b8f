import { DEFAULT_GUARD } from '../../../src/rules/types.js';
import { describe, expect, it } from 'vitest';
import type { ColumnInfo, ForeignKeyInfo, TableInfo } from '../../../src/catalog/types.js';
import type { Cascade, PlannedPhase, PlannedRule } from '../../../src/plan/types.js';
import type { Action, ColumnChange, Duration, Rule, Strategy } from '../../../src/rules/types.js';
import { buildPreviewStatement } from '../../../src/sql/build-preview-statement.js';
import {
  buildCascadeCountStatement,
  buildCascadeDeleteStatements,
  buildConfirmBatchStatement,
  buildCountStatement,
  buildDeleteStatement,
  buildHighWaterStatement,
  buildSelectBatchStatement,
  buildUpdateStatement,
} from '../../../src/sql/build-statements.js';
import type { Statement } from '../../../src/sql/quote.js';

/* Small builders: a catalog table, a rule and its planned phases, written by hand. */

const TYPE_FACTS: Record<string, Pick<ColumnInfo, 'category' | 'baseType'>> = {
  bigint: { category: 'N', baseType: 'int8' },
  integer: { category: 'N', baseType: 'int4' },
  text: { category: 'S', baseType: 'text' },
  inet: { category: 'I', baseType: 'inet' },
  json: { category: 'U', baseType: 'json' },
  jsonb: { category: 'U', baseType: 'jsonb' },
  'timestamp with time zone': { category: 'D', baseType: 'timestamptz' },
};

function table(schema: string, name: string, columns: Record<string, string>, primaryKey: string[] | undefined = ['id'], referencedBy: ForeignKeyInfo[] = []): TableInfo {
  const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
  return {
    schema,
    name,
    qualified: `${quote(schema)}.${quote(name)}`,
    kind: 'table',
    columns: new Map(Object.entries(columns).map(([column, type]) => [column, { name: column, type, ...TYPE_FACTS[type]!, notNull: primaryKey?.includes(column) ?? false }])),
    primaryKey,
    indexes: [],
    referencedBy,
    references: [],
    estimatedRows: 1000,
  };
}

function duration(text: string): Duration {
  const match = /^(\d+)(mo|m|h|d|w|y)$/.exec(text)!;
  return { text, amount: Number(match[1]), unit: match[2] as Duration['unit'] };
}

function rule(overrides: Partial<Rule> & Pick<Rule, 'id' | 'clock'>): Rule {
  return {
    category: 'test',
    description: undefined,
    source: { file: 'rules.yaml', line: 1, column: 1, locate: (path) => ({ line: 1, column: 1, path: path.join('.') }) },
    table: { schema: undefined, name: 'device_logs' },
    key: undefined,
    subject: undefined,
    subjectKind: undefined,
    join: undefined,
    where: undefined,
    hold: undefined,
    schedule: undefined,
    timezone: 'UTC',
    cascade: [],
    after: [],
    partitions: 'auto',
    guard: DEFAULT_GUARD,
    phases: [],
    batch: { targetMs: 250, maxRows: 50_000 },
    ...overrides,
  };
}

function window(target: TableInfo, after: string, action: Action, cutoff: string, olderBound?: string, set: Record<string, Strategy> = {}, mark?: string): PlannedPhase {
  const changes: ColumnChange[] = Object.entries(set).map(([column, strategy]) => ({ column, strategy }));
  return {
    phase: { index: 0, after: duration(after), action, set: changes, mark },
    walk: 'key',
    cutoff: new Date(cutoff),
    olderBound: olderBound ? new Date(olderBound) : undefined,
    changes: changes.map((change) => ({ ...change, info: target.columns.get(change.column)! })),
    markInfo: mark ? target.columns.get(mark) : undefined,
  };
}

function planned(ruleOf: Rule, target: TableInfo, phases: PlannedPhase[], options: { key?: string[]; cascades?: Cascade[]; holdsSubjects?: string } = {}): PlannedRule {
  const key = options.key ?? target.primaryKey!;
  return {
    rule: { ...ruleOf, phases: phases.map((window) => window.phase) },
    table: target,
    key: key.map((name) => ({ name, type: target.columns.get(name)!.type })),
    cascades: options.cascades ?? [],
    phases,
    holdsSubjects: ruleOf.subject ? options.holdsSubjects : undefined,
  };
}

/** What PostgreSQL's lexer does with `--`: drops the rest of the line. (No fragment here has `--` inside a string.) */
function withoutLineComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/[ \t]+$/gm, '');
}

function parenthesesBalance(sql: string): boolean {
  let depth = 0;
  for (const char of sql.replace(/'(?:[^']|'')*'/g, "''")) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

const HOLDS = 'SELECT user_id FROM legal_holds WHERE released_at IS NULL';
const NOW_MINUS_30D = '2026-10-26T00:00:00.000Z';
const NOW_MINUS_180D = '2026-05-29T00:00:00.000Z';

const deviceLogs = table('public', 'device_logs', {
  id: 'bigint',
  user_id: 'bigint',
  ip: 'inet',
  imei: 'text',
  nickname: 'text',
  payload: 'jsonb',
  created_at: 'timestamp with time zone',
  anonymized_at: 'timestamp with time zone',
});

describe('statements for a delete phase with holds and a join', () => {
  const cancelledLogs = planned(
    rule({
      id: 'cancelled-device-logs',
      join: 'JOIN users ON users.id = device_logs.user_id',
      subject: 'device_logs.user_id',
      clock: 'users.cancelled_at',
      where: "users.status = 'cancelled'",
    }),
    deviceLogs,
    [window(deviceLogs, '30d', 'delete', NOW_MINUS_30D)],
    { holdsSubjects: HOLDS },
  );
  const phase = cancelledLogs.phases[0]!;
  const held = `(coalesce((
device_logs.user_id
) = ANY(ARRAY(
SELECT user_id FROM legal_holds WHERE released_at IS NULL
)), false))`;

  it('counts candidates (not held), held rows and the oldest candidate clock in one statement, the cutoff bound as $1', () => {
    const statement = buildCountStatement(cancelledLogs, phase);
    expect(statement.text).toBe(`SELECT count(*) FILTER (WHERE NOT ${held}) AS candidates,
       count(*) FILTER (WHERE ${held}) AS held,
       min((
users.cancelled_at
)) FILTER (WHERE NOT ${held}) AS oldest
FROM "public"."device_logs"
JOIN users ON users.id = device_logs.user_id

WHERE (
users.cancelled_at
) < $1::timestamptz
AND (
users.status = 'cancelled'
)`);
    expect(statement.values).toEqual([NOW_MINUS_30D]);
  });

  it('deletes only keys of the batch that still match the join, the window and the where, and are not held', () => {
    const statement = buildDeleteStatement(cancelledLogs, phase, [['101', '102']]);
    expect(statement.text).toBe(`DELETE FROM "public"."device_logs"
WHERE ("device_logs"."id") IN (SELECT "device_logs"."id" FROM "public"."device_logs"
JOIN users ON users.id = device_logs.user_id

WHERE "device_logs"."id" = ANY($1::bigint[])
AND CASE WHEN "device_logs"."id" = ANY($1::bigint[]) THEN ((
users.cancelled_at
) < $2::timestamptz
AND (
users.status = 'cancelled'
)
AND NOT ${held}) ELSE false END)`);
    expect(statement.values).toEqual([['101', '102'], NOW_MINUS_30D]);
  });

  it('selects a batch after the checkpoint and up to the high-water mark, locking only the target table and skipping locked rows', () => {
    const statement = buildSelectBatchStatement(cancelledLogs, phase, ['100'], ['900'], 500);
    expect(statement.text).toBe(`SELECT "device_logs"."id"::text AS c0
FROM "public"."device_logs"
JOIN users ON users.id = device_logs.user_id

WHERE (
users.cancelled_at
) < $1::timestamptz
AND (
users.status = 'cancelled'
)
AND NOT ${held}
AND ("device_logs"."id") > ($3::bigint) AND ("device_logs"."id") <= ($2::bigint)
ORDER BY "device_logs"."id"
LIMIT $4::integer
FOR UPDATE OF "device_logs" SKIP LOCKED`);
    expect(statement.values).toEqual([NOW_MINUS_30D, '900', '100', 500]);
    expect(statement.rowMode).toBe('array');
  });

  it('binds every value (cutoff, keys, checkpoint, limit) as a parameter and never pastes one into the text', () => {
    const statements: Statement[] = [
      buildCountStatement(cancelledLogs, phase),
      buildDeleteStatement(cancelledLogs, phase, [['4242424242']]),
      buildSelectBatchStatement(cancelledLogs, phase, ['31337'], ['90210'], 777),
      buildConfirmBatchStatement(cancelledLogs, phase, [['4242424242']], []),
    ];
    for (const statement of statements) {
      for (const pasted of [NOW_MINUS_30D, '2026-10-26', '4242424242', '31337', '90210', '777']) expect(statement.text).not.toContain(pasted);
      expect(statement.text).toMatch(/\$1::timestamptz|\$1::bigint\[\]/);
    }
  });

  it('quotes schema, table and key names, doubling quotes inside them, so odd names cannot break out', () => {
    const odd = table('Analytics', 'Device "Logs"', { 'Log Id': 'bigint', created_at: 'timestamp with time zone' }, ['Log Id']);
    const oddRule = planned(rule({ id: 'odd', table: { schema: 'Analytics', name: 'Device "Logs"' }, clock: 'created_at' }), odd, [window(odd, '30d', 'delete', NOW_MINUS_30D)]);
    const select = buildSelectBatchStatement(oddRule, oddRule.phases[0]!, undefined, ['9'], 10);
    expect(select.text).toContain('FROM "Analytics"."Device ""Logs"""\n');
    expect(select.text).toContain('SELECT "Device ""Logs"""."Log Id"::text AS c0');
    expect(select.text).toContain('ORDER BY "Device ""Logs"""."Log Id"');
    expect(select.text).toContain('FOR UPDATE OF "Device ""Logs""" SKIP LOCKED');
    expect(buildDeleteStatement(oddRule, oddRule.phases[0]!, [['1']]).text).toMatch(/^DELETE FROM "Analytics"."Device ""Logs"""\nWHERE "Device ""Logs"""."Log Id" = ANY\(\$1::bigint\[\]\)/);
    expect(buildHighWaterStatement(oddRule).text).toBe(
      'SELECT "Device ""Logs"""."Log Id"::text AS k0 FROM "Analytics"."Device ""Logs""" ORDER BY "Device ""Logs"""."Log Id" DESC LIMIT 1',
    );
  });

  it('counts cascaded children of the candidates only (due, not held), matching the foreign key columns', () => {
    const children = table('public', 'device_log_notes', { id: 'bigint', log_id: 'bigint' });
    const foreignKey: ForeignKeyInfo = { name: 'notes_log_fk', table: children.qualified, columns: ['log_id'], referencedTable: deviceLogs.qualified, referencedColumns: ['id'], onDelete: 'c' };
    const withChildren = { ...cancelledLogs, cascades: [{ table: children, foreignKey, by: 'database' as const, parent: undefined, recursive: false, subjects: [] }] };
    const statement = buildCascadeCountStatement(withChildren, phase, { cascades: withChildren.cascades, by: 'database' });
    expect(statement.text).toBe(`SELECT count(*) AS rows FROM "public"."device_log_notes"
WHERE ("device_log_notes"."log_id") IN (SELECT "device_logs"."id" FROM "public"."device_logs"
JOIN users ON users.id = device_logs.user_id

WHERE (
users.cancelled_at
) < $1::timestamptz
AND (
users.status = 'cancelled'
)
AND NOT ${held})`);
    expect(statement.values).toEqual([NOW_MINUS_30D]);
  });

  it('holds nothing when the rule names no subject, even though lethe.yaml has a holds query', () => {
    const noSubject = planned(rule({ id: 'no-subject', clock: 'device_logs.created_at' }), deviceLogs, [window(deviceLogs, '30d', 'delete', NOW_MINUS_30D)], { holdsSubjects: HOLDS });
    const statement = buildCountStatement(noSubject, noSubject.phases[0]!);
    expect(statement.text).toContain('count(*) FILTER (WHERE NOT false) AS candidates');
    expect(statement.text).not.toContain('legal_holds');
  });
});

describe('the window of a phase on the clock', () => {
  const logs = rule({ id: 'device-logs', clock: 'device_logs.created_at' });
  const anonymize = window(deviceLogs, '30d', 'anonymize', NOW_MINUS_30D, NOW_MINUS_180D, { imei: { kind: 'null' } });
  const remove = window(deviceLogs, '180d', 'delete', NOW_MINUS_180D);
  const twoPhases = planned(logs, deviceLogs, [remove, anonymize]);

  it('bounds a phase followed by a longer one: older than its cutoff ($1) but not older than the next cutoff ($2)', () => {
    const statement = buildCountStatement(twoPhases, anonymize);
    expect(statement.text).toContain(`WHERE (
device_logs.created_at
) < $1::timestamptz
AND (
device_logs.created_at
) >= $2::timestamptz
`);
    expect(statement.values.slice(0, 2)).toEqual([NOW_MINUS_30D, NOW_MINUS_180D]);
  });

  it('leaves the last phase open towards the past: everything older than its cutoff', () => {
    const statement = buildCountStatement(twoPhases, remove);
    expect(statement.text).toMatch(/\) < \$1::timestamptz$/);
    expect(statement.text).not.toContain('>=');
    expect(statement.values).toEqual([NOW_MINUS_180D]);
  });

  it('repeats the same window in the batch select, the confirm and the write of each phase', () => {
    const statements = [
      buildSelectBatchStatement(twoPhases, anonymize, undefined, ['9'], 10),
      buildConfirmBatchStatement(twoPhases, anonymize, [['1']], []),
      buildUpdateStatement(twoPhases, anonymize, { keys: [['1']], nodeValues: new Map(), markValue: new Date(0) }),
    ];
    for (const statement of statements) {
      expect(statement.text).toMatch(/\(\ndevice_logs\.created_at\n\) < \$\d+::timestamptz\nAND \(\ndevice_logs\.created_at\n\) >= \$\d+::timestamptz/);
      expect(statement.values).toContain(NOW_MINUS_30D);
      expect(statement.values).toContain(NOW_MINUS_180D);
    }
    expect(buildDeleteStatement(twoPhases, remove, [['1']]).text).not.toContain('>=');
  });
});

describe('the "still needs work" predicate of an anonymize phase', () => {
  const logs = rule({ id: 'device-logs', clock: 'device_logs.created_at' });
  const scrub = window(deviceLogs, '30d', 'anonymize', NOW_MINUS_30D, undefined, {
    ip: { kind: 'generalize-ip', bits: 24 },
    imei: { kind: 'null' },
    nickname: { kind: 'value', value: 'former user' },
    payload: { kind: 'json-remove', keys: ['gps', 'phone'] },
  });
  const scrubbing = planned(logs, deviceLogs, [scrub]);

  it('selects a row while any changed column IS DISTINCT FROM its anonymized value, cheapest tests first, constants bound as parameters', () => {
    const statement = buildCountStatement(scrubbing, scrub);
    expect(statement.text).toContain(`) < $1::timestamptz
AND ("device_logs"."imei" IS NOT NULL
  OR "device_logs"."nickname" IS DISTINCT FROM $2::text
  OR "device_logs"."ip" IS DISTINCT FROM (network(set_masklen(("device_logs"."ip")::inet, least(24, CASE WHEN family(("device_logs"."ip")::inet) = 4 THEN 32 ELSE 128 END))))::inet
  OR "device_logs"."payload" IS DISTINCT FROM (("device_logs"."payload")::jsonb - $3::text[])::jsonb)`);
    expect(statement.values).toEqual([NOW_MINUS_30D, 'former user', ['gps', 'phone']]);
    expect(statement.text).not.toContain("'former user'");
  });

  it('compares a json column (which has no equality operator) as jsonb', () => {
    const documents = table('public', 'documents', { id: 'bigint', doc: 'json', created_at: 'timestamp with time zone' });
    const strip = window(documents, '30d', 'anonymize', NOW_MINUS_30D, undefined, { doc: { kind: 'json-remove', keys: ['gps'] } });
    const statement = buildCountStatement(planned(rule({ id: 'documents', clock: 'documents.created_at' }), documents, [strip]), strip);
    expect(statement.text).toMatch(/\nAND \(\("documents"."doc"\)::jsonb IS DISTINCT FROM \(\(\("documents"."doc"\)::jsonb - \$2::text\[\]\)::json\)::jsonb\)$/);
  });

  it('repeats the predicate in the UPDATE, so a row already anonymized by another run is not written again', () => {
    const statement = buildUpdateStatement(scrubbing, scrub, { keys: [['7', '8']], nodeValues: new Map(), markValue: new Date(0) });
    expect(statement.text).toMatch(/^UPDATE "public"."device_logs"\nSET "ip" = \(network\(/);
    expect(statement.text).toContain('"imei" = NULL');
    expect(statement.text).toMatch(/"nickname" = \$\d+::text/);
    expect(statement.text).toContain('WHERE "device_logs"."id" = ANY($');
    expect(statement.text).toContain('AND ("device_logs"."imei" IS NOT NULL\n  OR');
    expect(statement.values).toContainEqual(['7', '8']);
  });

  it('uses the mark column instead when a strategy is not a fixed point (fake): mark IS NULL', () => {
    const faking = window(deviceLogs, '30d', 'anonymize', NOW_MINUS_30D, undefined, { nickname: { kind: 'fake', module: 'person', method: 'firstName' }, imei: { kind: 'null' } }, 'anonymized_at');
    const statement = buildCountStatement(planned(logs, deviceLogs, [faking]), faking);
    expect(statement.text).toMatch(/\) < \$1::timestamptz\nAND "device_logs"."anonymized_at" IS NULL$/);
    expect(statement.text).not.toContain('IS DISTINCT FROM');
  });

  it('has no such predicate in a delete phase: a deleted row is gone', () => {
    const remove = window(deviceLogs, '180d', 'delete', NOW_MINUS_180D);
    const statement = buildCountStatement(planned(logs, deviceLogs, [remove]), remove);
    expect(statement.text).not.toMatch(/IS DISTINCT FROM|IS NULL/);
  });

  it('previews a changed column by its type and length, selecting no value before or after the strategy', () => {
    const statement = buildPreviewStatement(scrubbing, scrub, 3);
    expect(statement.text).toContain('pg_typeof("device_logs"."imei")::text AS type_1');
    expect(statement.text).toContain('length("device_logs"."imei"::text) AS length_1');
    expect(statement.text).not.toMatch(/AS (after|source)_\d/);
    const withValues = buildPreviewStatement(scrubbing, scrub, 3, true);
    expect(withValues.text).toContain('NULL::text AS source_1');
    expect(withValues.text).toContain('AS after_0');
    // The original appears only inside pg_typeof, length and the strategy's own expression.
    const bare = statement.text.split('\n').filter((line) => /^\s*(SELECT )?"device_logs"\."\w+"(::text)? AS /.test(line));
    expect(bare).toEqual([]);
    expect(statement.text).toMatch(/LIMIT \$\d+::integer$/);
    expect(statement.values.at(-1)).toBe(3);
  });
});

describe('a composite key', () => {
  const events = table('public', 'events', { tenant_id: 'integer', id: 'bigint', created_at: 'timestamp with time zone', note: 'text' }, ['tenant_id', 'id']);
  const notes = table('public', 'event_notes', { id: 'bigint', tenant_id: 'integer', event_id: 'bigint' });
  const foreignKey: ForeignKeyInfo = {
    name: 'event_notes_event_fk',
    table: notes.qualified,
    columns: ['tenant_id', 'event_id'],
    referencedTable: events.qualified,
    referencedColumns: ['tenant_id', 'id'],
    onDelete: 'a',
  };
  const cascade: Cascade = { table: notes, foreignKey, by: 'rule', parent: undefined, recursive: false, subjects: [] };
  const remove = window(events, '30d', 'delete', NOW_MINUS_30D);
  const eventRule = planned(rule({ id: 'events', table: { schema: undefined, name: 'events' }, clock: 'events.created_at', cascade: [{ table: { schema: undefined, name: 'event_notes' }, subject: undefined, subjectKind: undefined, children: [], path: ['cascade', 0] }] }), events, [remove], { cascades: [cascade] });

  it('walks batches by row comparison on all key columns, each value bound with its column type', () => {
    const statement = buildSelectBatchStatement(eventRule, remove, ['3', '100'], ['9', '900'], 500);
    expect(statement.text).toContain('SELECT "events"."tenant_id"::text AS c0, "events"."id"::text AS c1\n');
    expect(statement.text).toContain('AND ("events"."tenant_id", "events"."id") > ($4::integer, $5::bigint) AND ("events"."tenant_id", "events"."id") <= ($2::integer, $3::bigint)\n');
    expect(statement.text).toContain('ORDER BY "events"."tenant_id", "events"."id"\n');
    expect(statement.values).toEqual([NOW_MINUS_30D, '9', '900', '3', '100', 500]);
  });

  it('starts the first batch without a lower bound', () => {
    const statement = buildSelectBatchStatement(eventRule, remove, undefined, ['9', '900'], 500);
    expect(statement.text).toContain('AND ("events"."tenant_id", "events"."id") <= ($2::integer, $3::bigint)\n');
    expect(statement.text).not.toContain(') > (');
  });

  it('matches a batch of composite keys with one array per column, unnested together', () => {
    const statement = buildDeleteStatement(eventRule, remove, [[1, 1, 2], ['10', '11', '12']]);
    expect(statement.text).toMatch(/^DELETE FROM "public"."events"\nWHERE \("events"."tenant_id", "events"."id"\) IN \(SELECT \* FROM unnest\(\$1::integer\[\], \$2::bigint\[\]\)\)\nAND /);
    expect(statement.values.slice(0, 2)).toEqual([[1, 1, 2], ['10', '11', '12']]);
  });

  it('deletes children listed in cascade by their composite foreign key, unnesting the parents\' values', () => {
    const rows = { values: new Map([['tenant_id', ['1', '2']], ['id', ['10', '20']]]), keys: [['1', '2'], ['10', '20']] };
    const [statement] = buildCascadeDeleteStatements(eventRule, { cascades: [cascade], by: 'rule' }, rows);
    expect(statement!.text).toBe('DELETE FROM "public"."event_notes"\nWHERE ("event_notes"."tenant_id", "event_notes"."event_id") IN (SELECT * FROM unnest($1::integer[], $2::bigint[]))');
    expect(statement!.values).toEqual([['1', '2'], ['10', '20']]);
  });

  it('counts cascaded children by a row comparison of the foreign key against the parents\' key columns', () => {
    const statement = buildCascadeCountStatement(eventRule, remove, { cascades: [cascade], by: 'rule' });
    expect(statement.text).toMatch(/^SELECT count\(\*\) AS rows FROM "public"."event_notes"\nWHERE \("event_notes"."tenant_id", "event_notes"."event_id"\) IN \(SELECT "events"."tenant_id", "events"."id" FROM "public"."events"\nWHERE /);
  });

  it('freezes the high-water mark on the highest key tuple', () => {
    expect(buildHighWaterStatement(eventRule).text).toBe(
      'SELECT "events"."tenant_id"::text AS k0, "events"."id"::text AS k1 FROM "public"."events" ORDER BY "events"."tenant_id" DESC, "events"."id" DESC LIMIT 1',
    );
  });

  it('joins values made in Node to their rows on every key column', () => {
    const faking = window(events, '30d', 'anonymize', NOW_MINUS_30D, undefined, { note: { kind: 'fake', module: 'lorem', method: 'word' } }, undefined);
    const anonymizing = planned(rule({ id: 'events-notes', table: { schema: undefined, name: 'events' }, clock: 'events.created_at' }), events, [faking]);
    const statement = buildUpdateStatement(anonymizing, faking, { keys: [[1, 2], ['10', '20']], nodeValues: new Map([['note', ['a', 'b']]]), markValue: new Date(0) });
    expect(statement.text).toContain('SET "note" = lethe_values.v0::text\nFROM unnest($1::integer[], $2::bigint[], $3::text[]) AS lethe_values(k0, k1, v0)\n');
    expect(statement.text).toContain('WHERE "events"."tenant_id" = lethe_values.k0 AND "events"."id" = lethe_values.k1\nAND ');
    expect(statement.values.slice(0, 3)).toEqual([[1, 2], ['10', '20'], ['a', 'b']]);
  });
});

describe('rule fragments that end in a -- comment', () => {
  const fragments = {
    join: 'JOIN users ON users.id = device_logs.user_id -- the owner',
    clock: 'users.cancelled_at -- set when the account is cancelled',
    where: "users.status = 'cancelled' -- not suspended",
    subject: 'device_logs.user_id -- the person',
    hold: 'device_logs.payload IS NULL -- nothing to keep',
  };
  const holds = `${HOLDS} -- active holds only`;
  const strip = (text: string) => text.replace(/ --[^\n]*/g, '');
  const build = (commented: boolean) => {
    const pick = (text: string) => (commented ? text : strip(text));
    const scrub = window(deviceLogs, '30d', 'anonymize', NOW_MINUS_30D, NOW_MINUS_180D, { imei: { kind: 'null' }, nickname: { kind: 'value', value: 'x' } });
    const remove = window(deviceLogs, '180d', 'delete', NOW_MINUS_180D);
    const theRule = rule({ id: 'commented', join: pick(fragments.join), clock: pick(fragments.clock), where: pick(fragments.where), subject: pick(fragments.subject), hold: pick(fragments.hold) });
    const plannedRule = planned(theRule, deviceLogs, [remove, scrub], { holdsSubjects: pick(holds) });
    return [
      buildCountStatement(plannedRule, scrub),
      buildCountStatement(plannedRule, remove),
      buildSelectBatchStatement(plannedRule, scrub, ['1'], ['9'], 10),
      buildConfirmBatchStatement(plannedRule, remove, [['1']], []),
      buildDeleteStatement(plannedRule, remove, [['1']]),
      buildUpdateStatement(plannedRule, scrub, { keys: [['1']], nodeValues: new Map(), markValue: new Date(0) }),
      buildPreviewStatement(plannedRule, scrub, 3),
    ].map((statement) => statement.text);
  };

  it('puts every fragment on its own lines, so its comment ends at its own line', () => {
    const [count] = build(true);
    for (const text of [...Object.values(fragments), holds]) expect(count).toContain(`\n${text}\n`);
  });

  it('yields, once PostgreSQL drops the comments, exactly the statements built from the same fragments without comments', () => {
    const commented = build(true);
    const plain = build(false);
    commented.forEach((text, index) => {
      expect(withoutLineComments(text)).toBe(plain[index]!.replace(/[ \t]+$/gm, ''));
      expect(parenthesesBalance(withoutLineComments(text))).toBe(true);
    });
  });
});
