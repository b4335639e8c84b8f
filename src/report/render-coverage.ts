import type { CoverageReport, UncoveredColumn } from '../check/check-coverage.js';

/** `check --coverage` in text: one line per uncovered column, then a summary line. */
export function renderCoverageText(report: CoverageReport): string[] {
  const lines = report.uncovered.map((item) => `uncovered: ${item.table}.${item.column}${describeGuess(item)}: ${describeWhy(item)}`);
  lines.push(summarize(report));
  return lines;
}

/** The same as a Markdown section, for a CI job to post on a pull request. */
export function renderCoverageMarkdown(report: CoverageReport): string[] {
  const lines = ['## Coverage', '', summarize(report), ''];
  if (report.uncovered.length > 0) {
    lines.push('| column | guess | why |', '|---|---|---|');
    for (const item of report.uncovered) lines.push(`| \`${item.table}.${item.column}\` | ${item.category ?? ''} | ${escapeCell(describeWhy(item))} |`);
    lines.push('');
  }
  if (report.kept.length > 0) {
    lines.push('<details><summary>kept on purpose</summary>', '', '| column | rule | reason |', '|---|---|---|');
    for (const item of report.kept) lines.push(`| \`${item.table}.${item.column}\` | ${item.rule} | ${escapeCell(item.reason)} |`);
    lines.push('', '</details>', '');
  }
  return lines;
}

function summarize(report: CoverageReport): string {
  const columns = report.tables.reduce((sum, table) => sum + table.columns, 0);
  const counts = `${report.tables.length} tables touched by rules, ${columns} columns: ${report.tables.reduce((sum, table) => sum + table.changed, 0)} changed, ${report.tables.reduce((sum, table) => sum + table.deleted, 0)} deleted, ${report.kept.length} kept`;
  if (report.status === 'covered') return `coverage: covered (${counts})`;
  const missing = report.uncovered.filter((item) => item.why === 'not-changed').length;
  const outside = report.uncovered.length - missing;
  return `coverage: uncovered: ${missing} column${missing === 1 ? '' : 's'} no rule changes, deletes or keeps, ${outside} personal column${outside === 1 ? '' : 's'} in tables no rule touches (${counts})`;
}

function describeGuess(item: UncoveredColumn): string {
  return item.category ? ` (${item.category}: ${item.evidence.join(', ')})` : '';
}

function describeWhy(item: UncoveredColumn): string {
  if (item.why === 'no-rule') return 'personal, and no rule touches the table; write a rule, or list it in coverage.ignore of lethe.yaml with the reason';
  const rules = item.rules.map((rule) => `${rule.id} (${rule.file}:${rule.line})`).join(', ');
  return `left as it is by ${rules}; change it in a phase, or add it to the rule's keep with the reason`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
