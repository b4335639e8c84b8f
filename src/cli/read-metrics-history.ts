import type { CommandContext } from './context.js';
import type { RuleSet } from '../rules/types.js';
import { withClient } from '../db/sql-client.js';
import { readLastSuccess } from '../state/read-rule-history.js';
import { DEFAULT_STATE_SCHEMA, stateSchemaExists } from '../state/ensure-state-schema.js';
import { nextFireTimes } from '../rules/cron.js';
import { withDatabase } from './open-database.js';

/** Every rule's last success (not only this run's rules) and schedule interval, for alerts. */
export async function readMetricsHistory(ctx: CommandContext, ruleSet: RuleSet, now: Date): Promise<{ lastSuccess: Map<string, Date>; scheduleIntervals: Map<string, number> }> {
  const known = new Set(ruleSet.rules.map((rule) => rule.id));
  const lastSuccess = await withDatabase(ctx, (db) =>
    withClient(db, async (client) => ((await stateSchemaExists(client, DEFAULT_STATE_SCHEMA)) ? readLastSuccess(client, DEFAULT_STATE_SCHEMA) : new Map<string, Date>())),
  ).catch(() => new Map<string, Date>()); // metrics never fail a finished run
  const scheduleIntervals = new Map<string, number>();
  for (const rule of ruleSet.rules) {
    if (!rule.schedule) continue;
    const [first, second] = nextFireTimes(rule.schedule, rule.timezone, now, 2);
    if (first && second) scheduleIntervals.set(rule.id, (second.getTime() - first.getTime()) / 1000);
  }
  return { lastSuccess: new Map([...lastSuccess].filter(([id]) => known.has(id))), scheduleIntervals };
}
