import { Option, type Command } from 'commander';
import { formatProblem } from '../../rules/load-rules.js';
import type { RuleProblem } from '../../rules/types.js';
import type { OverduePhase } from '../../plan/find-overdue.js';
import type { ActionFactory } from '../program.js';
import { renderCascadeTrees, type CascadeTree } from '../../check/describe-cascade-trees.js';
import type { CoverageReport } from '../../check/check-coverage.js';
import { renderCoverageMarkdown, renderCoverageText } from '../../report/render-coverage.js';
import { renderRequestCoverage } from '../../requests/check-request-coverage.js';
import type { RequestCoverage } from '../../requests/find-uncovered-references.js';
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
        const { loadRules } = await import('../../rules/load-rules.js');
        const { ruleSet, problems } = await loadRules(ctx.globals.rules);
        const failed = !ruleSet || (options.strict && problems.length > 0);
        ctx.io.writeStdout(renderValidation(problems, options.format, { valid: !failed, rules: ruleSet?.rules.length ?? 0, files: ruleSet?.files.length ?? 0 }));
        return failed ? 2 : 0;
      }),
    );
}

export function renderValidation(
  problems: RuleProblem[],
  format: 'text' | 'json' | 'markdown',
  summary: { valid: boolean; rules: number; files: number; overdue?: OverduePhase[]; trees?: CascadeTree[]; missingPrivileges?: MissingPrivilege[]; requests?: RequestCoverage | undefined; coverage?: CoverageReport | undefined },
): string {
  if (format === 'json') {
    const trees = summary.trees?.length ? { cascadeTrees: summary.trees } : {};
    const privileges = summary.missingPrivileges ? { missingPrivileges: summary.missingPrivileges } : {};
    const coverage = summary.coverage ? { coverage: summary.coverage } : {};
    return JSON.stringify({ lethe: 1, valid: summary.valid, rules: summary.rules, files: summary.files, problems, ...privileges, ...(summary.overdue ? { overdue: summary.overdue } : {}), ...trees, ...(summary.requests ? { requests: summary.requests } : {}), ...coverage }, null, 2) + '\n';
  }
  if (format === 'markdown') return renderValidationMarkdown(problems, summary);
  const lines = problems.map(formatProblem);
  lines.push(...(summary.missingPrivileges ?? []).map(formatMissingPrivilege));
  lines.push(...renderCascadeTrees(summary.trees ?? []));
  if (summary.requests) lines.push(...renderRequestCoverage(summary.requests));
  for (const late of summary.overdue ?? []) {
    lines.push(`overdue: ${late.rule} ${late.action} ${late.phase}: ${late.candidates} rows due, the oldest ${formatLate(late.lateByMs)} past its cutoff (${late.oldest})`);
  }
  if (summary.coverage) lines.push(...renderCoverageText(summary.coverage));
  lines.push(summarizeValidation(problems, summary));
  return lines.join('\n') + '\n';
}

/** `check --format markdown`: the problems as a list, then the coverage section, for a CI job to post. */
function renderValidationMarkdown(problems: RuleProblem[], summary: Parameters<typeof renderValidation>[2]): string {
  const lines = ['# Lethe check', '', summarizeValidation(problems, summary), ''];
  if (problems.length > 0) lines.push(...problems.map((problem) => `- \`${problem.file}:${problem.line}:${problem.column}\` ${problem.path}: ${problem.severity === 'warning' ? '**warning** ' : ''}${problem.message}`), '');
  for (const missing of summary.missingPrivileges ?? []) lines.push(`- ${formatMissingPrivilege(missing)}`);
  for (const late of summary.overdue ?? []) lines.push(`- overdue: ${late.rule} ${late.action} ${late.phase}: ${late.candidates} rows due (${late.oldest})`);
  if (summary.requests) lines.push(...renderRequestCoverage(summary.requests).map((line) => `- ${line}`), '');
  if (summary.coverage) lines.push(...renderCoverageMarkdown(summary.coverage));
  return lines.join('\n') + '\n';
}

function summarizeValidation(problems: RuleProblem[], summary: Parameters<typeof renderValidation>[2]): string {
  const errors = problems.filter((problem) => problem.severity === 'error').length;
  const warnings = problems.length - errors;
  return (
    summary.valid
      ? `${plural(summary.rules, 'rule')} in ${plural(summary.files, 'file')} ${summary.rules === 1 ? 'is' : 'are'} valid${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}`
      : `invalid: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${summary.missingPrivileges?.length ? `, ${summary.missingPrivileges.length} missing privilege${summary.missingPrivileges.length === 1 ? '' : 's'}` : ''}`
  );
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function formatLate(ms: number): string {
  const days = ms / 86_400_000;
  return days >= 1 ? `${days.toFixed(1)} days` : `${(ms / 3_600_000).toFixed(1)} hours`;
}
