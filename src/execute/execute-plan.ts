import pLimit from 'p-limit';
import { isLetheError } from '../errors.js';
import { describeError } from '../db/describe-error.js';
import type { Plan, PlannedRule } from '../plan/types.js';
import type { Report, RuleReport } from '../report/types.js';
import { runRule } from './run-rule.js';
import { runsAfterOf } from '../plan/order-rules.js';
import { withCause } from '../report/failure-cause.js';
import type { Connection, ExecuteOptions } from './types.js';
import { countRemaining, type PendingCount } from './count-remaining.js';
import { updateRuleRunPhases } from '../state/runs.js';

/**
 * Runs the plan's rules in its order: a rule starts once the rules it waits
 * for (dependency order, and earlier rules on the same table) have finished;
 * independent rules run in parallel, up to --concurrency. Each rule yields a
 * result; one failing rule does not stop the others.
 */
export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<Report> {
  const limit = pLimit(Math.max(1, options.concurrency));
  const results = new Map<string, RuleReport>();
  const pendingCounts: PendingCount[] = [];
  const finished = new Map<string, Promise<void>>();
  const lastOnTable = new Map<string, string>();
  for (const planned of plan.rules) {
    const waitsFor = new Set((planned.runsAfter ?? []).map((dependency) => dependency.before));
    const previous = lastOnTable.get(planned.table.qualified);
    if (previous) waitsFor.add(previous);
    lastOnTable.set(planned.table.qualified, planned.rule.id);
    const predecessors = [...waitsFor].flatMap((id) => finished.get(id) ?? []);
    // Wait before taking a slot, so waiting rules never hold the slots their predecessors need.
    finished.set(
      planned.rule.id,
      Promise.all(predecessors).then(() =>
        limit(async () => {
          results.set(planned.rule.id, await runRuleSafely(planned, options, plan.now, pendingCounts));
        }),
      ),
    );
  }
  await Promise.all(finished.values());
  if (options.countRemaining !== false) await countAfterEveryRule(pendingCounts, options, results);
  const rules = plan.rules.map((planned) => results.get(planned.rule.id)!);
  return { lethe: 1, mode: 'run', now: plan.now.toISOString(), runId: options.runId, status: overallStatus(rules), rules };
}

/**
 * "Still matches" counts are taken once no rule of the run is running: with
 * --concurrency, another rule's cascade may be deleting the same rows. A count
 * that fails leaves `remaining` out of the report rather than failing the run.
 */
async function countAfterEveryRule(pending: PendingCount[], options: ExecuteOptions, results: Map<string, RuleReport>): Promise<void> {
  if (pending.length === 0) return;
  let connection: Connection | undefined;
  try {
    connection = await options.connect();
    for (const count of pending) await countRemaining(connection, count);
    // The rule runs were recorded before these counts: record their phases again (the next run's growth guard reads them).
    for (const ruleId of new Set(pending.map((count) => count.planned.rule.id))) {
      const phases = results.get(ruleId)?.phases;
      if (phases) await updateRuleRunPhases(connection, options.stateSchema, { runId: options.runId, ruleId, phases });
    }
  } catch (error) {
    options.logger.warn('could not count the rows that still match', { error: error instanceof Error ? error.message : String(error) });
  } finally {
    await connection?.end().catch(() => undefined);
  }
}

async function runRuleSafely(planned: PlannedRule, options: ExecuteOptions, now: Date, pendingCounts: PendingCount[]): Promise<RuleReport> {
  try {
    return { ...(await runRule(planned, options, now, pendingCounts)), ...runsAfterOf(planned) };
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
