import type { ReportFormat } from '../report/render-report.js';
import type { KeptRows, Receipt, ReceiptRule } from './receipt-types.js';

/** Digests listed in text and markdown up to this many people; JSON always lists them all. */
const LISTED_DIGESTS = 10;

export function renderReceipt(receipt: Receipt, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(receipt, null, 2)}\n`;
  return format === 'markdown' ? renderMarkdown(receipt) : renderText(receipt);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function title(receipt: Receipt): string {
  const id = receipt.requestId ?? '(no request id)';
  if (receipt.mode === 'dry-run') return `Erasure request ${id}: dry run, nothing was written`;
  return `Erasure request ${id}: ${receipt.status}${receipt.alreadyDone ? ' (already done earlier; nothing was done again)' : ''}`;
}

function subjectLine(receipt: Receipt): string {
  const { subjects } = receipt;
  const parts = [`${subjects.requested} requested`];
  if (subjects.done > 0) parts.push(`${subjects.done} done`);
  if (subjects.pending > 0) parts.push(`${subjects.pending} ${receipt.mode === 'dry-run' ? 'to erase' : 'pending'}`);
  if (subjects.notFound > 0) parts.push(`${subjects.notFound} not found`);
  if (subjects.held > 0) parts.push(`${subjects.held} held`);
  return `people (${receipt.kind}): ${parts.join(', ')}`;
}

function verb(rule: ReceiptRule, dryRun: boolean): string {
  if (rule.action === 'skip') return 'kept (request: skip)';
  const done = rule.action === 'delete' ? 'removed' : rule.action === 'anonymize' ? 'anonymized' : 'pseudonymized';
  const would = rule.action === 'delete' ? 'would remove' : `would ${rule.action}`;
  return dryRun ? `${would} ${plural(rule.rows, 'row')}` : `${done} ${plural(rule.rows, 'row')}`;
}

function describeKept(kept: KeptRows): string {
  if (kept.reason === 'where') return `${plural(kept.rows, 'row')} kept: left out by the rule's where`;
  if (kept.reason === 'hold') return `${plural(kept.rows, 'row')} kept: held by ${kept.hold}`;
  return `${plural(kept.rows, 'row')} kept: request: skip${kept.detail ? ` (${kept.detail})` : ''}`;
}

function describeRule(rule: ReceiptRule, dryRun: boolean): string[] {
  const lines = [`${rule.id} (${rule.table}): ${verb(rule, dryRun)}${rule.status !== 'done' && rule.status !== 'planned' && rule.status !== 'kept' ? ` [${rule.status}]` : ''}`];
  for (const cascade of rule.cascades ?? []) lines.push(`  with ${plural(cascade.rows, 'row')} of ${cascade.table}${cascade.by === 'database' ? ' (ON DELETE CASCADE)' : ''}`);
  for (const kept of rule.kept) lines.push(`  ${describeKept(kept)}`);
  if (rule.error) lines.push(`  error ${rule.error.code}: ${rule.error.message}`);
  return lines;
}

function renderText(receipt: Receipt): string {
  const lines = [title(receipt), `now: ${receipt.now}${receipt.finishedAt ? `, finished ${receipt.finishedAt}` : ''}`, subjectLine(receipt)];
  if (receipt.requestedBy) lines.push(`by: database role ${receipt.requestedBy.role}${receipt.requestedBy.osUser ? `, OS user ${receipt.requestedBy.osUser}` : ''}`);
  for (const category of receipt.categories) {
    lines.push('', `${category}:`);
    for (const rule of receipt.rules.filter((candidate) => candidate.category === category)) lines.push(...describeRule(rule, receipt.mode === 'dry-run').map((line) => `  ${line}`));
  }
  lines.push('', 'tables:');
  for (const table of receipt.tables) lines.push(`  ${table.table}: ${table.removed} removed, ${table.anonymized} anonymized, ${table.kept} kept`);
  lines.push(...digestLines(receipt, (digest, status) => `  ${digest} ${status}`, 'people (keyed digests):'));
  if (receipt.ledgerHead) lines.push('', `ledger head: ${receipt.ledgerHead.seq}:${receipt.ledgerHead.hash}`);
  return `${lines.join('\n')}\n`;
}

function digestLines(receipt: Receipt, line: (digest: string, status: string) => string, heading: string): string[] {
  const digests = receipt.subjects.digests;
  if (!digests || digests.length === 0 || digests.length > LISTED_DIGESTS) return [];
  return ['', heading, ...digests.map((entry) => line(entry.digest, entry.status))];
}

function renderMarkdown(receipt: Receipt): string {
  const lines = [`# ${title(receipt)}`, '', `- time: ${receipt.finishedAt ?? receipt.now}`, `- ${subjectLine(receipt)}`];
  if (receipt.requestedBy) lines.push(`- by: database role \`${receipt.requestedBy.role}\`${receipt.requestedBy.osUser ? `, OS user \`${receipt.requestedBy.osUser}\`` : ''}`);
  lines.push('', '| category | rule | table | action | rows | kept, and why |', '|---|---|---|---|---:|---|');
  for (const rule of receipt.rules) {
    const kept = rule.kept.map(describeKept).join('; ') || '—';
    const cascades = (rule.cascades ?? []).map((cascade) => ` + ${cascade.rows} ${cascade.table}`).join('');
    lines.push(`| ${rule.category} | ${rule.id} | ${rule.table} | ${rule.action} | ${rule.rows}${cascades} | ${kept.replace(/\|/g, '\\|')} |`);
  }
  lines.push('', '| table | removed | anonymized | kept |', '|---|---:|---:|---:|');
  for (const table of receipt.tables) lines.push(`| ${table.table} | ${table.removed} | ${table.anonymized} | ${table.kept} |`);
  lines.push(...digestLines(receipt, (digest, status) => `- \`${digest}\` ${status}`, '## People (keyed digests)'));
  if (receipt.ledgerHead) lines.push('', `Ledger head: \`${receipt.ledgerHead.seq}:${receipt.ledgerHead.hash}\``);
  return `${lines.join('\n')}\n`;
}
