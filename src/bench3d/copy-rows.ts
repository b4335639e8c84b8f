import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** A value as the generators produce it; arrays become text[] literals, objects jsonb. */
export type CopyValue = string | number | boolean | Date | null | readonly string[] | { readonly [key: string]: unknown };
export type CopyRow = readonly CopyValue[];

export interface CopyTarget {
  table: string;
  columns: readonly string[];
}

/**
 * Streams chunks of rows into one table with COPY ... FROM STDIN (text format). Chunks are
 * formatted one at a time and the stream applies backpressure, so memory stays flat however
 * many rows the generator yields. Returns the number of rows sent.
 */
export async function copyRows(
  client: ClientBase,
  target: CopyTarget,
  chunks: Iterable<CopyRow[]>,
  onChunk?: (rowsSoFar: number) => void,
  signal?: AbortSignal,
): Promise<number> {
  let rows = 0;
  function* lines(): Generator<string> {
    for (const chunk of chunks) {
      signal?.throwIfAborted();
      yield formatCopyChunk(chunk);
      rows += chunk.length;
      onChunk?.(rows);
    }
  }
  const columns = target.columns.map((column) => `"${column}"`).join(', ');
  const sql = `COPY "${target.table}" (${columns}) FROM STDIN`;
  // Two chunks ahead keep the server busy while the next one is made; more only costs memory.
  await pipeline(Readable.from(lines(), { highWaterMark: 2 }), client.query(copyFrom(sql)));
  return rows;
}

export function formatCopyChunk(chunk: readonly CopyRow[]): string {
  const lines = new Array<string>(chunk.length + 1);
  for (let r = 0; r < chunk.length; r++) {
    const row = chunk[r]!;
    let line = formatCopyValue(row[0] ?? null);
    for (let c = 1; c < row.length; c++) line += '\t' + formatCopyValue(row[c]!);
    lines[r] = line;
  }
  lines[chunk.length] = '';
  return lines.join('\n');
}

/** One value in COPY's text format: \N for NULL, backslash escapes for the separators. */
export function formatCopyValue(value: CopyValue): string {
  if (value === null) return '\\N';
  switch (typeof value) {
    case 'string':
      return escapeCopyText(value);
    case 'number':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return escapeCopyText(formatArrayLiteral(value as readonly string[]));
  return escapeCopyText(JSON.stringify(value));
}

const needsEscape = /[\\\n\r\t]/;

function escapeCopyText(text: string): string {
  if (!needsEscape.test(text)) return text;
  return text.replace(/[\\\n\r\t]/g, (char) => (char === '\\' ? '\\\\' : char === '\n' ? '\\n' : char === '\r' ? '\\r' : '\\t'));
}

/** A text[] literal with every element quoted, so commas, braces and spaces are safe. */
function formatArrayLiteral(items: readonly string[]): string {
  return `{${items.map((item) => `"${item.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}
