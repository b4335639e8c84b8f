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
  /** Declared on partitions of `table` rather than on it: which partitions have it, of all its leaf partitions. */
  partitions?: { declaredOn: string[]; all: string[] };
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
  /** This table's own foreign keys (inherited ones of a partition included). */
  foreignKeys?: ForeignKeyInfo[];
  /** CHECK constraints and the columns they name. */
  checks?: { name: string; columns: string[]; definition: string }[];
  /** User triggers (not those behind foreign keys). */
  triggers?: TriggerInfo[];
  /** Set when this table is a partition: its parent and every partition of that parent, itself included. */
  partition?: { parent: string; siblings: string[] };
}

export interface TriggerInfo {
  name: string;
  timing: 'before' | 'after' | 'instead';
  /** Fires on UPDATE, for each row. */
  rowUpdate: boolean;
  functionName: string;
  /** The trigger function's source text (empty for C functions). */
  functionSource: string;
}

export interface Catalog {
  serverVersion: number;
  /** Keyed by the name as a rule wrote it (`device_logs`, `analytics.device_logs`). */
  tables: Map<string, TableInfo>;
  hasPgcrypto: boolean;
  /** current_schemas(false): a hint names a table without its schema only when that schema is the first. */
  searchPath?: string[];
  /** Missing tables (by the name as written) -> existing ones spelled the same but for case, as a rule would write them. */
  otherSpellings?: Map<string, string[]>;
  /** The type of each rule's clock, by rule id, as the check's probe found it; missing means timestamptz. */
  clockTypes?: Map<string, ClockType>;
}

/** `date` and `timestamp` (without time zone) clocks are wall times, read in the rule's `timezone`. */
export type ClockType = 'date' | 'timestamp' | 'timestamptz';
