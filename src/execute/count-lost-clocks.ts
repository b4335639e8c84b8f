import type { SqlClient } from '../db/sql-client.js';
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

/** Rows without a clock now, per rule id (for the rules with derived clocks). */
export async function countClockless(client: SqlClient, rules: { planned: PlannedRule }[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { planned } of rules) {
    const result = await client.query<{ rows: string }>(buildClocklessCountStatement(planned));
    counts.set(planned.rule.id, Number(result.rows[0]!.rows));
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
    const lost = (after.get(planned.rule.id) ?? 0) - (before.get(planned.rule.id) ?? 0);
    const rule = report.rules.find((candidate) => candidate.id === planned.rule.id);
    if (rule && lost > 0) rule.clocksLost = { rows: lost, because: `derived from rows that ${writers.map((id) => `'${id}'`).join(', ')} deleted or changed` };
  }
}
