/** The report model: one shape for plan, dry run and run; renderers only format it. */

export type RuleStatus = 'planned' | 'done' | 'partial' | 'skipped' | 'failed';
export type ReportMode = 'plan' | 'dry-run' | 'run';

export interface CascadeReport {
  table: string;
  /** `rule`: listed in `cascade`; `database`: removed by ON DELETE CASCADE. */
  by: 'rule' | 'database';
  rows: number;
}

export interface HeldByReport {
  /** `subject`: the row's subject is on hold; `hold`: the rule's `hold`; `cascade`: a row the delete would take along is held. */
  reason: 'subject' | 'hold' | 'cascade';
  /** For `cascade`: the table of that held row. */
  table?: string;
  rows: number;
}

export interface PartitionDropReport {
  partition: string;
  /** As the catalog prints it: FOR VALUES FROM (...) TO (...). */
  bound: string;
  rows: number;
}

export interface PreviewColumn {
  column: string;
  /** The original, redacted: its type and length, never its value. */
  before: { type: string; length: number | null };
  /** What the strategy does, in words: `hmac`, `removes gps`, `masked, keeps 3+2`. */
  does: string;
  /** The value after the strategy: only with --show-values (a developer on a test database). */
  after?: string | null;
  /** fake values in a varchar(n)/char(n) column: fitted on purpose (redrawn when too long, else trimmed), never cut by a cast. */
  fit?: { maxLength: number; how: 'drawn' | 'redrawn' | 'trimmed' };
}

/** A row a value broke the strategy of: left unchanged, named by its key (a digest unless a surrogate key). */
export interface FailedRow {
  key: string[];
  column: string | null;
  error: string;
}

export interface PhaseReport {
  after: string;
  action: 'delete' | 'anonymize' | 'pseudonymize';
  cutoff: string;
  candidates: number;
  held: number;
  /** Plan: why rows are held, when more than one reason can apply (a row may count under several). */
  heldBy?: HeldByReport[];
  affected: number;
  oldest: string | null;
  cascades?: CascadeReport[];
  /** Partitions the phase drops whole (their bound lies before the cutoff and no row must stay). */
  partitions?: PartitionDropReport[];
  /** Why no partition is dropped, when the table is partitioned and none may be. */
  partitionsNote?: string;
  estimatedBatches?: number;
  estimatedSeconds?: number;
  preview?: PreviewColumn[][];
  /** Run only: rows locked by another session and left for the next run. */
  deferred?: number;
  batches?: number;
  durationMs?: number;
  /** Run only: rows that still match after the phase (holds, deferred, or new). */
  remaining?: number;
  /** Run only: rows left unchanged because a value broke the strategy. */
  failed?: number;
  /** The first of them (up to 100), by key. */
  failedRows?: FailedRow[];
  status?: RuleStatus;
}

export interface RuleReport {
  id: string;
  category: string;
  table: string;
  status: RuleStatus;
  phases: PhaseReport[];
  error?: { code: string; message: string };
  /** Skipped: who holds the rule's lock. */
  lockedBy?: { pid: number; applicationName: string; since: string | null } | null;
  stoppedBecause?: string;
  /** The unfinished run this rule continues: its cutoffs come from that run's now, not the report's. */
  resumes?: { runId: string; now: string };
  /** Rules of the same run this one waits for (dependency order), and why. */
  runsAfter?: { rule: string; because: string }[];
  /** Run only: rows of this rule whose clock became NULL (or whose clock row vanished) during the run, because another rule of the run changed what it is derived from. */
  clocksLost?: { rows: number; because: string };
}

export interface Report {
  lethe: 1;
  mode: ReportMode;
  now: string;
  /** The settings file (lethe.yaml) the rules were read with; null when there was none. */
  settings?: string | null;
  status: 'ok' | 'partial' | 'failed' | 'stopped';
  runId?: string;
  /** Plans and dry runs: what the plan was made from, so `run --plan` can refuse a stale one. */
  fingerprint?: { rules: string; catalog: string };
  /** Real runs: guards passed deliberately with --override-guard. */
  overriddenGuards?: { ruleId: string; guard: string; message: string }[];
  /** Run only: the ledger's chain head after the run (`lethe status --verify-head SEQ:HASH`). */
  ledgerHead?: { seq: number; hash: string };
  rules: RuleReport[];
}
