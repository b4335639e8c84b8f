import { describe, expect, it } from 'vitest';
import { checkJoinFanOut } from '../../../src/catalog/check-join-fan-out.js';
import type { Catalog, IndexInfo, TableInfo } from '../../../src/catalog/types.js';
import { buildRule } from '../../support/rule-builders.js';

function table(name: string, primaryKey: string[] | undefined, indexes: Partial<IndexInfo>[] = []): TableInfo {
  return {
    schema: 'public',
    name,
    qualified: `"public"."${name}"`,
    kind: 'table',
    columns: new Map(),
    primaryKey,
    indexes: indexes.map((index) => ({ name: `${name}_idx`, columns: [], unique: false, partial: false, definition: '', ...index })),
    referencedBy: [],
    references: [],
    estimatedRows: 0,
  };
}

const target = table('rental', ['id']);
const catalog: Catalog = {
  serverVersion: 150000,
  hasPgcrypto: false,
  tables: new Map([
    ['rental', target],
    ['customer', table('customer', ['id'])],
    ['note', table('note', ['id'])],
    ['store_staff', table('store_staff', undefined, [{ columns: ['store_id', 'staff_id'], unique: true }])],
    ['tagged', table('tagged', undefined, [{ columns: ['customer_id'], unique: true, partial: true }])],
  ]),
};

function problemsFor(join: string): string[] {
  const found: string[] = [];
  checkJoinFanOut(buildRule({ table: { schema: undefined, name: 'rental' }, join }), target, catalog, (severity, check) => found.push(`${severity} ${check}`));
  return found;
}

describe('a join that may match several rows per target row', () => {
  it.each([
    ['JOIN customer ON customer.id = rental.customer_id'],
    ['JOIN customer c ON c.id = rental.customer_id'],
    ['LEFT JOIN customer ON rental.customer_id = customer.id AND customer.active'],
    ['JOIN customer USING (id)'],
    ['JOIN store_staff ON store_staff.store_id = rental.store_id AND store_staff.staff_id = rental.staff_id'],
    ['JOIN customer ON customer.id = rental.customer_id JOIN note ON note.id = rental.note_id'],
  ])('accepts %s: every joined table is matched on a whole unique key', (join) => {
    expect(problemsFor(join)).toEqual([]);
  });

  it.each([
    ['JOIN note ON note.customer_id = rental.customer_id'],
    ['JOIN store_staff ON store_staff.store_id = rental.store_id'],
    ['JOIN customer ON customer.id = rental.customer_id OR customer.id = rental.payer_id'],
    ['JOIN customer ON customer.id > rental.customer_id'],
    ['JOIN tagged ON tagged.customer_id = rental.customer_id'],
    ['JOIN (SELECT id FROM customer) c ON c.id = rental.customer_id'],
    ['JOIN customer ON customer.id = rental.customer_id JOIN note ON note.customer_id = customer.id'],
  ])('refuses %s', (join) => {
    expect(problemsFor(join)).toEqual(['error join-fan-out']);
  });
});
