import { FOREIGN_KEY_COLUMNS_SQL, toForeignKeyInfo, type ForeignKeyRow } from './foreign-key-rows.js';
import type { SqlClient } from '../db/sql-client.js';
import type { TableName } from '../rules/types.js';
import type { Catalog, ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo } from './types.js';
import { quoteIdent } from '../sql/quote.js';
import { writeTableName } from '../rules/identifiers.js';
import { readTableSafetyFacts } from './read-table-safety-facts.js';

export function tableKey(table: TableName): string {
  return table.schema ? `${table.schema}.${table.name}` : table.name;
}

/**
 * Reads what the rules refer to from pg_catalog. Names are resolved the way
 * PostgreSQL would (search_path for unqualified names); missing tables are
 * simply absent from the map, for the checks to report.
 */
export async function readCatalog(client: SqlClient, tables: TableName[]): Promise<Catalog> {
  const version = await client.query<{ v: string }>(`select current_setting('server_version_num') as v`);
  const extension = await client.query(`select 1 from pg_extension where extname = 'pgcrypto'`);
  const searchPath = await client.query<{ schemas: string[] }>(`select current_schemas(false)::text[] as schemas`);
  const map = new Map<string, TableInfo>();
  const spellings = new Map<string, string[]>();
  for (const table of uniqueTables(tables)) {
    const info = await readTable(client, table);
    if (info) map.set(tableKey(table), info);
    else spellings.set(tableKey(table), await readOtherSpellings(client, table));
  }
  // Tables that reference a rule's table, and theirs in turn: needed to check and count cascades.
  const known = new Set([...map.values()].map((info) => info.qualified));
  const queue = [...map.values()];
  for (let depth = 0; queue.length > 0 && depth < 1000; depth++) {
    const info = queue.shift()!;
    for (const fk of info.referencedBy) {
      if (known.has(fk.table)) continue;
      known.add(fk.table);
      const child = await readTable(client, parseQualified(fk.table));
      if (!child) continue;
      map.set(`${child.schema}.${child.name}`, child);
      queue.push(child);
    }
  }
  return {
    serverVersion: Number(version.rows[0]!.v),
    tables: map,
    hasPgcrypto: extension.rows.length > 0,
    searchPath: searchPath.rows[0]?.schemas ?? [],
    otherSpellings: spellings,
  };
}

/** Tables whose name differs from a missing one only in case: `customer` for "Customer". */
async function readOtherSpellings(client: SqlClient, table: TableName): Promise<string[]> {
  const result = await client.query<{ schema: string; name: string; first: string | null }>(
    `select n.nspname as schema, c.relname as name, (current_schemas(false))[1] as first
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where lower(c.relname) = lower($1) and c.relkind in ('r', 'p', 'v', 'm', 'f')
        and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_toast%'
        and ($2::text is null or lower(n.nspname) = lower($2::text))
      order by array_position(current_schemas(false), n.nspname::text), 1, 2
      limit 5`,
    [table.name, table.schema ?? null],
  );
  return result.rows.map((row) => writeTableName(row.schema, row.name, row.first ?? undefined));
}

function uniqueTables(tables: TableName[]): TableName[] {
  const seen = new Map<string, TableName>();
  for (const table of tables) seen.set(tableKey(table), table);
  return [...seen.values()];
}

async function readTable(client: SqlClient, table: TableName): Promise<TableInfo | undefined> {
  const quoted = table.schema ? `${quoteIdent(table.schema)}.${quoteIdent(table.name)}` : quoteIdent(table.name);
  const found = await client.query<{ oid: number; schema: string; name: string; relkind: string; reltuples: number }>(
    // A partitioned table has no rows of its own: its estimate is the sum of its leaves'.
    `select c.oid::int as oid, n.nspname as schema, c.relname as name, c.relkind,
            case when c.relkind = 'p'
                 then (select coalesce(sum(greatest(l.reltuples, 0)), 0) from pg_partition_tree(c.oid) t join pg_class l on l.oid = t.relid where t.isleaf)
                 else c.reltuples end::float8 as reltuples
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = to_regclass($1)`,
    [quoted],
  );
  const row = found.rows[0];
  if (!row) return undefined;
  // One connection answers one query at a time: read in sequence.
  const columns = await readColumns(client, row.oid);
  const primaryKey = await readPrimaryKey(client, row.oid);
  const indexes = await readIndexes(client, row.oid);
  const referencedBy = await readForeignKeys(client, row.oid, 'referencing');
  const references = await readForeignKeys(client, row.oid, 'outgoing');
  const { foreignKeys, checks, triggers, partition } = await readTableSafetyFacts(client, row.oid);
  return {
    schema: row.schema,
    name: row.name,
    qualified: `${quoteIdent(row.schema)}.${quoteIdent(row.name)}`,
    kind: row.relkind === 'r' ? 'table' : row.relkind === 'p' ? 'partitioned' : row.relkind === 'v' || row.relkind === 'm' ? 'view' : 'other',
    columns,
    primaryKey,
    indexes,
    referencedBy,
    references,
    estimatedRows: Math.max(0, row.reltuples),
    foreignKeys,
    checks,
    triggers,
    partition,
  };
}

async function readColumns(client: SqlClient, oid: number): Promise<Map<string, ColumnInfo>> {
  const result = await client.query<{ name: string; type: string; category: string; base: string; notnull: boolean }>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, t.typcategory as category,
            coalesce(bt.typname, t.typname) as base, a.attnotnull as notnull
       from pg_attribute a
       join pg_type t on t.oid = a.atttypid
       left join pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
      where a.attrelid = $1 and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
    [oid],
  );
  return new Map(result.rows.map((column) => [column.name, { name: column.name, type: column.type, category: column.category, baseType: column.base, notNull: column.notnull }]));
}

async function readPrimaryKey(client: SqlClient, oid: number): Promise<string[] | undefined> {
  const result = await client.query<{ columns: string[] }>(
    `select array(select a.attname from unnest(con.conkey) with ordinality k(attnum, ord)
                   join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.ord)::text[] as columns
       from pg_constraint con where con.conrelid = $1 and con.contype = 'p'`,
    [oid],
  );
  return result.rows[0]?.columns;
}

async function readIndexes(client: SqlClient, oid: number): Promise<IndexInfo[]> {
  const result = await client.query<{ name: string; columns: string[]; unique: boolean; partial: boolean; definition: string; hasexpr: boolean }>(
    `select ic.relname as name, i.indisunique as unique, i.indpred is not null as partial,
            i.indexprs is not null as hasexpr, pg_get_indexdef(i.indexrelid) as definition,
            array(select a.attname from unnest(i.indkey) with ordinality k(attnum, ord)
                   join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum order by k.ord)::text[] as columns
       from pg_index i join pg_class ic on ic.oid = i.indexrelid
      where i.indrelid = $1 and i.indisvalid`,
    [oid],
  );
  return result.rows.map((index) => ({ name: index.name, columns: index.hasexpr ? [] : index.columns, unique: index.unique, partial: index.partial, definition: index.definition }));
}

/**
 * Foreign keys that point at the table (or, `outgoing`, that the table declares), with a key
 * declared on the partitions of a partitioned table named by that table's root: the same key
 * on every partition becomes one, so a rule never depends on partition names.
 */
async function readForeignKeys(client: SqlClient, oid: number, direction: 'referencing' | 'outgoing'): Promise<ForeignKeyInfo[]> {
  const side = direction === 'referencing' ? 'con.confrelid' : 'coalesce(pg_partition_root(con.conrelid), con.conrelid)';
  const result = await client.query<ForeignKeyRow & { declaredon: string | null; partitions: string[] | null }>(
    `select con.conname as name,
            n.nspname as schema, c.relname as tablename,
            case when con.conrelid <> c.oid then '"' || replace(dn.nspname, '"', '""') || '"."' || replace(dc.relname, '"', '""') || '"' end as declaredon,
            case when con.conrelid <> c.oid then array(select '"' || replace(sn.nspname, '"', '""') || '"."' || replace(sc.relname, '"', '""') || '"'
                    from pg_partition_tree(c.oid) t join pg_class sc on sc.oid = t.relid join pg_namespace sn on sn.oid = sc.relnamespace
                   where t.isleaf order by 1)::text[] end as partitions,
            rn.nspname as refschema, rc.relname as refname,
            ${FOREIGN_KEY_COLUMNS_SQL},
            con.confdeltype as ondelete
       from pg_constraint con
       join pg_class c on c.oid = coalesce(pg_partition_root(con.conrelid), con.conrelid) join pg_namespace n on n.oid = c.relnamespace
       join pg_class dc on dc.oid = con.conrelid join pg_namespace dn on dn.oid = dc.relnamespace
       join pg_class rc on rc.oid = coalesce(pg_partition_root(con.confrelid), con.confrelid) join pg_namespace rn on rn.oid = rc.relnamespace
      where ${side} = $1::oid and con.contype = 'f' and con.conparentid = 0
      order by con.oid`,
    [oid],
  );
  const merged = new Map<string, ForeignKeyInfo>();
  for (const fk of result.rows) {
    const info: ForeignKeyInfo = {
      ...toForeignKeyInfo(fk),
      ...(fk.declaredon && fk.partitions ? { partitions: { declaredOn: [fk.declaredon], all: fk.partitions } } : {}),
    };
    const key = JSON.stringify([info.table, info.columns, info.referencedTable, info.referencedColumns]);
    const seen = merged.get(key);
    const declaredOn = [...(seen?.partitions?.declaredOn ?? []), ...(info.partitions?.declaredOn ?? [])];
    merged.set(key, seen ? { ...seen, onDelete: strictestOnDelete(seen.onDelete, info.onDelete), ...(seen.partitions ? { partitions: { ...seen.partitions, declaredOn } } : {}) } : info);
  }
  return [...merged.values()];
}

/** Partitions may disagree: a delete must be safe for the strictest. */
function strictestOnDelete(a: ForeignKeyInfo['onDelete'], b: ForeignKeyInfo['onDelete']): ForeignKeyInfo['onDelete'] {
  const order: ForeignKeyInfo['onDelete'][] = ['r', 'a', 'd', 'n', 'c'];
  return order.indexOf(a) <= order.indexOf(b) ? a : b;
}

/** `"schema"."name"` (as quoteIdent writes it) back into its parts. */
function parseQualified(qualified: string): TableName {
  const match = /^"((?:[^"]|"")*)"\."((?:[^"]|"")*)"$/.exec(qualified);
  if (!match) throw new Error(`not a qualified name: ${qualified}`);
  return { schema: match[1]!.replace(/""/g, '"'), name: match[2]!.replace(/""/g, '"') };
}
