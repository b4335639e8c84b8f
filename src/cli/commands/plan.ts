import { Option, type Command } from 'commander';
import type { ReportFormat } from '../../report/render-report.js';
import type { Report } from '../../report/types.js';
import { loadRulesOrThrow } from '../../rules/load-rules.js';
import { selectRules } from '../../plan/build-plan.js';
import { parseDatabaseUrl } from '../../db/connect.js';
import type { CommandContext } from '../context.js';
import { withDatabase } from '../open-database.js';
import { parseNow, parseOnly } from '../parse-flags.js';
import type { ActionFactory } from '../program.js';
import { writeReport } from '../write-report.js';
import { renderRuleFailure } from '../render-error.js';
import { causeOf } from '../../report/failure-cause.js';
import { nameSettingsFile } from '../../report/name-settings.js';
import { emitMetrics, metricsOutputsOf } from '../write-metrics.js';
import { renderMetrics } from '../../report/render-metrics.js';
import { parsePushUrl } from '../push-metrics.js';
import { requireWritable } from '../require-writable.js';
import { LetheError } from '../../errors.js';
import type { ResumeOptions } from '../../plan/resolve-resume.js';

export interface PlanFlags {
  only?: string;
  now?: string;
  resume?: boolean;
  restart?: boolean;
  format: ReportFormat;
  out?: string;
  metricsFile?: string;
  metricsPush?: string;
  showValues?: boolean;
}

export const SHOW_VALUES_WARNING = 'lethe: warning: --show-values prints values computed from rows of the table; use it only on a test database\n';

export function formatOption(): Option {
  return new Option('--format <format>', 'report format').choices(['text', 'json', 'markdown']).default('text');
}

export function registerPlan(program: Command, action: ActionFactory): void {
  program
    .command('plan')
    .description('dry-run report of what a run would do; writes nothing')
    .option('--only <ids>', 'only these rule ids, comma-separated')
    .option('--now <time>', 'pretend it is this time (ISO 8601)')
    .option('--resume', 'plan unfinished runs as continued with their own now, even when --now differs', false)
    .option('--restart', 'plan unfinished runs as discarded: every rule at --now', false)
    .addOption(formatOption())
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--metrics-file <path>', 'write Prometheus metrics here (atomically) at the end')
    .option('--metrics-push <url>', 'push Prometheus metrics to this Pushgateway at the end (job lethe)')
    .option('--show-values', 'previews also show values after the strategy (a test database only)', false)
    .action(action<PlanFlags>((ctx, flags) => runPlanCommand(ctx, flags, 'plan')));
}

/** --resume / --restart: what to do with an unfinished run; without either, --now must agree with it. */
export function parseResumeFlags(flags: Pick<PlanFlags, 'now' | 'resume' | 'restart'>): ResumeOptions {
  if (flags.resume && flags.restart) throw new LetheError('USAGE', '--resume and --restart exclude each other: continue the unfinished run, or discard it');
  return { choice: flags.resume ? 'resume' : flags.restart ? 'restart' : 'default', explicitNow: flags.now !== undefined };
}

/** Shared by `plan` and `run --dry-run`: the same selection code, in a READ ONLY snapshot. */
export async function runPlanCommand(ctx: CommandContext, flags: PlanFlags, mode: 'plan' | 'dry-run', options: { due?: boolean } = {}): Promise<number> {
  const started = Date.now();
  const now = parseNow(flags.now, () => new Date());
  const resume = parseResumeFlags(flags);
  let only = parseOnly(flags.only);
  const { ruleSet } = await loadRulesOrThrow(ctx.globals.rules);
  selectRules(ruleSet.rules, only); // an unknown id is a usage error, before any connection
  await requireWritable(flags.out, '--out');
  await requireWritable(flags.metricsFile, '--metrics-file');
  const metrics = metricsOutputsOf(ctx, flags, parsePushUrl(flags.metricsPush), mode);
  parseDatabaseUrl(ctx.globals.db); // no database is a usage error before anything else is said
  const { planRetention } = await import('../../plan/plan-retention.js');
  if (options.due) {
    const { selectDueRules } = await import('../../execute/run-retention.js');
    only = await withDatabase(ctx, (db) => selectDueRules(db, ruleSet, { only, now, logger: ctx.logger }));
  }
  if (flags.showValues) ctx.io.writeStderr(SHOW_VALUES_WARNING);
  const progress = ctx.createProgress();
  progress.start(`planning ${only?.length ?? ruleSet.rules.length} rules`);
  let report: Report;
  try {
    report =
      only && only.length === 0
        ? { lethe: 1, mode, now: now.toISOString(), status: 'ok', rules: [] }
        : (await withDatabase(ctx, (db) => planRetention(db, ruleSet, { now, only, mode, resume, showValues: flags.showValues ?? false, readSecret: (name) => ctx.io.env[name] }))).report;
  } catch (error) {
    progress.fail('plan failed');
    throw error;
  }
  report = nameSettingsFile(report, ruleSet.settingsFile);
  const failed = report.rules.filter((rule) => rule.status === 'failed');
  if (failed.length > 0) progress.fail(`${failed.length} of ${report.rules.length} rules failed to plan`);
  else progress.succeed(`planned ${report.rules.length} rules`);
  await writeReport(ctx, report, flags.format, flags.out);
  for (const rule of failed) ctx.io.writeStderr(renderRuleFailure(rule.id, rule.error, causeOf(rule.error), ctx.globals.verbose));
  const exitCode = exitCodeOfPlan(report);
  if (metrics.file || metrics.push) await emitMetrics(ctx, metrics, renderMetrics(report, { exitCode, durationSeconds: (Date.now() - started) / 1000, finishedAt: new Date() }));
  return exitCode;
}

/** A rule that failed to plan: 2 when its SQL tried to write (a rule problem), else 1. */
export function exitCodeOfPlan(report: Report): number {
  const failed = report.rules.filter((rule) => rule.status === 'failed');
  if (failed.length === 0) return 0;
  return failed.some((rule) => rule.error?.code === 'READ_ONLY_VIOLATION') ? 2 : 1;
}
