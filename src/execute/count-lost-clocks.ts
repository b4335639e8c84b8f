import { trySavepoint, type SqlClient } from '../db/sql-client.js';
import type { Logger } from '../log/logger.js';
import type { Plan, PlannedRule } from '../plan/types.js';
import type { Report } from '../report/types.js';
import { buildClocklessCountStatement } from '../sql/build-clock-statements.js';

/** Rules whose clock reads a table another rule of the plan deletes from or changes, with those rules. */
export function rulesWithDerivedClocks(plan: Plan): { planned: PlannedRule; writers: string[] }[] {
  return plan.rules.flatMap((planned) => {
    const writers = plan.rules.filter((other) => other.runsAfter?.some((dependency) => dependency.before === planned.rule.id && dependency.clock)).map((other) => other.rule.id);
    return writers.length > 0 ? [{ planned, writers }] : [];
  });
}

/**
 * Rows without a clock now, per rule id (for the rules with derived clocks).
 * A count that fails is left out (and logged) rather than stopping the run;
 * inside a transaction each count runs under a savepoint for that reason.
 */
export async function countClockless(client: SqlClient, rules: { planned: PlannedRule }[], options: { inTransaction: boolean; logger: Logger }): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { planned } of rules) {
    const count = async () => Number((await client.query<{ rows: string }>(buildClocklessCountStatement(planned))).rows[0]!.rows);
    const result = options.inTransaction ? await trySavepoint(client, count) : await count().then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
    if (result.ok) counts.set(planned.rule.id, result.value);
    else options.logger.warn('could not count rows without a clock', { rule: planned.rule.id, error: result.error instanceof Error ? result.error.message : String(result.error) });
  }
  return counts;
}

/**
 * Adds `clocksLost` to the rules whose rows lost their clock during the run:
 * more rows without a clock after it than before. (Rows inserted without a
 * clock meanwhile would count too; rows deleted meanwhile can hide some.)
 */
export function reportLostClocks(report: Report, rules: { planned: PlannedRule; writers: string[] }[], before: Map<string, number>, after: Map<string, number>): void {
  for (const { planned, writers } of rules) {
    const [countBefore, countAfter] = [before.get(planned.rule.id), after.get(planned.rule.id)];
    if (countBefore === undefined || countAfter === undefined) continue;
    const lost = countAfter - countBefore;
    const rule = report.rules.find((candidate) => candidate.id === planned.rule.id);
    if (rule && lost > 0) rule.clocksLost = { rows: lost, because: `derived from rows that ${writers.map((id) => `'${id}'`).join(', ')} deleted or changed` };
  }
}
