import type { GuardSettings } from '../rules/types.js';

/** What one rule would do in this run, next to what its table holds and what the last run did. */
export interface RuleBlastRadius {
  ruleId: string;
  table: string;
  guard: GuardSettings;
  /** Rows of the rule's table the run would change, all phases together. */
  candidates: number;
  tableRows: number;
  /** The same count from the rule's previous completed run, if any. */
  previousCandidates: number | undefined;
}

export interface GuardTrip {
  ruleId: string;
  guard: 'max-rows' | 'max-share' | 'max-growth';
  message: string;
}

const format = (value: number) => value.toLocaleString('en-US');
const percent = (value: number) => `${Math.round(value * 1000) / 10}%`;

/** Every blast-radius limit a rule's run would pass; pure, so a test states the numbers. */
export function findGuardTrips(rules: RuleBlastRadius[]): GuardTrip[] {
  const trips: GuardTrip[] = [];
  for (const rule of rules) {
    const { guard, candidates } = rule;
    const prefix = `rule '${rule.ruleId}' would change ${format(candidates)} rows of ${rule.table}`;
    if (guard.maxRows !== undefined && candidates > guard.maxRows) {
      trips.push({ ruleId: rule.ruleId, guard: 'max-rows', message: `${prefix}, more than guard.maxRows ${format(guard.maxRows)}` });
    }
    if (candidates < guard.minRows || candidates === 0) continue;
    const share = rule.tableRows > 0 ? candidates / rule.tableRows : 1;
    if (share > guard.maxShare) {
      trips.push({ ruleId: rule.ruleId, guard: 'max-share', message: `${prefix}, ${percent(share)} of its ${format(rule.tableRows)} rows, more than guard.maxShare ${percent(guard.maxShare)}` });
    }
    // A quiet previous run (0 rows) is no baseline: growth is measured from at least minRows.
    const baseline = rule.previousCandidates === undefined ? undefined : Math.max(rule.previousCandidates, guard.minRows);
    if (baseline !== undefined && candidates > baseline * guard.maxGrowth) {
      const floor = baseline > rule.previousCandidates! ? ` (counted as guard.minRows ${format(baseline)})` : '';
      trips.push({
        ruleId: rule.ruleId,
        guard: 'max-growth',
        message: `${prefix}, more than guard.maxGrowth ${guard.maxGrowth}x the ${format(rule.previousCandidates!)} of its previous run${floor}`,
      });
    }
  }
  return trips;
}

/** How far ahead of the database's clock a real run's `now` may be (clock skew between hosts). */
export const FUTURE_NOW_SKEW_MS = 5 * 60_000;

/** A real run at a `now` the database has not reached yet deletes what is not due: refused unless meant. */
export function findFutureNow(now: Date, databaseNow: Date, skewMs = FUTURE_NOW_SKEW_MS): string | undefined {
  const ahead = now.getTime() - databaseNow.getTime();
  if (ahead <= skewMs) return undefined;
  const days = ahead / 86_400_000;
  const span = days >= 2 ? `${Math.round(days * 10) / 10} days` : `${Math.round(ahead / 60_000)} minutes`;
  return `the run's now ${now.toISOString()} is ${span} ahead of the database's clock (${databaseNow.toISOString()}); rows that are not due yet would be deleted or changed`;
}
