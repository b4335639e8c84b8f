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

export interface PreviewColumn {
  column: string;
  /** The original, redacted: its type and length, never its value. */
  before: { type: string; length: number | null };
  after: string | null;
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
  estimatedBatches?: number;
  estimatedSeconds?: number;
  preview?: PreviewColumn[][];
  /** Run only: rows locked by another session and left for the next run. */
  deferred?: number;
  batches?: number;
  durationMs?: number;
  /** Run only: rows that still match after the phase (holds, deferred, or new). */
  remaining?: number;
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
}

export interface Report {
  lethe: 1;
  mode: ReportMode;
  now: string;
  status: 'ok' | 'partial' | 'failed' | 'stopped';
  runId?: string;
  rules: RuleReport[];
}
