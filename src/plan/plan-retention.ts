import type { Knex } from 'knex';
import { checkRulesWith, type PassedCheck } from '../check/check-rules.js';
import { withReadOnlySnapshot, type SqlClient } from '../db/sql-client.js';
import type { Catalog } from '../catalog/types.js';
import type { Plan } from './types.js';
import { LetheError } from '../errors.js';
import { formatProblem } from '../rules/load-rules.js';
import type { RuleProblem, RuleSet } from '../rules/types.js';
import type { Report } from '../report/types.js';
import { buildPlan, selectRules } from './build-plan.js';
import { measurePlan, type MeasureOptions } from './measure-plan.js';
import { applyCheckpoints, type ResumeOptions } from './resolve-resume.js';
import { orderPlan } from './order-rules.js';
import { loadFragmentParser } from '../rules/parse-fragment.js';
import { DEFAULT_STATE_SCHEMA, stateSchemaExists } from '../state/ensure-state-schema.js';
import { readCheckpoints } from '../state/checkpoints.js';
import { fingerprintPlan } from '../guard/fingerprint-plan.js';
import { formatMissingPrivilege, type MissingPrivilege } from '../check/read-missing-privileges.js';
import type { PrivilegePurpose } from '../check/required-privileges.js';

export interface PlanRetentionOptions extends Omit<MeasureOptions, 'previewRows'> {
  now: Date;
  only?: string[] | undefined;
  previewRows?: number;
  /** Show unfinished runs as the run would continue them (their now, cutoffs and remaining rows). */
  resume?: PlanResumeOptions;
}

export interface PlanResumeOptions extends ResumeOptions {
  stateSchema?: string;
}

/**
 * The dry run: check, plan and count in one READ ONLY, REPEATABLE READ
 * snapshot. Counts are consistent with each other and nothing can be written.
 */
export async function planRetention(db: Knex, ruleSet: RuleSet, options: PlanRetentionOptions): Promise<{ report: Report; warnings: RuleProblem[]; plan: Plan; catalog: Catalog }> {
  return withReadOnlySnapshot(db, async (client) => {
    const { plan, catalog, warnings } = await preparePlan(client, ruleSet, options.now, options.only, options.resume);
    const report = await measurePlan(client, plan, { mode: options.mode, readSecret: options.readSecret, previewRows: options.previewRows ?? 3, showValues: options.showValues ?? false });
    report.fingerprint = fingerprintPlan(plan);
    return { report, warnings, plan, catalog };
  });
}

/** Check the selected rules against the live schema (EXPLAIN included), then build the plan. */
export async function preparePlan(
  client: SqlClient,
  ruleSet: RuleSet,
  now: Date,
  only: string[] | undefined,
  resume?: PlanResumeOptions,
  purpose: PrivilegePurpose = 'read',
  /** Rules a run probed without a problem: unchanged ones are not EXPLAINed again (run only). */
  knownChecks?: Map<string, PassedCheck>,
): Promise<{ plan: Plan; catalog: Catalog; warnings: RuleProblem[]; passed: PassedCheck[]; skipped: string[] }> {
  const selected = { ...ruleSet, rules: selectRules(ruleSet.rules, only) };
  const { problems, catalog, missingPrivileges, passed, skipped } = await checkRulesWith(client, selected, now, { purpose, stateSchema: resume?.stateSchema ?? DEFAULT_STATE_SCHEMA, ...(knownChecks ? { known: knownChecks } : {}) });
  throwOnErrors(problems);
  throwOnMissingPrivileges(missingPrivileges);
  await loadFragmentParser();
  const plan = orderPlan(buildPlan(selected, catalog, now), catalog, selected.holds.subjects);
  return { plan: resume ? await resumeUnfinishedRuns(client, plan, resume) : plan, catalog, warnings: problems.filter((problem) => problem.severity === 'warning'), passed, skipped };
}

/** Rules with a checkpoint are planned as the run will continue them (read-only: the state schema may not exist yet). */
async function resumeUnfinishedRuns(client: SqlClient, plan: Plan, resume: PlanResumeOptions): Promise<Plan> {
  const schema = resume.stateSchema ?? DEFAULT_STATE_SCHEMA;
  if (!(await stateSchemaExists(client, schema))) return plan;
  const checkpoints = await readCheckpoints(client, schema, plan.rules.map((planned) => planned.rule.id));
  return applyCheckpoints(plan, checkpoints, resume);
}

/** Exit 2 before anything is written, naming every GRANT that would fix it. */
export function throwOnMissingPrivileges(missing: MissingPrivilege[]): void {
  if (missing.length === 0) return;
  throw new LetheError('PRIVILEGE_MISSING', `the database role lacks ${missing.length} privilege${missing.length === 1 ? '' : 's'} the selected rules need`, {
    details: missing.map(formatMissingPrivilege),
    hint: 'an administrator runs the statements after fix: (docs/security.md#privileges); nothing was written',
  });
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
