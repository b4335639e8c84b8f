import type { CaseResult } from './summarize-case.js';

const COLUMNS: { title: string; value(result: CaseResult): string }[] = [
  { title: 'case', value: (r) => r.case },
  { title: 'check', value: (r) => r.status },
  { title: 'workers', value: (r) => String(r.workers ?? 1) },
  { title: 'rows', value: (r) => String(r.rows) },
  { title: 'ref s', value: (r) => fixed(r.referenceSeconds, 2) },
  { title: 'lethe s', value: (r) => fixed(r.letheSeconds, 2) },
  { title: 'rows/s', value: (r) => (r.rowsPerSecond === null ? '-' : String(r.rowsPerSecond)) },
  { title: 'ratio', value: (r) => fixed(r.ratio, 2) },
  { title: 'after start', value: (r) => fixed(r.ratioAfterStart, 2) },
  { title: 'WAL B/row', value: (r) => fixed(r.walBytesPerRow, 0) },
  { title: 'ref WAL B/row', value: (r) => fixed(r.referenceWalBytesPerRow, 0) },
  { title: 'batches', value: (r) => String(r.batches) },
  { title: 'p50 ms', value: (r) => (r.p50BatchMs === null ? '-' : String(r.p50BatchMs)) },
  { title: 'p99 ms', value: (r) => (r.p99BatchMs === null ? '-' : String(r.p99BatchMs)) },
  { title: 'p99 cycle ms', value: (r) => fixed(r.p99BatchCycleMs, 0) },
  { title: 'max lock ms', value: (r) => fixed(r.maxLockHoldMs, 0) },
  { title: 'RSS MiB', value: (r) => (r.peakRssBytes === null ? '-' : (r.peakRssBytes / 2 ** 20).toFixed(0)) },
];

/** A Markdown table (readable as is, pasteable into docs/performance.md), then what failed. */
export function renderTable(results: CaseResult[]): string {
  const cells = results.map((result) => COLUMNS.map((column) => column.value(result)));
  const widths = COLUMNS.map((column, index) => Math.max(column.title.length, ...cells.map((row) => row[index]!.length)));
  const line = (values: string[]) => `| ${values.map((value, index) => (index === 0 ? value.padEnd(widths[index]!) : value.padStart(widths[index]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, index) => (index === 0 ? `${'-'.repeat(width + 1)}-` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  const lines = [line(COLUMNS.map((column) => column.title)), rule, ...cells.map(line)];
  const failures = results.flatMap((result) => result.failures.map((failure) => `${result.case}: ${failure}`));
  if (failures.length > 0) lines.push('', 'Failed checks:', ...failures.map((failure) => `- ${failure}`));
  lines.push('', 'ratio = reference seconds / Lethe seconds (>= 1: Lethe is faster), Lethe timed around the whole CLI process;', 'after start: the same from the CLI\'s first log line (modules and rules loaded) to its exit.',
    'p50/p99 ms: ledger batch_ms (batches that changed rows, as Lethe times them: before their COMMIT);',
    'p99 cycle ms: between consecutive batch log lines (COMMIT and ranges with nothing due included);',
    'max lock ms: the longest a batch kept its rows locked, BEGIN to the end of COMMIT.');
  return `${lines.join('\n')}\n`;
}

export function renderJson(results: CaseResult[]): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

/** Results saved by an older harness may lack a key: shown as '-' too. */
function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined ? '-' : value.toFixed(digits);
}
