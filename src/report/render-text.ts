import { formatCount, formatDate, groupByCategory, modeTitle, totals } from './group-rules.js';
import type { PhaseReport, PreviewColumn, Report, RuleReport } from './types.js';

/** `email: text(23) -> hmac`; the value after only when the report carries it (--show-values). */
export function describePreviewColumn(column: PreviewColumn): string {
  const shape = `${column.column}: ${column.before.type}(${column.before.length ?? 'null'}) -> ${column.does}`;
  const fit = column.fit ? ` (fake values fit ${column.fit.maxLength} characters: longer ones redrawn, else trimmed${column.fit.how === 'drawn' ? '' : `; this one ${column.fit.how}`})` : '';
  return column.after === undefined ? `${shape}${fit}` : `${shape} = ${column.after ?? 'NULL'}${fit}`;
}

/** A table per category, for a person at a terminal. */
export function renderText(report: Report): string {
  const lines = [`${modeTitle(report)} — now ${report.now}${report.runId ? ` — run ${report.runId}` : ''}`];
  if (report.settings !== undefined) lines.push(`settings: ${report.settings ?? 'none (no lethe.yaml)'}`);
  lines.push('');
  const isRun = report.mode === 'run';
  // The rules are listed in run order; when some wait for others, say the order outright.
  if (report.rules.some((rule) => rule.runsAfter?.length)) lines.splice(1, 0, `run order: ${report.rules.map((rule) => rule.id).join(' -> ')}`);
  for (const [category, rules] of groupByCategory(report)) {
    lines.push(category);
    for (const rule of rules) lines.push(...renderRule(rule, isRun));
    lines.push('');
  }
  const sum = totals(report);
  if (report.ledgerHead) lines.push(`ledger head: ${report.ledgerHead.seq}:${report.ledgerHead.hash} (keep it; lethe status --verify-head checks it later)`);
  lines.push(
    isRun
      ? `total: ${formatCount(sum.affected)} rows changed, ${formatCount(sum.held)} held; status ${report.status}`
      : `total: ${formatCount(sum.candidates)} rows due, ${formatCount(sum.held)} held; status ${report.status}`,
  );
  return lines.join('\n') + '\n';
}

function renderRule(rule: RuleReport, isRun: boolean): string[] {
  const lines = [`  ${rule.id}  (${rule.table})  ${rule.status}`];
  if (rule.error) lines.push(`    error ${rule.error.code}: ${rule.error.message}`);
  if (rule.lockedBy) lines.push(`    locked by pid ${rule.lockedBy.pid} (${rule.lockedBy.applicationName}) since ${formatDate(rule.lockedBy.since)}`);
  if (rule.stoppedBecause) lines.push(`    stopped: ${rule.stoppedBecause}`);
  for (const dependency of rule.runsAfter ?? []) lines.push(`    ${dependency.because}`);
  if (rule.clocksLost) lines.push(`    ${formatCount(rule.clocksLost.rows)} rows lost their clock during the run (${rule.clocksLost.because}): they no longer expire`);
  if (rule.resumes) lines.push(`    resumes unfinished run ${rule.resumes.runId.slice(0, 8)} with its now ${rule.resumes.now} (cutoffs below are that run's)`);
  if (rule.phases.length === 0) return lines;
  const header = ['after', 'action', 'cutoff', 'candidates', 'held', isRun ? 'affected' : 'batches~', isRun ? 'deferred' : 'oldest'];
  const rows = rule.phases.map((phase) => [
    phase.after,
    phase.action,
    formatDate(phase.cutoff),
    formatCount(phase.candidates),
    formatCount(phase.held),
    isRun ? formatCount(phase.affected) : formatCount(phase.estimatedBatches),
    isRun ? formatCount(phase.deferred) : formatDate(phase.oldest),
  ]);
  lines.push(...formatTable([header, ...rows]).map((line) => `    ${line}`));
  for (const phase of rule.phases) lines.push(...renderDetails(phase));
  return lines;
}

function renderDetails(phase: PhaseReport): string[] {
  const lines: string[] = [];
  if (phase.heldBy) {
    const reasons = phase.heldBy.map((held) => `${formatCount(held.rows)} ${held.reason === 'subject' ? 'by subject' : held.reason === 'hold' ? "by the rule's hold" : `taking along held rows of ${held.table}`}`);
    lines.push(`      ${phase.action} ${phase.after}: held ${formatCount(phase.held)}: ${reasons.join(', ')}`);
  }
  for (const drop of phase.partitions ?? []) {
    lines.push(`      ${phase.action} ${phase.after}: drops partition ${drop.partition} whole (${drop.bound}): ${formatCount(drop.rows)} rows`);
  }
  if (phase.partitionsNote) lines.push(`      ${phase.action} ${phase.after}: no partition is dropped: ${phase.partitionsNote}`);
  for (const cascade of phase.cascades ?? []) {
    lines.push(`      ${phase.action} ${phase.after}: also removes ${formatCount(cascade.rows)} rows of ${cascade.table} (${cascade.by === 'rule' ? 'cascade' : 'ON DELETE CASCADE'})`);
  }
  if (phase.remaining !== undefined) lines.push(`      ${phase.action} ${phase.after}: ${formatCount(phase.remaining)} rows still match after the run`);
  const sample = phase.preview?.[0];
  if (sample) {
    lines.push(`      ${phase.action} ${phase.after} preview: ${sample.map(describePreviewColumn).join('; ')}`);
  }
  if (phase.failed) {
    lines.push(`      ${phase.action} ${phase.after}: ${formatCount(phase.failed)} rows left unchanged (a value broke the strategy)`);
    for (const row of phase.failedRows ?? []) lines.push(`        key ${row.key.join(', ')}${row.column ? ` column ${row.column}` : ''}: ${row.error}`);
  }
  return lines;
}

function formatTable(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, index) => Math.max(...rows.map((row) => row[index]!.length)));
  return rows.map((row) => row.map((cell, index) => (index >= 3 && index <= 5 ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!))).join('  ').trimEnd());
}
