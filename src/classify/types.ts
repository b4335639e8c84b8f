/** Catalog facts the classifier reads: no values, only names, types and comments. */
export interface ColumnFacts {
  table: string;
  /** The table's schema; `table` is written the way a rule would name it. */
  schema: string;
  column: string;
  /** As format_type() prints it. */
  type: string;
  /** pg_type.typcategory of the base type. */
  category: string;
  baseType: string;
  comment: string | undefined;
  notNull: boolean;
}

/** What `--sample` found in one column: how many sampled values were not null, and how many matched each category's pattern. */
export interface SampleCounts {
  sampled: number;
  matches: Record<string, number>;
}

export interface Classification {
  table: string;
  column: string;
  category: string;
  /** Why, in words: `name 'mobile_no' (phone)`, `type inet`, `comment '手机号'`, `sample: 18 of 20 values look like phone`. */
  evidence: string[];
}
