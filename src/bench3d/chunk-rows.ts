import type { CopyRow } from './copy-rows.js';

/** Rows per COPY chunk: large enough to amortize the stream, small enough to keep memory flat. */
export const CHUNK_ROWS = 10_000;

/**
 * Calls makeRow(index) for index 0..count-1 and yields the rows in chunks. The caller's
 * generator state (faker, cursors) advances only as chunks are consumed.
 */
export function* chunkRows(count: number, makeRow: (index: number) => CopyRow, size = CHUNK_ROWS): Generator<CopyRow[]> {
  for (let start = 0; start < count; start += size) {
    const end = Math.min(count, start + size);
    const chunk: CopyRow[] = new Array(end - start);
    for (let index = start; index < end; index++) chunk[index - start] = makeRow(index);
    yield chunk;
  }
}
