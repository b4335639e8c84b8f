import { LetheError } from '../errors.js';
import { sqlstateOf } from '../db/sqlstate.js';
import type { SqlClient } from '../db/sql-client.js';
import type { ExportPlan, ExportTable } from './build-export-plan.js';
import { buildExportCountStatement, buildExportRowsStatement } from './build-export-statements.js';
import { buildHeader, summarizeTable, type DocumentWriter, type ExportHeader } from './export-document.js';

/** Where the document goes; `write` resolves when the text may be followed by more (backpressure). */
export interface ExportSink {
  write(text: string): Promise<void>;
}

export interface StreamExportOptions {
  subject: string;
  kind: string | undefined;
  exportedAt: Date;
  writer: DocumentWriter;
  sink: ExportSink;
  signal?: AbortSignal | undefined;
  /** Rows per FETCH from the server-side cursor: memory stays bounded by this, whatever the table. */
  fetchRows?: number;
}

/**
 * Counts, then streams, every table of the plan inside the caller's READ ONLY,
 * REPEATABLE READ snapshot: the counts in the header and the rows below agree.
 * Rows are read through a server-side cursor, a page of rows at a time.
 */
export async function streamExport(client: SqlClient, plan: ExportPlan, options: StreamExportOptions): Promise<ExportHeader> {
  const counted: { entry: ExportTable; rows: number }[] = [];
  for (const entry of plan.tables) counted.push({ entry, rows: await countRows(client, entry, options.subject) });
  const header = buildHeader(counted.map(({ entry, rows }) => summarizeTable(entry, rows)), options.kind, options.exportedAt);
  await options.sink.write(options.writer.open(header));
  let lastCategory: string | undefined;
  const shown = counted.filter(({ entry, rows }) => entry.included && rows > 0);
  const categories = [...new Set(shown.map(({ entry }) => entry.category))];
  for (const category of categories) {
    let firstOfCategory = true;
    for (const { entry } of shown.filter((item) => item.entry.category === category)) {
      await options.sink.write(options.writer.startTable(category, entry.name, firstOfCategory, lastCategory));
      firstOfCategory = false;
      lastCategory = category;
      await streamTable(client, entry, options);
      await options.sink.write(options.writer.endTable());
    }
  }
  await options.sink.write(options.writer.close(shown.length > 0));
  return header;
}

async function countRows(client: SqlClient, entry: ExportTable, subject: string): Promise<number> {
  try {
    const result = await client.query<{ rows: string }>(buildExportCountStatement(entry, subject));
    return Number(result.rows[0]!.rows);
  } catch (error) {
    // 22xxx: the value does not fit the subject's type. The server's message quotes the value: not repeated.
    if (sqlstateOf(error)?.startsWith('22')) {
      throw new LetheError('USAGE', `--subject: the value is not a valid subject for ${entry.name} (rules ${entry.rules.join(', ')}): SQLSTATE ${sqlstateOf(error)}`, {
        hint: 'pass the value as the subject column holds it (an id, not a name or an email)',
      });
    }
    throw error;
  }
}

const CURSOR = 'lethe_export';

async function streamTable(client: SqlClient, entry: ExportTable, options: StreamExportOptions): Promise<void> {
  const statement = buildExportRowsStatement(entry, options.subject);
  await client.query({ text: `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${statement.text}`, values: statement.values });
  let first = true;
  for (;;) {
    if (options.signal?.aborted) throw options.signal.reason;
    const page = await client.query<{ row: string }>(`FETCH ${options.fetchRows ?? 1000} FROM ${CURSOR}`);
    if (page.rows.length === 0) break;
    let text = '';
    for (const { row } of page.rows) {
      text += options.writer.row(entry.category, entry.name, row, first);
      first = false;
    }
    await options.sink.write(text);
  }
  await client.query(`CLOSE ${CURSOR}`);
}
