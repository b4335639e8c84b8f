import { describe, expect, it } from 'vitest';
import type { TableInfo } from '../../../src/catalog/types.js';
import type { PlannedRule } from '../../../src/plan/types.js';
import { buildFoundSubjectsStatement, buildKeptByWhereStatement } from '../../../src/sql/build-erase-statements.js';
import { buildSelectBatchStatement } from '../../../src/sql/build-statements.js';
import { buildPhase, buildRule } from '../../support/rule-builders.js';

function deviceLogs(): TableInfo {
  const columns = new Map([
    ['id', { name: 'id', type: 'bigint', category: 'N', baseType: 'int8', notNull: true }],
    ['user_id', { name: 'user_id', type: 'bigint', category: 'N', baseType: 'int8', notNull: false }],
  ]);
  return { schema: 'public', name: 'device_logs', qualified: '"public"."device_logs"', kind: 'table', columns, primaryKey: ['id'], indexes: [], referencedBy: [], references: [], estimatedRows: 10 } as TableInfo;
}

function erasing(overrides: Parameters<typeof buildRule>[0], type: string | undefined): PlannedRule {
  const rule = buildRule({ ...overrides, phases: [buildPhase({ after: { text: 'request', amount: 0, unit: 'd' } })] });
  return {
    rule,
    table: deviceLogs(),
    key: [{ name: 'id', type: 'bigint' }],
    cascades: [],
    holdsSubjects: 'SELECT user_id FROM legal_holds',
    phases: [{ phase: rule.phases[0]!, walk: 'key', cutoff: new Date(0), olderBound: undefined, changes: [], markInfo: undefined, subjects: { values: ['5', '7'], type } }],
  };
}

describe('erasure statements', () => {
  it("select the people's rows by one bound array in the subject's type, never by the clock, holds repeated", () => {
    const planned = erasing({ where: "device_logs.source <> 'internal'" }, 'bigint');
    const statement = buildSelectBatchStatement(planned, planned.phases[0]!, undefined, ['100'], 500);
    expect(statement.text).toContain('device_logs.user_id\n) = ANY($1::bigint[])');
    expect(statement.text).not.toContain('created_at');
    expect(statement.text).toContain("device_logs.source <> 'internal'");
    expect(statement.text).toContain('SELECT user_id FROM legal_holds');
    expect(statement.values[0]).toEqual(['5', '7']);
  });

  it('compare as text when the subject is an expression of unknown type', () => {
    const planned = erasing({ subject: 'lower(device_logs.user_id::text)' }, undefined);
    const statement = buildSelectBatchStatement(planned, planned.phases[0]!, undefined, ['100'], 500);
    expect(statement.text).toMatch(/\)::text = ANY\(\$1::text\[\]\)/);
  });

  it("count the rows a rule's where leaves out, and find which ids have rows, set-based", () => {
    const planned = erasing({ where: "device_logs.source <> 'internal'" }, 'bigint');
    expect(buildKeptByWhereStatement(planned, planned.phases[0]!.subjects!).text).toMatch(/AND NOT coalesce\(\(\ndevice_logs\.source <> 'internal'\n\), false\)/);
    const found = buildFoundSubjectsStatement(planned, planned.phases[0]!.subjects!);
    expect(found.text).toContain('FROM unnest($1::text[]) AS lethe_v(v)');
    expect(found.text).toContain('= lethe_v.v::bigint');
    expect(found.values).toEqual([['5', '7']]);
  });
});
