import type { SqlClient } from '../db/sql-client.js';
import type { SubjectTable } from './find-subject-tables.js';

/** A column that points at a subject table: by a declared foreign key, or only by its name. */
export interface SubjectReference {
  /** Qualified as the catalog does: `"public"."device_logs"`. */
  table: string;
  schema: string;
  name: string;
  column: string;
  /** The subject table it points at, qualified. */
  references: string;
  via: 'foreign-key' | 'name';
}

/** `"schema"."name"`, always quoted, as the catalog names tables. */
const qualifiedSql = (namespace: string, relation: string) =>
  `'"' || replace(${namespace}.nspname, '"', '""') || '"."' || replace(${relation}.relname, '"', '""') || '"'`;

/**
 * Every column of the database that references a subject table: single-column foreign keys
 * from the catalog, and columns named like one (`user_id`, `users_id` for `users.id`) that
 * have no foreign key. Partitions are named by their partitioned table; Lethe's own schema
 * and the system schemas are left out. Read-only.
 */
export async function readSubjectReferences(client: SqlClient, subjects: SubjectTable[], stateSchema: string): Promise<SubjectReference[]> {
  if (subjects.length === 0) return [];
  const qualified = subjects.map((subject) => subject.table.qualified);
  const byForeignKey = await client.query<Omit<SubjectReference, 'via'>>(
    `SELECT ${qualifiedSql('n', 'c')} AS table, n.nspname AS schema, c.relname AS name, a.attname AS column, ${qualifiedSql('rn', 'rc')} AS references
     FROM pg_constraint k
     JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_class rc ON rc.oid = k.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
     JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
     WHERE k.contype = 'f' AND cardinality(k.conkey) = 1 AND NOT c.relispartition
       AND ${qualifiedSql('rn', 'rc')} = ANY($1::text[])
     ORDER BY 1, 4`,
    [qualified],
  );
  const names = subjects.flatMap((subject) => columnNamesFor(subject).map((column) => ({ column, references: subject.table.qualified })));
  const byName = await client.query<Omit<SubjectReference, 'via' | 'references'>>(
    `SELECT ${qualifiedSql('n', 'c')} AS table, n.nspname AS schema, c.relname AS name, a.attname AS column
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
       AND a.attname = ANY($1::text[])
       AND n.nspname <> ALL($2::text[]) AND n.nspname NOT LIKE 'pg\\_%'
     ORDER BY 1, 4`,
    [[...new Set(names.map((name) => name.column))], ['information_schema', stateSchema]],
  );
  const declared = new Set(byForeignKey.rows.map((row) => `${row.table}\0${row.column}`));
  const references: SubjectReference[] = byForeignKey.rows.map((row) => ({ ...row, via: 'foreign-key' }));
  for (const row of byName.rows) {
    if (declared.has(`${row.table}\0${row.column}`)) continue;
    const target = names.find((name) => name.column === row.column)!.references;
    if (row.table !== target) references.push({ ...row, references: target, via: 'name' });
  }
  return references;
}

/** `users.id` -> user_id, users_id; `customer.customer_id` -> customer_id. */
export function columnNamesFor(subject: SubjectTable): string[] {
  const name = subject.table.name.toLowerCase();
  const singular = name.endsWith('ies') ? `${name.slice(0, -3)}y` : name.endsWith('s') && !name.endsWith('ss') ? name.slice(0, -1) : name;
  const column = subject.column.toLowerCase();
  if (column.startsWith(`${singular}_`) || column.startsWith(`${name}_`)) return [column];
  return [...new Set([`${singular}_${column}`, `${name}_${column}`])];
}
