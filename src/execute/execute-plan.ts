import pLimit from 'p-limit';
import { isLetheError } from '../errors.js';
import { describeError } from '../db/describe-error.js';
import type { Plan, PlannedRule } from '../plan/types.js';
import type { Report, RuleReport } from '../report/types.js';
import { runRule } from './run-rule.js';
import { withCause } from '../report/failure-cause.js';
import type { ExecuteOptions } from './types.js';

/**
 * Runs the plan's rules: rules on different tables in parallel (up to
 * --concurrency), rules on one table one after another. Each rule yields a
 * result; one failing rule does not stop the others.
 */
export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<Report> {
  const limit = pLimit(Math.max(1, options.concurrency));
  const byTable = new Map<string, PlannedRule[]>();
  for (const planned of plan.rules) byTable.set(planned.table.qualified, [...(byTable.get(planned.table.qualified) ?? []), planned]);
  const results = new Map<string, RuleReport>();
  await Promise.all(
    [...byTable.values()].map((group) =>
      limit(async () => {
        for (const planned of group) results.set(planned.rule.id, await runRuleSafely(planned, options, plan.now));
      }),
    ),
  );
  const rules = plan.rules.map((planned) => results.get(planned.rule.id)!);
  return { lethe: 1, mode: 'run', now: plan.now.toISOString(), runId: options.runId, status: overallStatus(rules), rules };
}

async function runRuleSafely(planned: PlannedRule, options: ExecuteOptions, now: Date): Promise<RuleReport> {
  try {
    return await runRule(planned, options, now);
  } catch (error) {
    const code = isLetheError(error) ? error.code : 'SQL_FAILED';
    const message = describeError(error);
    options.logger.error('rule failed', { rule: planned.rule.id, code, error: message });
    return { id: planned.rule.id, category: planned.rule.category, table: planned.table.qualified.replace(/"/g, ''), status: 'failed', phases: [], error: withCause({ code, message }, error) };
  }
}

export function overallStatus(rules: RuleReport[]): Report['status'] {
  if (rules.some((rule) => rule.status === 'failed' || rule.error)) return 'failed';
  if (rules.some((rule) => rule.status === 'partial')) return 'stopped';
  return 'ok';
}
