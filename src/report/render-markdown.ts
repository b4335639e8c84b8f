import { formatCount, formatDate, groupByCategory, modeTitle, totals } from './group-rules.js';
import { describePreviewColumn } from './render-text.js';
import type { Report } from './types.js';

/** Fits a CI job summary or a pull-request comment. */
export function renderMarkdown(report: Report): string {
  const isRun = report.mode === 'run';
  const sum = totals(report);
  const lines = [
    `## ${modeTitle(report)}`,
    '',
    `Now: \`${report.now}\`${report.settings !== undefined ? ` · settings: ${report.settings ? `\`${report.settings}\`` : 'none'}` : ''} · status: **${report.status}** · ${isRun ? `${formatCount(sum.affected)} rows changed` : `${formatCount(sum.candidates)} rows due`} · ${formatCount(sum.held)} held`,
    '',
  ];
  if (report.ledgerHead) lines.push(`Ledger head: \`${report.ledgerHead.seq}:${report.ledgerHead.hash}\` (check it later with \`lethe status --verify-head\`)`, '');
  for (const [category, rules] of groupByCategory(report)) {
    lines.push(`### ${category}`, '');
    lines.push(`| rule | table | status | after | action | cutoff | candidates | held | ${isRun ? 'affected' : 'oldest'} |`);
    lines.push('|---|---|---|---|---|---|---:|---:|---|');
    for (const rule of rules) {
      if (rule.phases.length === 0) lines.push(`| \`${rule.id}\` | ${rule.table} | ${rule.status} | | | | | | |`);
      for (const phase of rule.phases) {
        const last = isRun ? formatCount(phase.affected) : formatDate(phase.oldest);
        lines.push(`| \`${rule.id}\` | ${rule.table} | ${rule.status} | ${phase.after} | ${phase.action} | ${formatDate(phase.cutoff)} | ${formatCount(phase.candidates)} | ${formatCount(phase.held)} | ${last} |`);
      }
    }
    const notes = rules.flatMap((rule) => [
      ...(rule.error ? [`- \`${rule.id}\`: **${rule.error.code}** ${rule.error.message}`] : []),
      ...rule.phases.flatMap((phase) => (phase.partitions ?? []).map((drop) => `- \`${rule.id}\` ${phase.action} ${phase.after}: drops partition \`${drop.partition}\` whole (${drop.bound}): ${formatCount(drop.rows)} rows`)),
      ...rule.phases.flatMap((phase) => (phase.cascades ?? []).map((cascade) => `- \`${rule.id}\` ${phase.action} ${phase.after}: also removes ${formatCount(cascade.rows)} rows of ${cascade.table}`)),
      ...rule.phases.flatMap((phase) => (phase.preview?.[0] ? [`- \`${rule.id}\` ${phase.action} ${phase.after} preview: ${phase.preview[0].map((column) => `\`${describePreviewColumn(column)}\``).join(', ')}`] : [])),
      ...rule.phases.flatMap((phase) =>
        phase.failed
          ? [`- \`${rule.id}\` ${phase.action} ${phase.after}: ${formatCount(phase.failed)} rows left unchanged (a value broke the strategy): ${(phase.failedRows ?? []).slice(0, 10).map((row) => `\`${row.key.join(', ')}\``).join(', ')}`]
          : [],
      ),
    ]);
    lines.push('', ...notes, ...(notes.length ? [''] : []));
  }
  return lines.join('\n') + '\n';
}
