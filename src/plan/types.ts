import type { ClockType, ColumnInfo, ForeignKeyInfo, TableInfo } from '../catalog/types.js';
import type { ColumnChange, Phase, Rule } from '../rules/types.js';
import type { RuleDependency } from './order-rules.js';

export interface KeyColumn {
  name: string;
  /** format_type() of the column, used to cast key arrays: `bigint`, `uuid`. */
  type: string;
}

/** Whose a row is, for holds: an SQL expression over the row's table and the holds query of its kind. */
export interface PlannedSubject {
  sql: string;
  kind: string | undefined;
  holdsQuery: string;
}

/**
 * A table of a cascade tree: its rows that reference a deleted row go with it
 * (first, when Lethe deletes them). A rule's tree is a flat list in pre-order,
 * each entry pointing at the entry it hangs from.
 */
export interface Cascade {
  table: TableInfo;
  foreignKey: ForeignKeyInfo;
  /** `rule`: listed in `cascade` and deleted by Lethe; `database`: ON DELETE CASCADE does it. */
  by: 'rule' | 'database';
  /** The cascaded table this one hangs from; undefined for direct children of the rule's table. */
  parent: Cascade | undefined;
  /** A self-reference: every row that reaches the parent's rows through the key, at any depth. */
  recursive: boolean;
  /** Explicit or derived from a foreign key; none: its rows belong to the parent row's subject. */
  subjects: PlannedSubject[];
}

export interface PlannedChange extends ColumnChange {
  info: ColumnInfo;
}

/**
 * How a phase walks the table: by key (keyset, FOR UPDATE SKIP LOCKED, any
 * rule) or by physical position (TID ranges of pages: one statement per batch,
 * the fastest, for plain tables whose phase needs no keys in Node), or
 * partition by partition for a partitioned table (a partition whose rows are
 * all due is detached and dropped whole; the others are walked by pages).
 */
export type Walk = 'key' | 'pages' | 'partitions';

export interface PlannedPhase {
  phase: Phase;
  walk: Walk;
  /** now - after: rows whose clock is older than this are due. */
  cutoff: Date;
  /** The next (longer) phase's cutoff: rows older than it belong to that phase. */
  olderBound: Date | undefined;
  changes: PlannedChange[];
  markInfo: ColumnInfo | undefined;
  /** An erasure: the rows of these subjects, whatever their clock (the cutoffs are not used). */
  subjects?: SubjectSet | undefined;
  /** An erasure: the rows per table (own and cascaded by Lethe) the request showed; a batch going beyond them rolls back (SAFETY_GUARD). */
  approved?: Record<string, number> | undefined;
}

/**
 * The people an erasure is about, as one bound array compared with the rule's
 * subject expression: in the subject column's own type (its index serves the
 * comparison), or as text when the expression's type is not known.
 */
export interface SubjectSet {
  values: string[];
  /** format_type() of the subject column; undefined: compared as text. */
  type: string | undefined;
}

export interface PlannedRule {
  rule: Rule;
  table: TableInfo;
  key: KeyColumn[];
  cascades: Cascade[];
  /** In run order: latest cutoff first, so a row about to be deleted is never anonymized first. */
  phases: PlannedPhase[];
  holdsSubjects: string | undefined;
  /** Set when the run continues an unfinished run: cutoffs are those of its now, not the plan's. */
  resume?: ResumePoint | undefined;
  /** Rules of the same run this one waits for (dependency order); set by orderPlan. */
  runsAfter?: RuleDependency[];
  /** From the catalog probe; a `date` or `timestamp` clock is wall time in `rule.timezone`. Undefined: timestamptz. */
  clockType?: ClockType | undefined;
}

export interface Plan {
  now: Date;
  rules: PlannedRule[];
}

/** An unfinished run this rule's run continues: its frozen now and the phase it stopped in. */
export interface ResumePoint {
  runId: string;
  now: Date;
  /** Phases before this position (in run order) are done and will not run again. */
  phasePosition: number;
}
