import type { SqlClient } from '../db/sql-client.js';
import type { ColumnFacts } from './types.js';

export interface ForeignKeyFacts {
  table: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  /** a: no action, r: restrict, c: cascade, n: set null, d: set default */
  onDelete: string;
}

export interface TableFacts {
  /** As a rule would write it: `users`, or `analytics.events` outside the first schema of the search path. */
  name: string;
  schema: string;
  /** The table's own name, unqualified. */
  relname: string;
  /** May this role SELECT from it (for --sample)? */
  readable: boolean;
  comment: string | undefined;
  primaryKey: string[];
  /** Column sets of unique constraints and unique indexes (the primary key included). */
  unique: string[][];
  columns: ColumnFacts[];
}

export interface SchemaFacts {
  /** current_schemas(false): where an unqualified table name is looked up. */
  searchPath: string[];
  tables: TableFacts[];
  foreignKeys: ForeignKeyFacts[];
}

/**
 * Every ordinary and partitioned table of the user schemas (partitions left out: their root
 * stands for them), in three catalog queries. Names, types and comments only: no value.
 */
export async function readSchemaFacts(client: SqlClient, options: { schemas?: string[] | undefined; skipSchemas?: string[] } = {}): Promise<SchemaFacts> {
  const filter = `n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
      and not (n.nspname = any($2::text[]))
      and ($1::text[] is null or n.nspname = any($1::text[]))
      and c.relkind in ('r', 'p') and not c.relispartition`;
  const params = [options.schemas ?? null, options.skipSchemas ?? []];
  const name = `case when n.nspname = (current_schemas(false))[1] then c.relname else n.nspname || '.' || c.relname end`;
  const columns = await client.query<{ tablename: string; schema: string; relname: string; readable: boolean; tablecomment: string | null; column: string; type: string; category: string; base: string; comment: string | null; notnull: boolean }>(
    `select ${name} as tablename, n.nspname as schema, c.relname, has_table_privilege(c.oid, 'SELECT') as readable, obj_description(c.oid, 'pg_class') as tablecomment,
            a.attname as column, format_type(a.atttypid, a.atttypmod) as type,
            coalesce(bt.typcategory, t.typcategory) as category, coalesce(bt.typname, t.typname) as base,
            col_description(c.oid, a.attnum) as comment, a.attnotnull as notnull
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
       join pg_type t on t.oid = a.atttypid
       left join pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
      where ${filter}
      order by n.nspname, c.relname, a.attnum`,
    params,
  );
  const keys = await client.query<{ tablename: string; primary: boolean; columns: string[] }>(
    `select ${name} as tablename, i.indisprimary as primary,
            array(select a.attname from unnest(i.indkey) with ordinality k(attnum, ord)
                   join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum order by k.ord)::text[] as columns
       from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
      where i.indisunique and i.indpred is null and i.indexprs is null and ${filter}`,
    params,
  );
  const foreignKeys = await client.query<{ tablename: string; columns: string[]; refname: string; refcolumns: string[]; ondelete: string }>(
    `select ${name} as tablename,
            case when rn.nspname = (current_schemas(false))[1] then rc.relname else rn.nspname || '.' || rc.relname end as refname,
            array(select a.attname from unnest(con.conkey) with ordinality k(attnum, ord)
                   join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.ord)::text[] as columns,
            array(select a.attname from unnest(con.confkey) with ordinality k(attnum, ord)
                   join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.ord)::text[] as refcolumns,
            con.confdeltype as ondelete
       from pg_constraint con
       join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_class rc on rc.oid = con.confrelid join pg_namespace rn on rn.oid = rc.relnamespace
      where con.contype = 'f' and con.conparentid = 0 and ${filter}
      order by 1, con.conname`,
    params,
  );
  const tables = new Map<string, TableFacts>();
  for (const row of columns.rows) {
    const table = tables.get(row.tablename) ?? { name: row.tablename, schema: row.schema, relname: row.relname, readable: row.readable, comment: row.tablecomment ?? undefined, primaryKey: [], unique: [], columns: [] };
    table.columns.push({ table: row.tablename, schema: row.schema, column: row.column, type: row.type, category: row.category, baseType: row.base, comment: row.comment ?? undefined, notNull: row.notnull });
    tables.set(row.tablename, table);
  }
  for (const key of keys.rows) {
    const table = tables.get(key.tablename);
    if (!table) continue;
    table.unique.push(key.columns);
    if (key.primary) table.primaryKey = key.columns;
  }
  const searchPath = await client.query<{ schemas: string[] }>(`select current_schemas(false)::text[] as schemas`);
  return {
    searchPath: searchPath.rows[0]?.schemas ?? [],
    tables: [...tables.values()],
    foreignKeys: foreignKeys.rows.map((row) => ({ table: row.tablename, columns: row.columns, referencedTable: row.refname, referencedColumns: row.refcolumns, onDelete: row.ondelete })),
  };
}

/** The table a rule names: `users` through the search path, `analytics.events` by its schema. */
export function findTableFacts(facts: SchemaFacts, table: { schema: string | undefined; name: string }): TableFacts | undefined {
  if (table.schema !== undefined) return facts.tables.find((candidate) => candidate.schema === table.schema && candidate.relname === table.name);
  for (const schema of facts.searchPath) {
    const found = facts.tables.find((candidate) => candidate.schema === schema && candidate.relname === table.name);
    if (found) return found;
  }
  return undefined;
}
