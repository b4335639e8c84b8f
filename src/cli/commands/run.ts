import { Option, type Command } from 'commander';
import { LetheError } from '../../errors.js';
import { exitCodeOfRun, runRetention } from '../../execute/run-retention.js';
import { renderReport } from '../../report/render-report.js';
import { loadRulesOrThrow } from '../../rules/load-rules.js';
import { selectRules } from '../../plan/build-plan.js';
import { parseDatabaseUrl } from '../../db/connect.js';
import type { ActionFactory } from '../program.js';
import { withDatabase } from '../open-database.js';
import { parseDurationFlag, parseNow, parseOnly, parsePositiveInteger } from '../parse-flags.js';
import { writeReport } from '../write-report.js';
import { writeMetricsFile } from '../write-metrics.js';
import { requireWritable } from '../require-writable.js';
import { formatOption, runPlanCommand, type PlanFlags } from './plan.js';

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
}

export function registerRun(program: Command, action: ActionFactory): void {
  program
    .command('run')
    .description('delete, pseudonymize and anonymize due rows in resumable batches')
    .option('--only <ids>', 'only these rule ids, comma-separated')
    .option('--now <time>', 'pretend it is this time (ISO 8601)')
    .option('--dry-run', 'report what would be done, write nothing (same as plan)', false)
    .option('--yes', 'do not ask before writing on a terminal', false)
    .option('--due', 'only rules whose schedule fired since their last completed run', false)
    .option('--batch-size <n|auto>', 'rows per batch; auto adapts to the target duration', 'auto')
    .option('--max-rows-per-second <n>', 'throttle the rows changed per second')
    .option('--max-runtime <duration>', 'stop after the current batch once this long has passed (exit 3)')
    .option('--max-replica-lag <duration>', 'pause while any standby replays further behind than this')
    .option('--concurrency <n>', 'rules on different tables run in parallel', '1')
    .option('--fail-if-locked', 'exit 5 when another run holds a rule', false)
    .addOption(formatOption())
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--metrics-file <path>', 'write Prometheus metrics here (atomically) at the end')
    .option('--show-values', 'with --dry-run: previews also show values after the strategy (a test database only)', false)
    .action(
      action<RunFlags>(async (ctx, flags) => {
        const batchSize = flags.batchSize === 'auto' || flags.batchSize === undefined ? undefined : parsePositiveInteger('--batch-size', flags.batchSize);
        const maxRowsPerSecond = parsePositiveInteger('--max-rows-per-second', flags.maxRowsPerSecond);
        const maxRuntimeMs = parseDurationFlag('--max-runtime', flags.maxRuntime);
        const maxReplicaLagMs = parseDurationFlag('--max-replica-lag', flags.maxReplicaLag);
        const concurrency = parsePositiveInteger('--concurrency', flags.concurrency) ?? 1;
        if (flags.dryRun) return runPlanCommand(ctx, flags, 'dry-run', { due: flags.due });
        if (flags.showValues) throw new LetheError('USAGE', '--show-values needs --dry-run: a run prints no values', { hint: 'use lethe run --dry-run --show-values on a test database' });
        const started = Date.now();
        const now = parseNow(flags.now, () => new Date());
        const only = parseOnly(flags.only);
        const { ruleSet } = await loadRulesOrThrow(ctx.globals.rules);
        selectRules(ruleSet.rules, only); // an unknown id is a usage error, before any connection
        await requireWritable(flags.out, '--out');
        await requireWritable(flags.metricsFile, '--metrics-file');
        const url = parseDatabaseUrl(ctx.globals.db);
        const interactive = ctx.io.stdinIsTTY && ctx.io.stderrIsTTY && !flags.yes;
        const progress = ctx.createProgress();
        progress.start(`running ${only?.length ?? ruleSet.rules.length} rules`);
        const report = await withDatabase(ctx, (db) =>
          runRetention(db, ruleSet, {
            url,
            now,
            only,
            due: flags.due,
            batchSize,
            maxRowsPerSecond,
            maxRuntimeMs,
            maxReplicaLagMs,
            concurrency,
            signal: ctx.signal,
            logger: ctx.logger,
            readSecret: (name) => ctx.io.env[name],
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
        await writeReport(ctx, report, flags.format, flags.out);
        for (const rule of report.rules) {
          if (rule.error) ctx.io.writeStderr(`lethe: rule '${rule.id}': ${rule.error?.message ?? 'failed'} [${rule.error?.code ?? 'SQL_FAILED'}]\n`);
          if (rule.status === 'skipped') ctx.io.writeStderr(`lethe: rule '${rule.id}' skipped: another run holds its lock${rule.lockedBy ? ` (pid ${rule.lockedBy.pid}, ${rule.lockedBy.applicationName})` : ''}\n`);
        }
        const exitCode = exitCodeOfRun(report, flags.failIfLocked);
        if (flags.metricsFile) await writeMetricsFile(flags.metricsFile, report, { exitCode, durationSeconds: (Date.now() - started) / 1000, finishedAt: new Date() });
        return exitCode;
      }),
    );
}
