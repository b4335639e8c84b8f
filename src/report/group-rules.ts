import type { Report, RuleReport } from './types.js';

/** Rules grouped by category, in first-seen order, for the human formats. */
export function groupByCategory(report: Report): [string, RuleReport[]][] {
  const groups = new Map<string, RuleReport[]>();
  for (const rule of report.rules) groups.set(rule.category, [...(groups.get(rule.category) ?? []), rule]);
  return [...groups.entries()];
}

export function formatCount(value: number | undefined): string {
  return value === undefined ? '-' : value.toLocaleString('en-US');
}

export function formatDate(value: string | null | undefined): string {
  return value ? value.replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, 'Z') : '-';
}

export function modeTitle(report: Report): string {
  if (report.mode === 'run') return 'Lethe run';
  return report.mode === 'plan' ? 'Lethe plan (dry run: nothing was written)' : 'Lethe run --dry-run (nothing was written)';
}

export function totals(report: Report): { candidates: number; held: number; affected: number } {
  let candidates = 0;
  let held = 0;
  let affected = 0;
  for (const rule of report.rules) {
    for (const phase of rule.phases) {
      candidates += phase.candidates;
      held += phase.held;
      affected += phase.affected;
    }
  }
  return { candidates, held, affected };
}
