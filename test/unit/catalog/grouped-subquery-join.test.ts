import { describe, expect, it } from 'vitest';
import { checkJoinFanOut } from '../../../src/catalog/check-join-fan-out.js';
import type { Catalog, TableInfo } from '../../../src/catalog/types.js';
import { buildRule } from '../../support/rule-builders.js';

const target: TableInfo = { schema: 'public', name: 'Customer', qualified: '"public"."Customer"', kind: 'table', columns: new Map(), primaryKey: ['CustomerId'], indexes: [], referencedBy: [], references: [], estimatedRows: 0 };
const catalog: Catalog = { serverVersion: 150000, hasPgcrypto: false, tables: new Map([['Customer', target]]) };

function problemsFor(join: string): string[] {
  const found: string[] = [];
  checkJoinFanOut(buildRule({ table: { schema: undefined, name: 'Customer' }, join }), target, catalog, (severity, check) => found.push(`${severity} ${check}`));
  return found;
}

const ACTIVITY = `(SELECT "CustomerId", max("InvoiceDate") AS "LastInvoice" FROM "Invoice" GROUP BY "CustomerId") AS activity`;

describe('a join to an aggregate (a clock derived from other rows)', () => {
  it.each([
    [`JOIN ${ACTIVITY} ON activity."CustomerId" = "Customer"."CustomerId"`],
    [`LEFT JOIN (SELECT "CustomerId" AS who, "StoreId", max(at) AS last FROM visits GROUP BY "CustomerId", "StoreId") v ON v.who = "Customer"."CustomerId" AND v."StoreId" = "Customer"."StoreId"`],
  ])('accepts %s: grouped by exactly the columns the ON pins', (join) => {
    expect(problemsFor(join)).toEqual([]);
  });

  it.each([
    [`JOIN (SELECT "CustomerId", "StoreId", max(at) AS last FROM visits GROUP BY "CustomerId", "StoreId") v ON v."CustomerId" = "Customer"."CustomerId"`],
    [`JOIN (SELECT max(at) AS last FROM visits GROUP BY "CustomerId") v ON true`],
    [`JOIN (SELECT "CustomerId", max(at) AS last FROM visits GROUP BY ROLLUP ("CustomerId")) v ON v."CustomerId" = "Customer"."CustomerId"`],
  ])('refuses %s', (join) => {
    expect(problemsFor(join)).toEqual(['error join-fan-out']);
  });
});
