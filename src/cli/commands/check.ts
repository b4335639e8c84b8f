import { Option, type Command } from 'commander';
import { checkRules } from '../../check/check-rules.js';
import { loadRules } from '../../rules/load-rules.js';
import type { ActionFactory } from '../program.js';
import { withDatabase } from '../open-database.js';
import { renderValidation } from './validate.js';
import { describeCascadeTrees, type CascadeTree } from '../../check/describe-cascade-trees.js';
import { planRetention } from '../../plan/plan-retention.js';
import { findOverdue, type OverduePhase } from '../../plan/find-overdue.js';
import { parseDurationFlag, parseNow } from '../parse-flags.js';
import type { MissingPrivilege } from '../../check/read-missing-privileges.js';

interface CheckOptions {
  format: 'text' | 'json';
  strict: boolean;
  failOnOverdue?: string | boolean;
  now?: string;
}

export function registerCheck(program: Command, action: ActionFactory): void {
  program
    .command('check')
    .description('check rules against the live schema, read-only (a CI gate)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--strict', 'treat warnings as errors', false)
    .option('--fail-on-overdue [grace]', 'exit 4 when due rows are older than their cutoff by more than grace (default 1d)')
    .option('--now <time>', 'pretend it is this time (ISO 8601)')
    .action(
      action<CheckOptions>(async (ctx, options) => {
        const now = parseNow(options.now, () => new Date());
        const graceMs = parseGrace(options.failOnOverdue);
        const loaded = await loadRules(ctx.globals.rules);
        let problems = loaded.problems;
        let overdue: OverduePhase[] = [];
        let trees: CascadeTree[] = [];
        let missingPrivileges: MissingPrivilege[] = [];
        if (loaded.ruleSet) {
          const ruleSet = loaded.ruleSet;
          await withDatabase(ctx, async (db) => {
            const checked = await checkRules(db, ruleSet, now);
            problems = [...problems, ...checked.problems];
            missingPrivileges = checked.missingPrivileges;
            if (!problems.some((problem) => problem.severity === 'error')) trees = describeCascadeTrees(ruleSet, checked.catalog);
            if (graceMs !== undefined && !problems.some((problem) => problem.severity === 'error') && missingPrivileges.length === 0) {
              const { report } = await planRetention(db, ruleSet, { now, mode: 'plan', previewRows: 0, readSecret: () => undefined });
              overdue = findOverdue(report, graceMs);
            }
          });
        }
        const errors = problems.filter((problem) => problem.severity === 'error');
        const failed = !loaded.ruleSet || errors.length > 0 || missingPrivileges.length > 0 || (options.strict && problems.length > 0);
        ctx.io.writeStdout(renderValidation(problems, options.format, { valid: !failed, rules: loaded.ruleSet?.rules.length ?? 0, files: loaded.ruleSet?.files.length ?? 0, overdue, trees, missingPrivileges }));
        if (failed) return 2;
        return overdue.length > 0 ? 4 : 0;
      }),
    );
}

/** `--fail-on-overdue` alone means a grace of one day. */
function parseGrace(value: string | boolean | undefined): number | undefined {
  if (value === undefined || value === false) return undefined;
  return parseDurationFlag('--fail-on-overdue', value === true ? '1d' : value);
}
