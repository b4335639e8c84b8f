import { tableKey } from '../catalog/read-catalog.js';
import type { Catalog, TableInfo } from '../catalog/types.js';
import { readBareColumn } from '../rules/parse-fragment.js';
import type { Rule } from '../rules/types.js';

/** The table a kind of person lives in (`users`), and the column naming them (`id`). */
export interface SubjectTable {
  table: TableInfo;
  column: string;
}

/**
 * Pure: where the people the rules' subjects name live. A subject column that is a
 * foreign key (`device_logs.user_id`) names the row it references (`users.id`); any
 * other column names its own table's row (`users.id`). A subject that is not a plain
 * column (an expression) names no table and is skipped. Needs the fragment parser loaded.
 */
export function findSubjectTables(rules: readonly Rule[], catalog: Catalog): SubjectTable[] {
  const found = new Map<string, SubjectTable>();
  const byQualified = new Map([...catalog.tables.values()].map((info) => [info.qualified, info]));
  for (const rule of rules) {
    if (!rule.subject) continue;
    const bare = readBareColumn(rule.subject);
    const own = catalog.tables.get(tableKey(rule.table));
    if (!bare || !own) continue;
    const owner = bare.table === undefined || bare.table === own.name ? own : [...catalog.tables.values()].find((info) => info.name === bare.table);
    if (!owner || !owner.columns.has(bare.column)) continue;
    const reference = owner.references.find((fk) => fk.columns.length === 1 && fk.columns[0] === bare.column);
    const target = reference ? byQualified.get(reference.referencedTable) : owner;
    const column = reference ? reference.referencedColumns[0]! : bare.column;
    if (target && !found.has(target.qualified)) found.set(target.qualified, { table: target, column });
    // A referenced table the catalog did not read is still named by its foreign key.
    if (reference && !target && !found.has(reference.referencedTable)) {
      found.set(reference.referencedTable, { table: stubTable(reference.referencedTable), column });
    }
  }
  return [...found.values()];
}

function stubTable(qualified: string): TableInfo {
  const [schema, name] = qualified.split('.').map((part) => part.replace(/^"|"$/g, '').replace(/""/g, '"')) as [string, string];
  return { schema, name, qualified, kind: 'table', columns: new Map(), primaryKey: undefined, indexes: [], referencedBy: [], references: [], estimatedRows: 0 };
}
