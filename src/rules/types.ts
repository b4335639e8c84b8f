/** The checked, normalized form of rule files. `Written*` types (rule-schema.ts) are what users type. */

export type Action = 'delete' | 'anonymize' | 'pseudonymize';

export type DurationUnit = 'm' | 'h' | 'd' | 'w' | 'mo' | 'y';

export interface Duration {
  /** As written, e.g. `30d`; `0` for "immediately". */
  text: string;
  amount: number;
  unit: DurationUnit;
}

export type Strategy =
  | { kind: 'null' }
  | { kind: 'value'; value: string | number | boolean }
  | { kind: 'fake'; module: string; method: string }
  | { kind: 'generalize-ip'; bits: number }
  | { kind: 'generalize-date'; to: 'year' | 'month' | 'day' | 'hour' }
  | { kind: 'generalize-number'; step: number }
  | { kind: 'mask'; keepStart: number; keepEnd: number; char: string }
  | { kind: 'json-remove'; keys: string[] }
  | { kind: 'hash'; secretEnv: string };

export interface ColumnChange {
  column: string;
  strategy: Strategy;
}

export interface Phase {
  /** Position in the rule file, 0-based; phases are also ordered by `after`. */
  index: number;
  after: Duration;
  action: Action;
  set: ColumnChange[];
  mark: string | undefined;
}

export interface TableName {
  schema: string | undefined;
  name: string;
}

export interface BatchSettings {
  targetMs: number;
  maxRows: number;
}

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  /** Where a key path inside this rule stands, e.g. ['phases', 0, 'set', 'ip']. */
  locate(path: (string | number)[]): { line: number; column: number; path: string };
}

export interface Rule {
  id: string;
  category: string;
  description: string | undefined;
  source: SourceLocation;
  table: TableName;
  /** Explicit key columns; undefined means "the primary key". */
  key: string[] | undefined;
  subject: string | undefined;
  /** The kind of subject (a key of `holds`); undefined: the default kind. */
  subjectKind: string | undefined;
  clock: string;
  join: string | undefined;
  where: string | undefined;
  hold: string | undefined;
  schedule: string | undefined;
  timezone: string;
  /** Cascade trees: tables whose rows referencing a deleted row go first, each with its own children. */
  cascade: CascadeNode[];
  /** Rule ids that must run before this one in the same run (`after:`), besides the order its fragments imply. */
  after: string[];
  /** Delete phases on a partitioned table: may whole partitions be dropped by their bounds? */
  partitions: 'auto' | 'drop' | 'delete';
  guard: GuardSettings;
  /** What `lethe export` shows of the table: `include: false` leaves it out; `omit` leaves those columns out. Undefined: every column. */
  export?: ExportSettings | undefined;
  phases: Phase[];
  batch: BatchSettings;
  /** What an erasure request does to the rule's rows; undefined: the rule's final action. */
  request?: RequestSetting | undefined;
  /** Columns no phase changes that stay on purpose (`keep:`), for `check --coverage`. */
  keep?: KeptColumn[] | undefined;
}

/** `request:` as checked: skip (kept, with its reason), delete, or anonymize with these changes. */
export interface RequestSetting {
  action: 'skip' | 'delete' | 'anonymize';
  /** anonymize: empty means the last anonymize or pseudonymize phase's changes. */
  set: ColumnChange[];
  mark: string | undefined;
  reason: string | undefined;
}

export interface KeptColumn {
  column: string;
  reason: string;
}

export interface ExportSettings {
  include: boolean;
  omit: string[];
}

/** One table of a cascade tree as written: resolved against the catalog by the planner. */
export interface CascadeNode {
  table: TableName;
  /** SQL naming the person a row of this table belongs to; derived from its foreign keys when undefined. */
  subject: string | undefined;
  subjectKind: string | undefined;
  children: CascadeNode[];
  /** Where the entry stands inside its rule: ['cascade', 0, 'rental', 0]. */
  path: (string | number)[];
}

export interface HoldSettings {
  /** SQL returning the held values of subjects that name no kind (`holds.subjects`, or the only kind). */
  subjects: string | undefined;
  /** Every kind's query, by kind (`subjects` included when written). */
  kinds: Record<string, string>;
}

/** The holds query for a subject of this kind (undefined kind: the default one). */
export function holdsQueryFor(holds: HoldSettings, kind: string | undefined): string | undefined {
  return kind === undefined ? holds.subjects : holds.kinds[kind];
}

/** `holds` as written -> the default query: `subjects`, else the only kind. */
export function normalizeHolds(written: Record<string, string> | undefined): HoldSettings {
  const kinds = { ...(written ?? {}) };
  const names = Object.keys(kinds);
  return { subjects: kinds.subjects ?? (names.length === 1 ? kinds[names[0]!] : undefined), kinds };
}

export interface RuleSet {
  rules: Rule[];
  holds: HoldSettings;
  defaults: { batch: BatchSettings; timezone: string; guard: GuardSettings };
  files: string[];
  /** The lethe.yaml that was read (beside a single --rules file, or in the folder); undefined when there is none. */
  settingsFile?: string | undefined;
  /** `classify:` of lethe.yaml: additions to the personal-data classifier. */
  classify?: ClassifySettings | undefined;
  /** `coverage:` of lethe.yaml. */
  coverage?: CoverageSettings | undefined;
}

export interface ClassifySettings {
  names: Record<string, string[]>;
  comments: Record<string, string[]>;
  values: Record<string, string>;
  personTables: string[];
}

export interface CoverageSettings {
  /** Schemas searched for personal columns outside the rules; undefined: every user schema. */
  schemas: string[] | undefined;
  /** `table`, `schema.*` or `table.column` -> why it is never reported. */
  ignore: Record<string, string>;
}

export type Severity = 'error' | 'warning';

export interface RuleProblem {
  severity: Severity;
  /** Stable, for tests and scripts: e.g. `unknown-key`, `duplicate-id`. */
  check: string;
  file: string;
  line: number;
  column: number;
  /** Dotted key path inside the file, e.g. `rules[0].phases[1].after`. */
  path: string;
  message: string;
}

export const DEFAULT_BATCH: BatchSettings = { targetMs: 250, maxRows: 50_000 };

/**
 * Blast-radius limits a real run checks per rule before writing (exit 4 when one
 * trips): rows to change (all phases), their share of the table, and growth over
 * the previous run's rows. Below minRows neither the share nor the growth trips.
 */
export interface GuardSettings {
  maxRows: number | undefined;
  maxShare: number;
  maxGrowth: number;
  minRows: number;
}

export const DEFAULT_GUARD: GuardSettings = { maxRows: undefined, maxShare: 0.9, maxGrowth: 10, minRows: 1000 };
