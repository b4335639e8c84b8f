/**
 * Adaptive batch size: aim each batch at the target duration. Grows at most
 * 1.5x per batch; an overshoot or a timeout cuts it hard.
 */
export interface BatchSizer {
  readonly size: number;
  record(rows: number, ms: number): void;
  recordTimeout(): void;
}

export function createBatchSizer(options: { targetMs: number; maxRows: number; fixed?: number | undefined; initial?: number }): BatchSizer {
  const minimum = 10;
  // Aim below the target: batch times vary (checkpoints, WAL flushes), and the target is a ceiling.
  const aim = options.targetMs * 0.7;
  let size = options.fixed ?? Math.min(options.initial ?? 1000, options.maxRows);
  return {
    get size() {
      return size;
    },
    record(rows, ms) {
      if (options.fixed !== undefined || rows < size * 0.5) return;
      const ideal = ms > 0 ? size * (aim / ms) : size * 1.5;
      size = ms > options.targetMs ? Math.max(minimum, Math.floor(ideal * 0.8)) : Math.max(minimum, Math.min(options.maxRows, Math.floor(Math.min(ideal, size * 1.5))));
    },
    recordTimeout() {
      if (options.fixed === undefined) size = Math.max(minimum, Math.floor(size / 4));
    },
  };
}
