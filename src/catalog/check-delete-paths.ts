import type { Rule, Severity } from '../rules/types.js';
import { quoteIdent } from '../sql/quote.js';
import type { Catalog, ForeignKeyInfo, TableInfo } from './types.js';

type Report = (severity: Severity, check: string, path: (string | number)[], message: string) => void;

/**
 * What a delete reaches, beyond whether it may: rows of the table itself that
 * point at a deleted row, foreign keys the database must check with a scan,
 * and partitions that lack the foreign key their siblings have.
 */
export function checkDeletePaths(rule: Rule, table: TableInfo, catalog: Catalog, report: Report): void {
  if (!rule.phases.some((phase) => phase.action === 'delete')) return;
  checkSelfReference(rule, table, report);
  const byQualified = new Map([...catalog.tables.values()].map((info) => [info.qualified, info]));
  const seen = new Set<string>();
  const queue = [table];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    if (seen.has(parent.qualified)) continue;
    seen.add(parent.qualified);
    for (const fk of parent.referencedBy) {
      const child = byQualified.get(fk.table);
      if (!child) continue;
      if (!isIndexed(child, fk)) report('warning', 'foreign-key-not-indexed', ['table'], unindexedMessage(parent, child, fk));
      // SET NULL / SET DEFAULT update the child; every other action deletes it (or refuses, reported elsewhere).
      if (fk.onDelete !== 'n' && fk.onDelete !== 'd') queue.push(child);
    }
    checkPartitionsMissingKey(parent, byQualified, report);
  }
}

/** A row that another row of the same table points at cannot go first unless the key says what happens to the other. */
function checkSelfReference(rule: Rule, table: TableInfo, report: Report): void {
  // Listing the table in its own cascade is the rule saying how its descendants go.
  if (rule.cascade.some((node) => node.table.name === table.name)) return;
  for (const fk of table.referencedBy) {
    if (fk.table !== table.qualified || fk.onDelete === 'c' || fk.onDelete === 'n' || fk.onDelete === 'd') continue;
    report(
      'error',
      'self-reference',
      ['table'],
      `${table.qualified}.${fk.columns.join(',')} references its own table (${fk.name}) without ON DELETE CASCADE or SET NULL: deleting a row another row points at fails mid-batch; change the foreign key (ON DELETE SET NULL or CASCADE)`,
    );
  }
}

function isIndexed(child: TableInfo, fk: ForeignKeyInfo): boolean {
  const wanted = new Set(fk.columns);
  const leads = (columns: string[]) => columns.length >= wanted.size && columns.slice(0, wanted.size).every((column) => wanted.has(column));
  return (child.primaryKey !== undefined && leads(child.primaryKey)) || child.indexes.some((index) => !index.partial && leads(index.columns));
}

function unindexedMessage(parent: TableInfo, child: TableInfo, fk: ForeignKeyInfo): string {
  const columns = fk.columns.map(quoteIdent).join(', ');
  const statement =
    child.kind === 'partitioned'
      ? `CREATE INDEX ON ${child.qualified} (${columns}); (a partitioned table: or CREATE INDEX ON ONLY, then CONCURRENTLY per partition and ATTACH)`
      : `CREATE INDEX CONCURRENTLY ON ${child.qualified} (${columns});`;
  return `no index on ${child.qualified} (${fk.columns.join(', ')}) for foreign key ${fk.name}: each deleted ${parent.qualified} row scans ${child.qualified}. Add: ${statement}`;
}

/** Partitions referencing `parent` by one foreign key each: a partition without it keeps rows that point at deleted ones. */
function checkPartitionsMissingKey(parent: TableInfo, _byQualified: Map<string, TableInfo>, report: Report): void {
  // A key declared on partitions is read as the partitioned table's, with the partitions that have it.
  for (const fk of parent.referencedBy) {
    if (!fk.partitions) continue;
    const having = new Set(fk.partitions.declaredOn);
    for (const sibling of fk.partitions.all.filter((name) => !having.has(name))) {
      report('warning', 'partition-missing-foreign-key', ['table'], `partition ${sibling} of ${fk.table} has no foreign key to ${parent.qualified}, while ${[...having].join(', ')} do: deleting ${parent.qualified} rows leaves its rows pointing at nothing, and no cascade reaches them. Add the foreign key to ${sibling}`);
    }
  }
}
