import type { PlannedPhase, PlannedRule } from '../plan/types.js';
import type { PhaseReport } from '../report/types.js';
import { buildCountStatement } from '../sql/build-statements.js';
import { buildPageTailCountStatement } from '../sql/build-page-statements.js';
import type { Connection } from './types.js';
import { isValueFailure } from './isolate-failures.js';

/** A finished phase whose "still matches" count waits until no other rule of the run can change its rows. */
export interface PendingCount {
  planned: PlannedRule;
  window: PlannedPhase;
  report: PhaseReport;
  /**
   * Set when a walk by pages went through every page from 0 to its frozen end in this run, met no
   * row locked by another session and left no row failed, on a rule without holds: then only pages
   * added since the run began can hold rows that still match, and only those are counted.
   */
  walkedUpTo?: number;
  /**
   * The same for a phase that changes rows in place: its own new row versions fill the pages
   * added since, so counting them would read every row it changed again; nothing is counted.
   */
  provenDone?: boolean;
}

/**
 * After a phase: what still matches is explained by holds, rows locked by
 * others, or rows added since. Counted once every rule of the run has
 * finished, so a concurrent rule's cascade cannot still be deleting them.
 */
export async function countRemaining(connection: Connection, { planned, window, report, walkedUpTo, provenDone }: PendingCount): Promise<void> {
  if (provenDone) {
    Object.assign(report, { remaining: 0, deferred: 0, held: 0, candidates: report.affected, oldest: null });
    return;
  }
  let result;
  try {
    const statement = walkedUpTo === undefined ? buildCountStatement(planned, window) : buildPageTailCountStatement(planned, window, walkedUpTo);
    result = await connection.query<{ candidates: string; held: string; oldest: Date | null }>(statement);
  } catch (error) {
    // A value that breaks the strategy's SQL breaks the count too: the rows were reported as failed, the count is left out.
    if (!isValueFailure(error)) throw error;
    report.candidates = report.affected + (report.failed ?? 0);
    return;
  }
  const row = result.rows[0]!;
  report.remaining = Number(row.candidates);
  report.deferred = report.remaining;
  report.held = Number(row.held);
  report.candidates = report.affected + report.remaining;
  report.oldest = row.oldest ? new Date(row.oldest).toISOString() : null;
}
