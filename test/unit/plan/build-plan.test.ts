import { DEFAULT_GUARD } from '../../../src/rules/types.js';
import { describe, expect, it } from 'vitest';
import type { Catalog, ColumnInfo, ForeignKeyInfo, TableInfo } from '../../../src/catalog/types.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import type { Action, Duration, Phase, Rule, RuleSet } from '../../../src/rules/types.js';

const NOW = new Date('2026-11-25T00:00:00.000Z');
const HOLDS = 'SELECT user_id FROM legal_holds WHERE released_at IS NULL';

function column(name: string, type: string, baseType: string, category: string): ColumnInfo {
  return { name, type, baseType, category, notNull: name === 'id' };
}

function table(name: string, referencedBy: ForeignKeyInfo[] = []): TableInfo {
  return {
    schema: 'public',
    name,
    qualified: `"public"."${name}"`,
    kind: 'table',
    columns: new Map([
      ['id', column('id', 'bigint', 'int8', 'N')],
      ['user_id', column('user_id', 'bigint', 'int8', 'N')],
      ['imei', column('imei', 'text', 'text', 'S')],
      ['created_at', column('created_at', 'timestamp with time zone', 'timestamptz', 'D')],
    ]),
    primaryKey: ['id'],
    indexes: [],
    referencedBy,
    references: [],
    estimatedRows: 0,
  };
}

function foreignKey(child: string, onDelete: ForeignKeyInfo['onDelete']): ForeignKeyInfo {
  return { name: `${child}_user_fk`, table: `"public"."${child}"`, columns: ['user_id'], referencedTable: '"public"."users"', referencedColumns: ['id'], onDelete };
}

function phase(index: number, after: string, action: Action): Phase {
  const match = /^(\d+)(mo|d|y)$/.exec(after)!;
  const duration: Duration = { text: after, amount: Number(match[1]), unit: match[2] as Duration['unit'] };
  return { index, after: duration, action, set: action === 'delete' ? [] : [{ column: 'imei', strategy: { kind: 'null' } }], mark: undefined };
}

function rule(id: string, tableName: string, phases: Phase[], extra: Partial<Rule> = {}): Rule {
  return {
    id,
    category: 'test',
    description: undefined,
    source: { file: 'rules.yaml', line: 1, column: 1, locate: (path) => ({ line: 1, column: 1, path: path.join('.') }) },
    table: { schema: undefined, name: tableName },
    key: undefined,
    subject: undefined,
    subjectKind: undefined,
    clock: `${tableName}.created_at`,
    join: undefined,
    where: undefined,
    hold: undefined,
    schedule: undefined,
    timezone: 'UTC',
    cascade: [],
    after: [],
    partitions: 'auto',
    guard: DEFAULT_GUARD,
    phases,
    batch: { targetMs: 250, maxRows: 50_000 },
    ...extra,
  };
}

function ruleSet(rules: Rule[]): RuleSet {
  return { rules, holds: { subjects: HOLDS, kinds: { subjects: HOLDS } }, defaults: { batch: { targetMs: 250, maxRows: 50_000 }, timezone: 'UTC', guard: DEFAULT_GUARD }, files: ['rules.yaml'] };
}

const users = table('users', [foreignKey('models', 'a'), foreignKey('third_party_logins', 'c'), foreignKey('device_logs', 'n')]);
const catalog: Catalog = {
  serverVersion: 150000,
  hasPgcrypto: false,
  tables: new Map([
    ['device_logs', table('device_logs')],
    ['users', users],
    ['public.models', table('models')],
    ['public.third_party_logins', table('third_party_logins')],
    ['public.device_logs', table('device_logs')],
  ]),
};

describe('buildPlan', () => {
  it('runs phases latest-first whatever their order in the file, each window bounded by the next longer phase\'s cutoff', () => {
    const phases = [phase(0, '30d', 'anonymize'), phase(1, '1y', 'delete'), phase(2, '6mo', 'anonymize')];
    const [planned] = buildPlan(ruleSet([rule('device-logs', 'device_logs', phases)]), catalog, NOW).rules;
    expect(
      planned!.phases.map((window) => [window.phase.after.text, window.phase.action, window.cutoff.toISOString(), window.olderBound?.toISOString()]),
    ).toEqual([
      ['1y', 'delete', '2025-11-25T00:00:00.000Z', undefined],
      ['6mo', 'anonymize', '2026-05-25T00:00:00.000Z', '2025-11-25T00:00:00.000Z'],
      ['30d', 'anonymize', '2026-10-26T00:00:00.000Z', '2026-05-25T00:00:00.000Z'],
    ]);
  });

  it('applies the holds query only to rules that name a subject', () => {
    const plan = buildPlan(
      ruleSet([rule('with-subject', 'device_logs', [phase(0, '30d', 'delete')], { subject: 'device_logs.user_id' }), rule('without-subject', 'device_logs', [phase(0, '30d', 'delete')])]),
      catalog,
      NOW,
    );
    expect(plan.rules.map((planned) => [planned.rule.id, planned.holdsSubjects])).toEqual([
      ['with-subject', HOLDS],
      ['without-subject', undefined],
    ]);
  });

  it('cascades a delete to children listed in the rule (by rule) and to ON DELETE CASCADE children (by database), not to SET NULL ones', () => {
    const [planned] = buildPlan(ruleSet([rule('users', 'users', [phase(0, '0d', 'delete')], { cascade: [{ table: { schema: undefined, name: 'models' }, subject: undefined, subjectKind: undefined, children: [], path: ['cascade', 0] }] })]), {
      ...catalog,
      tables: new Map([...catalog.tables, ['models', table('models')]]),
    }, NOW).rules;
    expect(planned!.cascades.map((cascade) => [cascade.table.qualified, cascade.by])).toEqual([
      ['"public"."models"', 'rule'],
      ['"public"."third_party_logins"', 'database'],
    ]);
  });

  it('plans no cascade for a rule that never deletes', () => {
    const [planned] = buildPlan(ruleSet([rule('users', 'users', [phase(0, '30d', 'anonymize')])]), catalog, NOW).rules;
    expect(planned!.cascades).toEqual([]);
  });

  it('keeps only the rules named by --only, and names every unknown id in a usage error', () => {
    const rules = [rule('a', 'device_logs', [phase(0, '30d', 'delete')]), rule('b', 'device_logs', [phase(0, '30d', 'delete')])];
    expect(buildPlan(ruleSet(rules), catalog, NOW, { only: ['b'] }).rules.map((planned) => planned.rule.id)).toEqual(['b']);
    expect(() => buildPlan(ruleSet(rules), catalog, NOW, { only: ['b', 'nope', 'other'] })).toThrow("--only: no rule with id 'nope', 'other'");
  });
});
