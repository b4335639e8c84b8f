import type { CaseName } from './bench-cases.js';
import { loadAverage1m, median, percentile } from './measure.js';
import type { CliStart } from './measure-cli-start.js';
import type { LetheRun } from './run-lethe.js';
import type { ReferenceRun } from './run-reference.js';

/** One case's line: the keys the issue asks for first, then what explains them. */
export interface CaseResult {
  case: CaseName;
  rowsPerSecond: number | null;
  ratio: number | null;
  walBytesPerRow: number | null;
  p50BatchMs: number | null;
  p99BatchMs: number | null;
  peakRssBytes: number | null;
  status: 'ok' | 'failed';
  failures: string[];
  rows: number;
  referenceSeconds: number | null;
  letheSeconds: number | null;
  referenceRowsPerSecond: number | null;
  referenceWalBytesPerRow: number | null;
  /** Lethe's WAL over the reference's (the partitioned target is ≤ 0.1). */
  walRatio: number | null;
  batches: number;
  /** p50/p99 of whole batch cycles (log line to log line: COMMIT and ranges with nothing due included). */
  p50BatchCycleMs: number | null;
  p99BatchCycleMs: number | null;
  batchCycles: number;
  referenceSecondsAll: number[];
  letheSecondsAll: number[];
  /** Median over Lethe runs of the summed batch durations: the executor's own share of letheSeconds. */
  letheBatchSeconds: number | null;
  /** `node bin/lethe.js --version`: the part of letheSeconds no executor change can remove. */
  cliStartSeconds: number;
  cliStartRssBytes: number | null;
  /** Median of Lethe's time from its first log line (modules and rules loaded) to its exit. */
  letheSecondsAfterStart: number | null;
  /** The ratio against letheSecondsAfterStart: what the engine does, without Node's start-up. */
  ratioAfterStart: number | null;
  loadAverage1m: number;
  /** Workers on the one table (run --concurrency). */
  workers: number;
  /** The longest any batch kept its rows locked (BEGIN to the end of COMMIT), over every Lethe run of the case. */
  maxLockHoldMs: number | null;
  /** p99 of the same. */
  p99LockHoldMs: number | null;
  /** erase: people per second through Lethe, and how many. */
  subjectsPerSecond?: number | null;
  subjects?: number;
}

/** Medians over the runs; batch percentiles over every batch of every Lethe run of the case. */
export function summarizeCase(name: CaseName, workers: number, cliStart: CliStart, references: ReferenceRun[], lethes: LetheRun[], failures: string[], subjects?: number): CaseResult {
  const rows = references.length > 0 ? median(references.map((run) => run.rows)) : 0;
  const referenceSeconds = references.length > 0 ? median(references.map((run) => run.seconds)) : null;
  const letheSeconds = lethes.length > 0 ? median(lethes.map((run) => run.seconds)) : null;
  const referenceWal = references.length > 0 ? median(references.map((run) => run.walBytes)) : null;
  const letheWal = lethes.length > 0 ? median(lethes.map((run) => run.walBytes)) : null;
  const batchMs = lethes.flatMap((run) => run.batchMs);
  const cycleMs = lethes.flatMap((run) => run.batchCycleMs);
  const lockHolds = lethes.flatMap((run) => run.lockHoldMs);
  const perRun = (count: number) => (lethes.length > 0 ? Math.round(count / lethes.length) : 0);
  const rss = lethes.map((run) => run.peakRssBytes).filter((value): value is number => value !== null);
  const batchSeconds = lethes.length > 0 ? median(lethes.map((run) => run.batchMs.reduce((sum, ms) => sum + ms, 0) / 1000)) : null;
  const afterStart = lethes.length > 0 ? median(lethes.map((run) => run.secondsAfterStart)) : null;
  const perRow = (bytes: number | null) => (bytes === null || rows === 0 ? null : round(bytes / rows, 1));
  return {
    case: name,
    rowsPerSecond: letheSeconds ? Math.round(rows / letheSeconds) : null,
    ratio: referenceSeconds !== null && letheSeconds ? round(referenceSeconds / letheSeconds, 3) : null,
    walBytesPerRow: perRow(letheWal),
    p50BatchMs: percentile(batchMs, 50),
    p99BatchMs: percentile(batchMs, 99),
    peakRssBytes: rss.length > 0 ? Math.max(...rss) : null,
    status: failures.length === 0 && lethes.length > 0 ? 'ok' : 'failed',
    failures,
    rows,
    referenceSeconds: referenceSeconds === null ? null : round(referenceSeconds, 3),
    letheSeconds: letheSeconds === null ? null : round(letheSeconds, 3),
    referenceRowsPerSecond: referenceSeconds ? Math.round(rows / referenceSeconds) : null,
    referenceWalBytesPerRow: perRow(referenceWal),
    walRatio: letheWal !== null && referenceWal ? round(letheWal / referenceWal, 3) : null,
    batches: perRun(batchMs.length),
    p50BatchCycleMs: percentile(cycleMs, 50),
    p99BatchCycleMs: percentile(cycleMs, 99),
    batchCycles: perRun(cycleMs.length),
    referenceSecondsAll: references.map((run) => round(run.seconds, 3)),
    letheSecondsAll: lethes.map((run) => round(run.seconds, 3)),
    letheBatchSeconds: batchSeconds === null ? null : round(batchSeconds, 3),
    cliStartSeconds: round(cliStart.seconds, 3),
    cliStartRssBytes: cliStart.rssBytes,
    letheSecondsAfterStart: afterStart === null ? null : round(afterStart, 3),
    ratioAfterStart: referenceSeconds !== null && afterStart ? round(referenceSeconds / afterStart, 3) : null,
    loadAverage1m: loadAverage1m(),
    workers,
    maxLockHoldMs: lockHolds.length > 0 ? Math.max(...lockHolds) : null,
    p99LockHoldMs: percentile(lockHolds, 99),
    ...(subjects ? { subjects, subjectsPerSecond: letheSeconds ? Math.round(subjects / letheSeconds) : null } : {}),
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
