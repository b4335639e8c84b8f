import type { ExportTable } from './build-export-plan.js';

/**
 * The export document's pieces, as text written piece by piece (rows arrive as JSON text
 * made by the server). `json`: one document grouped by category and table; `jsonl`: a
 * header line, then one line per row naming its category and table.
 */

export type ExportFormat = 'json' | 'jsonl';
export type ExportStatus = 'ok' | 'not-found';

export interface ExportTableSummary {
  category: string;
  table: string;
  rules: string[];
  rows: number;
  /** False: `export: false` on a rule of the table; its rows are counted, not shown. */
  exported: boolean;
  omittedColumns: string[];
}

export interface ExportHeader {
  lethe: 1;
  mode: 'export';
  status: ExportStatus;
  exportedAt: string;
  /** The kind of subject asked for; null for the default kind. */
  kind: string | null;
  rows: number;
  tables: ExportTableSummary[];
}

export function summarizeTable(entry: ExportTable, rows: number): ExportTableSummary {
  return { category: entry.category, table: entry.name, rules: entry.rules, rows, exported: entry.included, omittedColumns: entry.omitted };
}

/** Not found: no table holds a row the subject names (an export of nothing, not an error). */
export function buildHeader(summaries: ExportTableSummary[], kind: string | undefined, exportedAt: Date): ExportHeader {
  const rows = summaries.reduce((sum, table) => sum + table.rows, 0);
  return { lethe: 1, mode: 'export', status: rows === 0 ? 'not-found' : 'ok', exportedAt: exportedAt.toISOString(), kind: kind ?? null, rows, tables: summaries };
}

/** Writes the document around the rows: `open` before everything, `table` around each table's rows, `close` at the end. */
export interface DocumentWriter {
  open(header: ExportHeader): string;
  startTable(category: string, table: string, firstOfCategory: boolean, lastCategory: string | undefined): string;
  row(category: string, table: string, rowJson: string, first: boolean): string;
  endTable(): string;
  close(anyTable: boolean): string;
}

export const jsonWriter: DocumentWriter = {
  open: (header) => `${JSON.stringify(header).slice(0, -1)},\n"categories":{`,
  startTable: (category, table, firstOfCategory, lastCategory) =>
    `${firstOfCategory ? `${lastCategory === undefined ? '' : '},'}\n${JSON.stringify(category)}:{` : ','}\n${JSON.stringify(table)}:[`,
  row: (_category, _table, rowJson, first) => `${first ? '' : ','}\n${rowJson}`,
  endTable: () => '\n]',
  close: (anyTable) => `${anyTable ? '}' : ''}}}\n`,
};

export const jsonLinesWriter: DocumentWriter = {
  open: (header) => `${JSON.stringify(header)}\n`,
  startTable: () => '',
  row: (category, table, rowJson) => `{"category":${JSON.stringify(category)},"table":${JSON.stringify(table)},"row":${rowJson}}\n`,
  endTable: () => '',
  close: () => '',
};

export function documentWriter(format: ExportFormat): DocumentWriter {
  return format === 'json' ? jsonWriter : jsonLinesWriter;
}
