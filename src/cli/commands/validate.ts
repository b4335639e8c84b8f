import { Option, type Command } from 'commander';
import { formatProblem, loadRules } from '../../rules/load-rules.js';
import type { RuleProblem } from '../../rules/types.js';
import type { OverduePhase } from '../../plan/find-overdue.js';
import type { ActionFactory } from '../program.js';
import { renderCascadeTrees, type CascadeTree } from '../../check/describe-cascade-trees.js';
import { formatMissingPrivilege, type MissingPrivilege } from '../../check/read-missing-privileges.js';

interface ValidateOptions {
  format: 'text' | 'json';
  strict: boolean;
}

export function registerValidate(program: Command, action: ActionFactory): void {
  program
    .command('validate')
    .description('parse and validate rule files, offline')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--strict', 'treat warnings as errors', false)
    .action(
      action<ValidateOptions>(async (ctx, options) => {
        const { ruleSet, problems } = await loadRules(ctx.globals.rules);
        const failed = !ruleSet || (options.strict && problems.length > 0);
        ctx.io.writeStdout(renderValidation(problems, options.format, { valid: !failed, rules: ruleSet?.rules.length ?? 0, files: ruleSet?.files.length ?? 0 }));
        return failed ? 2 : 0;
      }),
    );
}

export function renderValidation(
  problems: RuleProblem[],
  format: 'text' | 'json',
  summary: { valid: boolean; rules: number; files: number; overdue?: OverduePhase[]; trees?: CascadeTree[]; missingPrivileges?: MissingPrivilege[] },
): string {
  if (format === 'json') {
    const trees = summary.trees?.length ? { cascadeTrees: summary.trees } : {};
    const privileges = summary.missingPrivileges ? { missingPrivileges: summary.missingPrivileges } : {};
    return JSON.stringify({ lethe: 1, valid: summary.valid, rules: summary.rules, files: summary.files, problems, ...privileges, ...(summary.overdue ? { overdue: summary.overdue } : {}), ...trees }, null, 2) + '\n';
  }
  const lines = problems.map(formatProblem);
  lines.push(...(summary.missingPrivileges ?? []).map(formatMissingPrivilege));
  lines.push(...renderCascadeTrees(summary.trees ?? []));
  for (const late of summary.overdue ?? []) {
    lines.push(`overdue: ${late.rule} ${late.action} ${late.phase}: ${late.candidates} rows due, the oldest ${formatLate(late.lateByMs)} past its cutoff (${late.oldest})`);
  }
  const errors = problems.filter((problem) => problem.severity === 'error').length;
  const warnings = problems.length - errors;
  lines.push(
    summary.valid
      ? `${plural(summary.rules, 'rule')} in ${plural(summary.files, 'file')} ${summary.rules === 1 ? 'is' : 'are'} valid${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}`
      : `invalid: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${summary.missingPrivileges?.length ? `, ${summary.missingPrivileges.length} missing privilege${summary.missingPrivileges.length === 1 ? '' : 's'}` : ''}`,
  );
  return lines.join('\n') + '\n';
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function formatLate(ms: number): string {
  const days = ms / 86_400_000;
  return days >= 1 ? `${days.toFixed(1)} days` : `${(ms / 3_600_000).toFixed(1)} hours`;
}
