/** What Lethe needs to know about the live database: read once, then used by pure code. */

export interface ColumnInfo {
  name: string;
  /** As format_type() prints it: `bigint`, `timestamp with time zone`, `inet`, `character varying(20)`. */
  type: string;
  /** pg_type.typcategory: N numeric, S string, D date/time, I network, U user (uuid, jsonb), B boolean, A array. */
  category: string;
  /** The base type name (`int8`, `timestamptz`, `jsonb`, `uuid`). */
  baseType: string;
  notNull: boolean;
}

export interface ForeignKeyInfo {
  name: string;
  /** The referencing table, qualified; a partition's key is named by its partitioned root. */
  table: string;
  columns: string[];
  /** The referenced table, qualified. */
  referencedTable: string;
  referencedColumns: string[];
  /** a: no action, r: restrict, c: cascade, n: set null, d: set default */
  onDelete: 'a' | 'r' | 'c' | 'n' | 'd';
}

export interface IndexInfo {
  name: string;
  /** Plain column names in order; an expression index has none. */
  columns: string[];
  unique: boolean;
  partial: boolean;
  definition: string;
}

export interface TableInfo {
  schema: string;
  name: string;
  /** `"schema"."name"` */
  qualified: string;
  kind: 'table' | 'partitioned' | 'view' | 'other';
  columns: Map<string, ColumnInfo>;
  primaryKey: string[] | undefined;
  indexes: IndexInfo[];
  /** Foreign keys of other tables that point at this one. */
  referencedBy: ForeignKeyInfo[];
  /** Foreign keys this table (or any of its partitions) declares. */
  references: ForeignKeyInfo[];
  estimatedRows: number;
}

export interface Catalog {
  serverVersion: number;
  /** Keyed by the name as a rule wrote it (`device_logs`, `analytics.device_logs`). */
  tables: Map<string, TableInfo>;
  hasPgcrypto: boolean;
}
