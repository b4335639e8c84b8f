import { describe, expect, it } from 'vitest';
import type { TableInfo } from '../../../src/catalog/types.js';
import type { PlannedRule } from '../../../src/plan/types.js';
import type { ExportTable } from '../../../src/requests/build-export-plan.js';
import { buildExportCountStatement, buildExportRowsStatement } from '../../../src/requests/build-export-statements.js';
import { buildRule } from '../../support/rule-builders.js';

function table(name: string, kind: TableInfo['kind'] = 'table'): TableInfo {
  const columns = new Map(['id', 'user_id', 'ip'].map((column) => [column, { name: column, type: 'bigint', category: 'N', baseType: 'int8', notNull: false }]));
  return { schema: 'public', name, qualified: `"public"."${name}"`, kind, columns, primaryKey: ['id'], indexes: [], referencedBy: [], references: [], estimatedRows: 0 };
}

function planned(rule: ReturnType<typeof buildRule>, info: TableInfo): PlannedRule {
  return { rule, table: info, key: [{ name: 'id', type: 'bigint' }], cascades: [], phases: [], holdsSubjects: undefined };
}

function entry(info: TableInfo, rules: ReturnType<typeof buildRule>[]): ExportTable {
  return { table: info, name: info.name, category: 'device-logs', rules: rules.map((rule) => rule.id), sources: rules.map((rule) => ({ planned: planned(rule, info), cascade: undefined })), columns: ['id', 'user_id'], omitted: ['ip'], included: true };
}

describe('export statements', () => {
  it('select a table one rule reaches by its subject, bound as $1, and only the exported columns, as JSON made by the server', () => {
    const statement = buildExportRowsStatement(entry(table('device_logs'), [buildRule()]), '4711');
    expect(statement.values).toEqual(['4711']);
    expect(statement.text).toContain('SELECT "device_logs"."id", "device_logs"."user_id" FROM "public"."device_logs"');
    expect(statement.text).toMatch(/WHERE \(\ndevice_logs\.user_id\n\) = \$1\nORDER BY "device_logs"\."id"/);
    expect(statement.text).toMatch(/^SELECT row_to_json\(lethe_row\)::text AS row FROM \(/);
    expect(statement.text).not.toContain('4711');
    expect(statement.text).not.toContain('"ip"');
  });

  it('read a table several rules (or a join) reach once, by row position, the union of their selections', () => {
    const joined = buildRule({ id: 'by-account', join: 'JOIN users ON users.id = device_logs.user_id', subject: 'users.id' });
    const statement = buildExportCountStatement(entry(table('device_logs'), [buildRule(), joined]), '4711');
    expect(statement.text).toContain('WHERE "device_logs"."ctid" = ANY(ARRAY(\nSELECT "device_logs"."ctid" FROM "public"."device_logs"\nWHERE');
    expect(statement.text).toContain('\nUNION\nSELECT "device_logs"."ctid" FROM "public"."device_logs"\nJOIN users ON users.id = device_logs.user_id\n');
    expect(statement.values).toEqual(['4711']);
  });

  it('name rows of a partitioned table by partition and position', () => {
    const joined = buildRule({ id: 'by-account', join: 'JOIN users ON users.id = device_logs.user_id', subject: 'users.id' });
    const statement = buildExportCountStatement(entry(table('device_logs', 'partitioned'), [joined]), '1');
    expect(statement.text).toContain('WHERE ("device_logs"."tableoid", "device_logs"."ctid") IN (\nSELECT "device_logs"."tableoid", "device_logs"."ctid" FROM');
  });
});
