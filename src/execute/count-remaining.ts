import type { PlannedPhase, PlannedRule } from '../plan/types.js';
import type { PhaseReport } from '../report/types.js';
import { buildCountStatement } from '../sql/build-statements.js';
import type { Connection } from './types.js';
import { isValueFailure } from './isolate-failures.js';

/** A finished phase whose "still matches" count waits until no other rule of the run can change its rows. */
export interface PendingCount {
  planned: PlannedRule;
  window: PlannedPhase;
  report: PhaseReport;
}

/**
 * After a phase: what still matches is explained by holds, rows locked by
 * others, or rows added since. Counted once every rule of the run has
 * finished, so a concurrent rule's cascade cannot still be deleting them.
 */
export async function countRemaining(connection: Connection, { planned, window, report }: PendingCount): Promise<void> {
  let result;
  try {
    result = await connection.query<{ candidates: string; held: string; oldest: Date | null }>(buildCountStatement(planned, window));
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
