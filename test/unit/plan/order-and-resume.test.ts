import { describe, expect, it } from 'vitest';
import type { Catalog, ForeignKeyInfo, TableInfo } from '../../../src/catalog/types.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { orderRules } from '../../../src/plan/order-rules.js';
import { applyCheckpoints } from '../../../src/plan/resolve-resume.js';
import { hashRule } from '../../../src/rules/hash-rule.js';
import type { Checkpoint } from '../../../src/state/checkpoints.js';
import { buildPhase, buildRule } from '../../support/rule-builders.js';

function table(name: string, referencedBy: ForeignKeyInfo[] = []): TableInfo {
  const columns = new Map([
    ['id', { name: 'id', type: 'bigint', category: 'N', baseType: 'int8', notNull: true }],
    ['created_at', { name: 'created_at', type: 'timestamp with time zone', category: 'D', baseType: 'timestamptz', notNull: true }],
  ]);
  return { schema: 'public', name, qualified: `"public"."${name}"`, kind: 'table', columns, primaryKey: ['id'], indexes: [], referencedBy, references: [], estimatedRows: 0 };
}

const lines = table('invoice_lines');
const invoices = table('invoices', [{ name: 'fk', table: '"public"."invoice_lines"', columns: ['invoice_id'], referencedTable: '"public"."invoices"', referencedColumns: ['id'], onDelete: 'c' }]);
const customers = table('customers');
const catalog: Catalog = { serverVersion: 150000, hasPgcrypto: false, searchPath: ['public'], tables: new Map([['invoices', invoices], ['invoice_lines', lines], ['customers', customers]]) };

const invoicesRule = buildRule({ id: 'invoices', table: { schema: undefined, name: 'invoices' }, subject: undefined, clock: 'invoices.created_at' });
const customersRule = buildRule({
  id: 'customers',
  table: { schema: undefined, name: 'customers' },
  subject: undefined,
  join: 'JOIN (SELECT customer_id, max(created_at) AS last FROM invoices GROUP BY customer_id) AS activity ON activity.customer_id = customers.id',
  clock: 'activity.last',
  phases: [buildPhase({ action: 'anonymize', set: [{ column: 'created_at', strategy: { kind: 'null' } }] })],
});
const linesRule = buildRule({ id: 'lines', table: { schema: undefined, name: 'invoice_lines' }, subject: undefined, clock: 'invoice_lines.created_at', where: 'EXISTS (SELECT 1 FROM invoices)' });

describe('rule order', () => {
  it('runs the readers of a table before the rules that delete from it, whatever the file order', () => {
    const order = orderRules([invoicesRule, linesRule, customersRule], catalog, undefined);
    expect(order.order).toEqual(['lines', 'customers', 'invoices']);
    expect(order.dependencies).toEqual([
      { before: 'lines', after: 'invoices', reason: 'reads', table: '"public"."invoices"', clock: false },
      { before: 'customers', after: 'invoices', reason: 'reads', table: '"public"."invoices"', clock: true },
    ]);
    expect(order.broken).toEqual([]);
  });

  it('a cycle keeps the file order and names the dependency it breaks', () => {
    const order = orderRules([invoicesRule, { ...customersRule, after: ['invoices'] }], catalog, undefined);
    expect(order.order).toEqual(['invoices', 'customers']);
    expect(order.broken).toEqual([{ before: 'customers', after: 'invoices', reason: 'reads', table: '"public"."invoices"', clock: true }]);
  });
});

describe('an unfinished run in the plan', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  const plan = buildPlan({ rules: [invoicesRule], holds: { subjects: undefined, kinds: {} }, defaults: { batch: invoicesRule.batch, timezone: 'UTC', guard: invoicesRule.guard }, files: [] }, catalog, now);
  const checkpoint = (logicalNow: string, ruleHash = hashRule(invoicesRule, undefined)): Map<string, Checkpoint> =>
    new Map([['invoices', { ruleId: 'invoices', runId: '68cf35a8-0000-0000-0000-000000000000', ruleHash, keyId: null, logicalNow: new Date(logicalNow), highWater: null, highWaterPages: 0, phasePosition: 0, lastKey: null }]]);

  it('is planned with its own now and cutoffs', () => {
    const resumed = applyCheckpoints(plan, checkpoint('2029-12-01T00:00:00Z'), { choice: 'default', explicitNow: false });
    expect(resumed.rules[0]!.resume?.now.toISOString()).toBe('2029-12-01T00:00:00.000Z');
    expect(resumed.rules[0]!.phases[0]!.cutoff.toISOString()).toBe('2029-06-04T00:00:00.000Z');
  });

  it('refuses another --now without --resume or --restart, naming both times', () => {
    expect(() => applyCheckpoints(plan, checkpoint('2029-12-01T00:00:00Z'), { choice: 'default', explicitNow: true })).toThrow(
      "rule 'invoices' has an unfinished run (68cf35a8) with now 2029-12-01T00:00:00.000Z, but --now is 2026-12-01T00:00:00.000Z",
    );
    expect(applyCheckpoints(plan, checkpoint('2026-12-01T00:00:00Z'), { choice: 'default', explicitNow: true }).rules[0]!.resume).toBeDefined();
    expect(applyCheckpoints(plan, checkpoint('2029-12-01T00:00:00Z'), { choice: 'restart', explicitNow: true }).rules[0]!.resume).toBeUndefined();
  });

  it('ignores the checkpoint of a changed rule: the run starts afresh', () => {
    expect(applyCheckpoints(plan, checkpoint('2029-12-01T00:00:00Z', 'other'), { choice: 'default', explicitNow: true }).rules[0]!.resume).toBeUndefined();
  });
});
