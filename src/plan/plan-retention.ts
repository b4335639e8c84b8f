import type { Knex } from 'knex';
import { checkRulesWith } from '../check/check-rules.js';
import { withReadOnlySnapshot, type SqlClient } from '../db/sql-client.js';
import type { Catalog } from '../catalog/types.js';
import type { Plan } from './types.js';
import { LetheError } from '../errors.js';
import { formatProblem } from '../rules/load-rules.js';
import type { RuleProblem, RuleSet } from '../rules/types.js';
import type { Report } from '../report/types.js';
import { buildPlan, selectRules } from './build-plan.js';
import { measurePlan, type MeasureOptions } from './measure-plan.js';
import { fingerprintPlan } from '../guard/fingerprint-plan.js';

export interface PlanRetentionOptions extends Omit<MeasureOptions, 'previewRows'> {
  now: Date;
  only?: string[] | undefined;
  previewRows?: number;
}

/**
 * The dry run: check, plan and count in one READ ONLY, REPEATABLE READ
 * snapshot. Counts are consistent with each other and nothing can be written.
 */
export async function planRetention(db: Knex, ruleSet: RuleSet, options: PlanRetentionOptions): Promise<{ report: Report; warnings: RuleProblem[]; plan: Plan; catalog: Catalog }> {
  return withReadOnlySnapshot(db, async (client) => {
    const { plan, catalog, warnings } = await preparePlan(client, ruleSet, options.now, options.only);
    const report = await measurePlan(client, plan, { mode: options.mode, readSecret: options.readSecret, previewRows: options.previewRows ?? 3, showValues: options.showValues ?? false });
    report.fingerprint = fingerprintPlan(plan);
    return { report, warnings, plan, catalog };
  });
}

/** Check the selected rules against the live schema (EXPLAIN included), then build the plan. */
export async function preparePlan(client: SqlClient, ruleSet: RuleSet, now: Date, only: string[] | undefined): Promise<{ plan: Plan; catalog: Catalog; warnings: RuleProblem[] }> {
  const selected = { ...ruleSet, rules: selectRules(ruleSet.rules, only) };
  const { problems, catalog } = await checkRulesWith(client, selected, now);
  throwOnErrors(problems);
  return { plan: buildPlan(selected, catalog, now), catalog, warnings: problems.filter((problem) => problem.severity === 'warning') };
}

export function throwOnErrors(problems: RuleProblem[]): void {
  const errors = problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0) {
    throw new LetheError('SCHEMA_MISMATCH', `${errors.length} rule problem${errors.length === 1 ? '' : 's'} against the live schema`, {
      details: errors.map(formatProblem),
      hint: 'run lethe check for the full list; nothing was written',
    });
  }
}
