import { describe, expect, it } from 'vitest';
import { describeGap } from '../../../src/check/read-missing-privileges.js';
import { listTableNeeds } from '../../../src/check/required-privileges.js';
import type { Catalog, TableInfo } from '../../../src/catalog/types.js';
import { DEFAULT_BATCH, DEFAULT_GUARD, type RuleSet } from '../../../src/rules/types.js';
import { buildPhase, buildRule } from '../../support/rule-builders.js';

function ruleSetOf(rules: RuleSet['rules']): RuleSet {
  return { rules, holds: { subjects: 'SELECT user_id FROM legal_holds', kinds: { subjects: 'SELECT user_id FROM legal_holds' } }, defaults: { batch: DEFAULT_BATCH, timezone: 'UTC', guard: DEFAULT_GUARD }, files: [] };
}

function catalogWith(kinds: Record<string, TableInfo['kind']>): Catalog {
  return { serverVersion: 150000, hasPgcrypto: false, tables: new Map(Object.entries(kinds).map(([name, kind]) => [name, { kind } as TableInfo])) };
}

const anonymize = buildPhase({ index: 1, after: { text: '30d', amount: 30, unit: 'd' }, action: 'anonymize', set: [{ column: 'ip', strategy: { kind: 'null' } }], mark: 'anonymized_at' });

describe('privileges a rule needs', () => {
  it('a run: SELECT and DELETE on the table, UPDATE on the written columns, SELECT on what fragments and holds read', () => {
    const rule = buildRule({ join: 'JOIN users ON users.id = device_logs.user_id', phases: [buildPhase(), anonymize] });
    const needs = listTableNeeds(ruleSetOf([rule]), catalogWith({ device_logs: 'table' }), 'write');
    expect(needs.map((need) => [need.table.name, need.select, need.delete, need.updateColumns, need.updateAnyColumn, need.owner])).toEqual([
      ['device_logs', true, true, ['ip', 'anonymized_at'], true, false],
      ['users', true, false, [], false, false],
      ['legal_holds', true, false, [], false, false],
    ]);
  });

  it('a plan: SELECT only', () => {
    const needs = listTableNeeds(ruleSetOf([buildRule({ phases: [buildPhase(), anonymize] })]), catalogWith({ device_logs: 'table' }), 'read');
    expect(needs.every((need) => !need.delete && need.updateColumns.length === 0 && !need.updateAnyColumn)).toBe(true);
  });

  it('cascade tables are read, locked and deleted from; a partitioned table whose partitions may be dropped needs its owner', () => {
    const rule = buildRule({ cascade: [{ table: { schema: undefined, name: 'sessions' }, subject: undefined, subjectKind: undefined, children: [], path: ['cascade', 0] }] });
    const needs = listTableNeeds(ruleSetOf([rule]), catalogWith({ device_logs: 'partitioned' }), 'write');
    expect(needs.find((need) => need.table.name === 'sessions')).toMatchObject({ select: true, delete: true, updateAnyColumn: true });
    expect(needs.find((need) => need.table.name === 'device_logs')?.owner).toBe(true);
    const deleting = listTableNeeds(ruleSetOf([{ ...rule, partitions: 'delete' }]), catalogWith({ device_logs: 'partitioned' }), 'write');
    expect(deleting.find((need) => need.table.name === 'device_logs')?.owner).toBe(false);
  });
});

describe('the GRANT that fixes a gap', () => {
  const need = { ruleId: 'r', table: { schema: undefined, name: 't' }, select: true, delete: true, updateColumns: ['ip'], updateAnyColumn: true, owner: false, why: ["the rule's table"] };
  const facts = { qualified: 'public.t', can_select: true, can_delete: false, can_update_any: false, is_owner: false, cannot_update: ['ip'], first_column: 'id' };

  it('is one GRANT per table, column-level for UPDATE', () => {
    expect(describeGap(need, facts, 'lethe_runner')?.grant).toBe('GRANT DELETE, UPDATE (ip) ON public.t TO lethe_runner;');
  });

  it('a delete-only rule gets UPDATE on the first key column, for row locks', () => {
    const gap = describeGap({ ...need, updateColumns: [] }, { ...facts, cannot_update: [] }, 'lethe_runner');
    expect(gap?.grant).toBe('GRANT DELETE, UPDATE (id) ON public.t TO lethe_runner;');
    expect(gap?.why).toContain('row locks');
  });

  it('nothing when the role has it all; quoted names stay quoted', () => {
    expect(describeGap(need, { ...facts, can_delete: true, can_update_any: true, cannot_update: [] }, 'lethe_runner')).toBeUndefined();
    expect(describeGap({ ...need, delete: false }, { ...facts, cannot_update: ['Ip'] }, '"Runner"')?.grant).toBe('GRANT UPDATE ("Ip") ON public.t TO "Runner";');
  });
});
