import { describe, expect, it } from 'vitest';
import type { Catalog, TableInfo } from '../../../src/catalog/types.js';
import { fingerprintRuleCheck } from '../../../src/check/fingerprint-rule-check.js';
import { hashRule } from '../../../src/rules/hash-rule.js';
import type { RuleSet } from '../../../src/rules/types.js';
import { buildRule } from '../../support/rule-builders.js';

function table(name: string, columns: [string, string][]): TableInfo {
  return {
    schema: 'public',
    name,
    qualified: `"public"."${name}"`,
    kind: 'table',
    columns: new Map(columns.map(([column, type]) => [column, { name: column, type, category: 'S', baseType: type, notNull: false }])),
    primaryKey: ['id'],
    indexes: [],
    referencedBy: [],
    references: [],
    estimatedRows: 1000,
  };
}

const rule = buildRule();
const ruleSet: RuleSet = { rules: [rule], holds: { subjects: undefined, kinds: {} }, defaults: { batch: rule.batch, timezone: 'UTC', guard: rule.guard }, files: [] } as unknown as RuleSet;
const catalogWith = (logs: TableInfo, other?: TableInfo): Catalog => ({
  serverVersion: 150000,
  hasPgcrypto: false,
  tables: new Map([['device_logs', logs], ...(other ? [['users', other] as [string, TableInfo]] : [])]),
});
const logs = table('device_logs', [['id', 'bigint'], ['created_at', 'timestamptz'], ['user_id', 'bigint']]);

describe('the fingerprint that lets a run skip the EXPLAINs of an unchanged rule', () => {
  it('is the same for the same rule on tables of the same shape, whatever their row counts', () => {
    expect(fingerprintRuleCheck(rule, ruleSet, catalogWith(logs))).toBe(fingerprintRuleCheck(rule, ruleSet, catalogWith({ ...logs, estimatedRows: 5 })));
  });

  it('changes with a column type of the rule table, and not with a table the rule does not name', () => {
    const before = fingerprintRuleCheck(rule, ruleSet, catalogWith(logs));
    const retyped = table('device_logs', [['id', 'bigint'], ['created_at', 'timestamp'], ['user_id', 'bigint']]);
    expect(fingerprintRuleCheck(rule, ruleSet, catalogWith(retyped))).not.toBe(before);
    expect(fingerprintRuleCheck(rule, ruleSet, catalogWith(logs, table('users', [['id', 'bigint']])))).toBe(before);
  });

  it('changes with the rule, the holds, and a timezone other than UTC (which moves a wall-clock cutoff)', () => {
    const before = fingerprintRuleCheck(rule, ruleSet, catalogWith(logs));
    expect(fingerprintRuleCheck({ ...rule, where: "device_logs.source <> 'internal'" }, ruleSet, catalogWith(logs))).not.toBe(before);
    expect(fingerprintRuleCheck(rule, { ...ruleSet, holds: { subjects: 'SELECT 1', kinds: {} } }, catalogWith(logs))).not.toBe(before);
    expect(fingerprintRuleCheck({ ...rule, timezone: 'Asia/Shanghai' }, ruleSet, catalogWith(logs))).not.toBe(before);
    expect(hashRule({ ...rule, timezone: 'Asia/Shanghai' }, undefined)).not.toBe(hashRule(rule, undefined));
  });
});
