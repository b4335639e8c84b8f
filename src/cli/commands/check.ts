import { Option, type Command } from 'commander';
import { loadRules } from '../../rules/load-rules.js';
import type { ActionFactory } from '../program.js';
import { withDatabase } from '../open-database.js';
import { renderValidation } from './validate.js';
import { describeCascadeTrees, type CascadeTree } from '../../check/describe-cascade-trees.js';
import { findOverdue, type OverduePhase } from '../../plan/find-overdue.js';
import { parseDurationFlag, parseNow, parsePositiveInteger } from '../parse-flags.js';
import type { RequestCoverage } from '../../requests/find-uncovered-references.js';
import type { MissingPrivilege } from '../../check/read-missing-privileges.js';
import type { Report } from '../../report/types.js';
import { renderCheckMetrics } from '../../report/render-check-metrics.js';
import { emitMetrics, metricsOutputsOf } from '../write-metrics.js';
import { parsePushUrl } from '../push-metrics.js';
import { requireWritable } from '../require-writable.js';
import type { CoverageReport } from '../../check/check-coverage.js';
import { LetheError } from '../../errors.js';

interface CheckOptions {
  format: 'text' | 'json' | 'markdown';
  strict: boolean;
  failOnOverdue?: string | boolean;
  now?: string;
  metricsFile?: string;
  metricsPush?: string;
  requests: boolean;
  coverage: boolean;
  failOnUncovered: boolean;
  sample?: string;
}

export function registerCheck(program: Command, action: ActionFactory): void {
  program
    .command('check')
    .description('check rules against the live schema, read-only (a CI gate)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .option('--strict', 'treat warnings (TODO comments included) as errors', false)
    .option('--fail-on-overdue [grace]', 'exit 4 when due rows are older than their cutoff by more than grace (default 1d)')
    .option('--now <time>', 'pretend it is this time (ISO 8601)')
    .option('--metrics-file <path>', 'write Prometheus metrics here (atomically): errors, missing privileges, overdue rows')
    .option('--metrics-push <url>', 'push the same metrics to this Pushgateway (job lethe)')
    .option('--requests', 'list tables referencing the people the subjects name that no rule reaches (a request would leave their rows)', false)
    .option('--coverage', 'list columns no rule changes, deletes or keeps, and personal columns of tables no rule touches', false)
    .option('--fail-on-uncovered', 'exit 4 when --requests or --coverage finds something uncovered', false)
    .option('--sample <rows>', 'with --coverage: match up to this many rows per table against value patterns (only counts are reported)')
    .action(
      action<CheckOptions>(async (ctx, options) => {
        const started = Date.now();
        const now = parseNow(options.now, () => new Date());
        const graceMs = parseGrace(options.failOnOverdue);
        const sample = parsePositiveInteger('--sample', options.sample);
        if (options.failOnUncovered && !options.coverage && !options.requests) {
          throw new LetheError('USAGE', '--fail-on-uncovered needs a mode that looks for uncovered data: --coverage or --requests', { hint: 'lethe check --coverage --requests --fail-on-uncovered' });
        }
        if (sample !== undefined && !options.coverage) throw new LetheError('USAGE', '--sample works with --coverage', { hint: 'lethe check --coverage --sample 100' });
        const metrics = metricsOutputsOf(ctx, options, parsePushUrl(options.metricsPush), 'check');
        await requireWritable(options.metricsFile, '--metrics-file');
        let plan: Report | undefined;
        const loaded = await loadRules(ctx.globals.rules);
        let problems = loaded.problems;
        let overdue: OverduePhase[] = [];
        let trees: CascadeTree[] = [];
        let requests: RequestCoverage | undefined;
        let coverage: CoverageReport | undefined;
        let missingPrivileges: MissingPrivilege[] = [];
        if (loaded.ruleSet) {
          const ruleSet = loaded.ruleSet;
          const [{ checkRules }, { planRetention }] = await Promise.all([import('../../check/check-rules.js'), import('../../plan/plan-retention.js')]);
          await withDatabase(ctx, async (db) => {
            const checked = await checkRules(db, ruleSet, now);
            problems = [...problems, ...checked.problems];
            missingPrivileges = checked.missingPrivileges;
            const usable = !problems.some((problem) => problem.severity === 'error');
            if (usable) trees = describeCascadeTrees(ruleSet, checked.catalog);
            if (options.requests && usable) {
              const { checkRequestCoverage } = await import('../../requests/check-request-coverage.js');
              requests = await checkRequestCoverage(db, ruleSet, checked.catalog);
            }
            if (options.coverage && usable) {
              const { checkCoverage } = await import('../../check/check-coverage.js');
              const { readClassifiedSchema } = await import('../../classify/read-classified-schema.js');
              const classified = await readClassifiedSchema(db, { settings: ruleSet.classify, sample });
              coverage = checkCoverage(ruleSet, classified.facts, classified.personal, ruleSet.coverage);
            }
            if (graceMs !== undefined && usable && missingPrivileges.length === 0) {
              const { report } = await planRetention(db, ruleSet, { now, mode: 'plan', previewRows: 0, readSecret: () => undefined });
              overdue = findOverdue(report, graceMs);
              plan = report;
            }
          });
        }
        const errors = problems.filter((problem) => problem.severity === 'error');
        const failed = !loaded.ruleSet || errors.length > 0 || missingPrivileges.length > 0 || (options.strict && problems.length > 0);
        ctx.io.writeStdout(renderValidation(problems, options.format, { valid: !failed, rules: loaded.ruleSet?.rules.length ?? 0, files: loaded.ruleSet?.files.length ?? 0, overdue, trees, missingPrivileges, requests, coverage }));
        // Every mode that looks for uncovered data adds its finding; --fail-on-uncovered gates on any of them.
        const uncovered = (requests?.uncovered.length ?? 0) > 0 || coverage?.status === 'uncovered';
        const exitCode = failed ? 2 : overdue.length > 0 || (options.failOnUncovered && uncovered) ? 4 : 0;
        if (metrics.file || metrics.push) {
          const text = renderCheckMetrics({ plan, overdue, errors: errors.length, missingPrivileges: missingPrivileges.length }, { exitCode, durationSeconds: (Date.now() - started) / 1000, finishedAt: new Date() });
          await emitMetrics(ctx, metrics, text);
        }
        return exitCode;
      }),
    );
}

/** `--fail-on-overdue` alone means a grace of one day. */
function parseGrace(value: string | boolean | undefined): number | undefined {
  if (value === undefined || value === false) return undefined;
  return parseDurationFlag('--fail-on-overdue', value === true ? '1d' : value);
}
