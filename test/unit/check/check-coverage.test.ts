import { describe, expect, it } from 'vitest';
import { checkCoverage } from '../../../src/check/check-coverage.js';
import type { SchemaFacts, TableFacts } from '../../../src/classify/read-schema-facts.js';
import type { Classification } from '../../../src/classify/types.js';
import { normalizeHolds, DEFAULT_BATCH, DEFAULT_GUARD, type RuleSet } from '../../../src/rules/types.js';
import { buildPhase, buildRule } from '../../support/rule-builders.js';

function table(name: string, columns: string[], primaryKey = ['id']): TableFacts {
  return {
    name, schema: 'public', relname: name, readable: true, comment: undefined, primaryKey, unique: [primaryKey],
    columns: columns.map((column) => ({ table: name, schema: 'public', column, type: 'text', category: 'S', baseType: 'text', comment: undefined, notNull: false })),
  };
}

const facts: SchemaFacts = {
  searchPath: ['public'],
  tables: [
    table('users', ['id', 'phone', 'status', 'wechat_id']),
    table('orders', ['id', 'user_id', 'address']),
    table('order_notes', ['id', 'order_id', 'note']),
    table('audit', ['id', 'email']),
  ],
  foreignKeys: [
    { table: 'orders', columns: ['user_id'], referencedTable: 'users', referencedColumns: ['id'], onDelete: 'a' },
    { table: 'order_notes', columns: ['order_id'], referencedTable: 'orders', referencedColumns: ['id'], onDelete: 'c' },
  ],
};

const personal: Classification[] = [
  { table: 'users', column: 'phone', category: 'phone', evidence: ["name 'phone'"] },
  { table: 'users', column: 'wechat_id', category: 'account', evidence: ["name 'wechat_id'"] },
  { table: 'orders', column: 'address', category: 'address', evidence: ["name 'address'"] },
  { table: 'order_notes', column: 'note', category: 'free-text', evidence: ["name 'note'"] },
  { table: 'audit', column: 'email', category: 'email', evidence: ["name 'email'"] },
];

function ruleSet(rules: RuleSet['rules']): RuleSet {
  return { rules, holds: normalizeHolds(undefined), defaults: { batch: DEFAULT_BATCH, timezone: 'UTC', guard: DEFAULT_GUARD }, files: [] };
}

const anonymizeUsers = buildRule({
  id: 'users-closed',
  table: { schema: undefined, name: 'users' },
  phases: [buildPhase({ action: 'anonymize', set: [{ column: 'phone', strategy: { kind: 'null' } }] })],
  keep: [{ column: 'status', reason: 'account state' }],
});
const deleteOrders = buildRule({ id: 'orders', table: { schema: undefined, name: 'orders' } });

describe('checkCoverage', () => {
  it('lists a column an anonymize rule leaves alone, and personal columns of tables no rule touches', () => {
    const report = checkCoverage(ruleSet([anonymizeUsers, deleteOrders]), facts, personal);
    expect(report.status).toBe('uncovered');
    expect(report.uncovered.map((item) => [`${item.table}.${item.column}`, item.why, item.rules.map((rule) => rule.id)])).toEqual([
      ['users.wechat_id', 'not-changed', ['users-closed']],
      ['audit.email', 'no-rule', []],
    ]);
  });

  it('counts a delete rule, and tables below it by ON DELETE CASCADE, as deleting every column; the row key as kept', () => {
    const report = checkCoverage(ruleSet([anonymizeUsers, deleteOrders]), facts, personal);
    expect(report.tables).toEqual([
      { table: 'users', columns: 4, changed: 1, deleted: 0, kept: 2 },
      { table: 'orders', columns: 3, changed: 0, deleted: 3, kept: 0 },
      { table: 'order_notes', columns: 3, changed: 0, deleted: 3, kept: 0 },
    ]);
    expect(report.kept).toEqual([
      { table: 'users', column: 'id', rule: 'users-closed', reason: 'the row key' },
      { table: 'users', column: 'status', rule: 'users-closed', reason: 'account state' },
    ]);
  });

  it('is covered once the column is kept, and coverage.ignore silences a table with its reason', () => {
    const keeping = { ...anonymizeUsers, keep: [...anonymizeUsers.keep!, { column: 'wechat_id', reason: 'removed with the binding' }] };
    const report = checkCoverage(ruleSet([keeping, deleteOrders]), facts, personal, { schemas: undefined, ignore: { audit: 'kept ten years by law' } });
    expect(report.uncovered).toEqual([]);
    expect(report.status).toBe('covered');
    expect(report.ignored).toEqual([{ target: 'audit', reason: 'kept ten years by law' }]);
  });

  it('judges each rule on its own: a second anonymize rule on the table must change or keep the column too', () => {
    const other = buildRule({ id: 'users-idle', table: { schema: undefined, name: 'users' }, phases: [buildPhase({ action: 'anonymize', set: [{ column: 'wechat_id', strategy: { kind: 'null' } }] })] });
    const report = checkCoverage(ruleSet([anonymizeUsers, other, deleteOrders]), facts, personal, { schemas: undefined, ignore: { audit: 'law' } });
    expect(report.uncovered.map((item) => [`${item.table}.${item.column}`, item.rules.map((rule) => rule.id)])).toEqual([
      ['users.phone', ['users-idle']],
      ['users.status', ['users-idle']],
      ['users.wechat_id', ['users-closed']],
    ]);
  });
});
