import { quoteIdent } from '../sql/quote.js';
import type { ForeignKeyInfo } from './types.js';

/** The referencing and referenced columns of `con` (a pg_constraint row), in key order. */
export const FOREIGN_KEY_COLUMNS_SQL = `array(select a.attname from unnest(con.conkey) with ordinality k(attnum, ord)
                   join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.ord)::text[] as columns,
            array(select a.attname from unnest(con.confkey) with ordinality k(attnum, ord)
                   join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.ord)::text[] as refcolumns`;

export interface ForeignKeyRow {
  name: string;
  schema: string;
  tablename: string;
  columns: string[];
  refschema: string;
  refname: string;
  refcolumns: string[];
  ondelete: string;
}

export function toForeignKeyInfo(row: ForeignKeyRow): ForeignKeyInfo {
  return {
    name: row.name,
    table: `${quoteIdent(row.schema)}.${quoteIdent(row.tablename)}`,
    columns: row.columns,
    referencedTable: `${quoteIdent(row.refschema)}.${quoteIdent(row.refname)}`,
    referencedColumns: row.refcolumns,
    onDelete: row.ondelete as ForeignKeyInfo['onDelete'],
  };
}
