import { Option, type Command } from 'commander';
import { isLetheError, LetheError } from '../../errors.js';
import { renderReport } from '../../report/render-report.js';
import { loadRulesOrThrow } from '../../rules/load-rules.js';
import { selectRules } from '../../plan/build-plan.js';
import { parseDatabaseUrl } from '../../db/connect.js';
import type { ActionFactory } from '../program.js';
import { withDatabase } from '../open-database.js';
import { collectIds, parseDurationFlag, parseNow, parseOnly, parsePositiveInteger, parseTolerance } from '../parse-flags.js';
import { readReviewedPlan } from '../read-reviewed-plan.js';
import { writeReport } from '../write-report.js';
import { renderRuleFailure } from '../render-error.js';
import { causeOf } from '../../report/failure-cause.js';
import { nameSettingsFile } from '../../report/name-settings.js';
import { emitMetrics, metricsOutputsOf, type MetricsOutputs } from '../write-metrics.js';
import { parsePushUrl } from '../push-metrics.js';
import { renderFailureMetrics, renderMetrics } from '../../report/render-metrics.js';
import type { CommandContext } from '../context.js';
import type { RuleSet } from '../../rules/types.js';
import { withClient } from '../../db/sql-client.js';
import { readLastSuccess } from '../../state/read-rule-history.js';
import { DEFAULT_STATE_SCHEMA, stateSchemaExists } from '../../state/ensure-state-schema.js';
import { requireWritable } from '../require-writable.js';
import { formatOption, parseResumeFlags, runPlanCommand, type PlanFlags } from './plan.js';

interface RunFlags extends PlanFlags {
  dryRun: boolean;
  due: boolean;
  yes: boolean;
  batchSize?: string;
  maxRowsPerSecond?: string;
  maxRuntime?: string;
  maxReplicaLag?: string;
  concurrency?: string;
  failIfLocked: boolean;
  allowFutureNow: boolean;
  overrideGuard?: string[];
  plan?: string;
  planTolerance?: string;
}

export function registerRun(program: Command, action: ActionFactory): void {
  program
    .command('run')
    .description('delete, pseudonymize and anonymize due rows in resumable batches')
    .option('--only <ids>', 'only these rule ids, comma-separated')
    .option('--now <time>', 'pretend it is this time (ISO 8601)')
    .option('--resume', "continue unfinished runs with their own now and cutoffs, even when --now differs", false)
    .option('--restart', 'discard unfinished runs (their checkpoints) and use --now for every rule', false)
    .option('--dry-run', 'report what would be done, write nothing (same as plan)', false)
    .option('--yes', 'do not ask before writing on a terminal', false)
    .option('--due', 'only rules whose schedule fired since their last completed run', false)
    .option('--batch-size <n|auto>', 'rows per batch; auto adapts to the target duration', 'auto')
    .option('--max-rows-per-second <n>', 'throttle the rows changed per second')
    .option('--max-runtime <duration>', 'stop after the current batch once this long has passed (exit 3)')
    .option('--max-replica-lag <duration>', 'pause while any standby replays further behind than this')
    .option('--concurrency <n>', 'rules on different tables run in parallel, and a walk by pages is split between up to N workers', '1')
    .option('--fail-if-locked', 'exit 5 when another run holds a rule', false)
    .option('--plan <file>', "apply exactly this reviewed plan (lethe plan --format json): its rules at its now, refused (exit 4) when the rules, the tables' shape or the counts changed")
    .option('--plan-tolerance <share>', 'with --plan: how many more rows than approved a phase may have, e.g. 5% (default 0)')
    .option('--allow-future-now', "allow a real run whose now is ahead of the database's clock", false)
    .option('--override-guard <rule>', "pass this rule's blast-radius guards deliberately (repeatable or comma-separated; recorded in the ledger)", collectIds)
    .addOption(formatOption())
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--metrics-file <path>', 'write Prometheus metrics here (atomically) at the end')
    .option('--metrics-push <url>', 'push Prometheus metrics to this Pushgateway at the end, a failed run too (job lethe)')
    .option('--show-values', 'with --dry-run: previews also show values after the strategy (a test database only)', false)
    .action(
      action<RunFlags>(async (ctx, flags) => {
        const batchSize = flags.batchSize === 'auto' || flags.batchSize === undefined ? undefined : parsePositiveInteger('--batch-size', flags.batchSize);
        const maxRowsPerSecond = parsePositiveInteger('--max-rows-per-second', flags.maxRowsPerSecond);
        const maxRuntimeMs = parseDurationFlag('--max-runtime', flags.maxRuntime);
        const maxReplicaLagMs = parseDurationFlag('--max-replica-lag', flags.maxReplicaLag);
        const concurrency = parsePositiveInteger('--concurrency', flags.concurrency) ?? 1;
        if (flags.dryRun) return runPlanCommand(ctx, flags, 'dry-run', { due: flags.due });
        const metrics = metricsOutputsOf(ctx, flags, parsePushUrl(flags.metricsPush), 'run');
        const started = Date.now();
        try {
          return await runCommand(ctx, flags, metrics, started, { batchSize, maxRowsPerSecond, maxRuntimeMs, maxReplicaLagMs, concurrency });
        } catch (error) {
          // Without a report the textfile keeps the previous run's; a Pushgateway hears of the failure.
          if (metrics.push) {
            const exitCode = isLetheError(error) ? error.exitCode : 1;
            const guardTripped = isLetheError(error) && error.code === 'SAFETY_GUARD';
            await emitMetrics(ctx, { push: metrics.push }, renderFailureMetrics('run', { exitCode, durationSeconds: (Date.now() - started) / 1000, finishedAt: new Date(), guardTripped }), 'POST');
          }
          throw error;
        }
      }),
    );
}

interface Limits {
  batchSize: number | undefined;
  maxRowsPerSecond: number | undefined;
  maxRuntimeMs: number | undefined;
  maxReplicaLagMs: number | undefined;
  concurrency: number;
}

async function runCommand(ctx: CommandContext, flags: RunFlags, metrics: MetricsOutputs, started: number, limits: Limits): Promise<number> {
  const { exitCodeOfRun, runRetention } = await import('../../execute/run-retention.js');
  const { batchSize, maxRowsPerSecond, maxRuntimeMs, maxReplicaLagMs, concurrency } = limits;
  if (flags.showValues) throw new LetheError('USAGE', '--show-values needs --dry-run: a run prints no values', { hint: 'use lethe run --dry-run --show-values on a test database' });
  const reviewed = flags.plan === undefined ? undefined : await readReviewedPlan(flags.plan);
  if (flags.planTolerance !== undefined && !reviewed) throw new LetheError('USAGE', '--plan-tolerance needs --plan');
  const tolerance = parseTolerance(flags.planTolerance);
  if (reviewed && flags.now !== undefined && parseNow(flags.now, () => new Date()).toISOString() !== reviewed.now) {
    throw new LetheError('USAGE', `--now ${flags.now} differs from the plan's now ${reviewed.now}`, { hint: '--plan applies the plan at its own now; leave --now out' });
  }
  if (reviewed && (flags.only !== undefined || flags.due)) throw new LetheError('USAGE', '--plan applies the rules of the plan: leave out --only and --due');
  const now = reviewed ? new Date(reviewed.now) : parseNow(flags.now, () => new Date());
  const only = reviewed ? reviewed.rules.map((rule) => rule.id) : parseOnly(flags.only);
  // A reviewed plan's now is as explicit as --now: an unfinished run with another now needs --resume or --restart.
  const resume = { ...parseResumeFlags(flags), ...(reviewed ? { explicitNow: true } : {}) };
  const { ruleSet } = await loadRulesOrThrow(ctx.globals.rules);
  selectRules(ruleSet.rules, only); // an unknown id is a usage error, before any connection
  const overrideGuards = flags.overrideGuard ?? [];
  const unknownOverrides = overrideGuards.filter((id) => !ruleSet.rules.some((rule) => rule.id === id));
  if (unknownOverrides.length > 0) throw new LetheError('USAGE', `--override-guard: no rule with id ${unknownOverrides.map((id) => `'${id}'`).join(', ')}`);
  await requireWritable(flags.out, '--out');
  await requireWritable(flags.metricsFile, '--metrics-file');
  const url = parseDatabaseUrl(ctx.globals.db);
  const interactive = ctx.io.stdinIsTTY && ctx.io.stderrIsTTY && !flags.yes;
  const progress = ctx.createProgress();
  progress.start(`running ${only?.length ?? ruleSet.rules.length} rules`);
  const ran = await withDatabase(ctx, (db) =>
    runRetention(db, ruleSet, {
      url,
      now,
      only,
      resume,
      due: flags.due,
      batchSize,
      maxRowsPerSecond,
      maxRuntimeMs,
      maxReplicaLagMs,
      concurrency,
      signal: ctx.signal,
      logger: ctx.logger,
      readSecret: (name) => ctx.io.env[name],
      guards: { allowFutureNow: flags.allowFutureNow, overrideGuards, reviewedPlan: reviewed && flags.plan ? { report: reviewed, tolerance, file: flags.plan } : undefined },
      ...(interactive
        ? {
            confirm: async (preview) => {
              // The spinner would draw over the question.
              progress.stop();
              ctx.io.writeStderr(renderReport(preview, 'text'));
              const yes = await ctx.io.ask('Apply these changes?');
              if (yes) progress.start(`running ${preview.rules.length} rules`);
              return yes;
            },
          }
        : {}),
      onBatch: (event) => {
        if (progress.interactive) progress.update(`${event.ruleId} ${event.action} ${event.phase}: ${event.totalRows} rows`);
        else ctx.logger.info('batch', { ...event });
      },
    }),
  );
  progress.stop();
  const report = nameSettingsFile(ran, ruleSet.settingsFile);
  await writeReport(ctx, report, flags.format, flags.out);
  for (const rule of report.rules) {
    if (rule.error) ctx.io.writeStderr(renderRuleFailure(rule.id, rule.error, causeOf(rule.error), ctx.globals.verbose));
    if (rule.status === 'skipped') ctx.io.writeStderr(`lethe: rule '${rule.id}' skipped: another run holds its lock${rule.lockedBy ? ` (pid ${rule.lockedBy.pid}, ${rule.lockedBy.applicationName})` : ''}\n`);
  }
  const exitCode = exitCodeOfRun(report, flags.failIfLocked);
  if (metrics.file || metrics.push) {
    const history = await readMetricsHistory(ctx, ruleSet, now);
    await emitMetrics(ctx, metrics, renderMetrics(report, { exitCode, durationSeconds: (Date.now() - started) / 1000, finishedAt: new Date(), ...history }));
  }
  return exitCode;
}

/** Every rule's last success (not only this run's rules) and schedule interval, for alerts. */
async function readMetricsHistory(ctx: CommandContext, ruleSet: RuleSet, now: Date): Promise<{ lastSuccess: Map<string, Date>; scheduleIntervals: Map<string, number> }> {
  const known = new Set(ruleSet.rules.map((rule) => rule.id));
  const lastSuccess = await withDatabase(ctx, (db) =>
    withClient(db, async (client) => ((await stateSchemaExists(client, DEFAULT_STATE_SCHEMA)) ? readLastSuccess(client, DEFAULT_STATE_SCHEMA) : new Map<string, Date>())),
  ).catch(() => new Map<string, Date>()); // metrics never fail a finished run
  const { nextFireTimes } = await import('../../rules/cron.js');
  const scheduleIntervals = new Map<string, number>();
  for (const rule of ruleSet.rules) {
    if (!rule.schedule) continue;
    const [first, second] = nextFireTimes(rule.schedule, rule.timezone, now, 2);
    if (first && second) scheduleIntervals.set(rule.id, (second.getTime() - first.getTime()) / 1000);
  }
  return { lastSuccess: new Map([...lastSuccess].filter(([id]) => known.has(id))), scheduleIntervals };
}

