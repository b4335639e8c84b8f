import { describeError } from '../db/describe-error.js';
import type { PlannedPhase, PlannedRule } from '../plan/types.js';
import type { PhaseReport } from '../report/types.js';
import type { Checkpoint } from '../state/checkpoints.js';
import { createBatchSizer, type BatchSizer } from './batch-size.js';
import { runBatch, type BatchResult } from './run-batch.js';
import { parsePagePosition, runPageBatch } from './run-page-batch.js';
import { waitForPace } from './pace.js';
import { addFailedRow, bisect, findFailingColumn, isValueFailure, readBatchRows, readPageRows, RESUMED } from './isolate-failures.js';
import { walkPartitions } from './walk-partitions.js';
import { walkPageRanges } from './walk-page-ranges.js';
import { runWithRetries } from './run-with-retries.js';
import { RANGES_MARKER } from '../state/range-checkpoints.js';
import type { Connection, ExecuteOptions } from './types.js';

export interface PhaseWalkState {
  connection: Connection;
  checkpoint: Checkpoint;
  prevHash: string | null;
  /** Set when a batch met rows another session held locked (its retry skipped them). */
  metLockedRows?: boolean;
  /** One worker of a walk split in page ranges: its range (walk-page-ranges.ts). */
  range?: { part: number };
}

export interface PhaseWalkInput {
  planned: PlannedRule;
  window: PlannedPhase;
  position: number;
  ruleHash: string;
  report: PhaseReport;
}

/** Pages per batch to start a walk by physical position with (~60 device-log rows a page). */
const INITIAL_PAGES = 32;

export type StopReason = () => string | undefined;

/**
 * Walks one phase batch by batch from the checkpoint to the high-water mark.
 * Returns why it stopped early, or undefined when the phase is complete.
 */
export async function walkPhase(state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, stopReason: StopReason): Promise<string | undefined> {
  const startedAt = Date.now();
  const resumeFrom = state.checkpoint.phasePosition === input.position ? state.checkpoint.lastKey ?? undefined : undefined;
  try {
    if (input.window.walk === 'key') return await walkKeys(state, input, options, stopReason, resumeFrom);
    if (input.window.walk === 'partitions') return await walkPartitions(state, input, options, stopReason, resumeFrom);
    if (resumeFrom?.some((part) => part.startsWith(RANGES_MARKER)) || options.concurrency > 1) {
      const split = await walkPageRanges(state, input, options, stopReason, resumeFrom);
      if (split !== 'not split') return split;
    }
    const startPage = parsePagePosition(resumeFrom) ?? 0;
    return await walkPages(state, input, options, stopReason, { planned: input.planned, startPage, endPage: state.checkpoint.highWaterPages ?? 0, prefix: [] });
  } finally {
    input.report.durationMs = (input.report.durationMs ?? 0) + (Date.now() - startedAt);
  }
}

function batchContext(state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions) {
  return {
    window: input.window,
    checkpoint: { ...state.checkpoint, phasePosition: input.position },
    prevHash: state.prevHash,
    ruleHash: input.ruleHash,
    stateSchema: options.stateSchema,
    lockTimeoutMs: options.lockTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs,
    readSecret: options.readSecret,
    markValue: state.checkpoint.logicalNow,
    ledgerKey: options.ledgerKey,
    range: state.range,
    budget: remainingBudget(input),
  };
}

/** An erasure's approved counts less what this phase has done: no batch may go beyond what was shown. */
function remainingBudget(input: PhaseWalkInput): Record<string, number> | undefined {
  const approved = input.window.approved;
  if (!approved) return undefined;
  const table = input.planned.table.qualified.replace(/"/g, '');
  const done = (name: string) => (name === table ? input.report.affected : input.report.cascades?.find((cascade) => cascade.table === name)?.rows ?? 0);
  return Object.fromEntries(Object.entries(approved).map(([name, rows]) => [name, rows - done(name)]));
}

function recordBatch(state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, result: BatchResult): void {
  const table = input.planned.table.qualified.replace(/"/g, '');
  state.checkpoint = { ...state.checkpoint, phasePosition: input.position, lastKey: result.lastKey ?? null };
  state.prevHash = result.hash;
  addBatch(input.report, result, table);
  options.onBatch?.({
    ruleId: input.planned.rule.id,
    phase: input.window.phase.after.text,
    action: input.window.phase.action,
    rows: result.affected[table] ?? 0,
    ms: result.ms,
    ...(result.heldMs === undefined ? {} : { heldMs: Math.round(result.heldMs) }),
    totalRows: input.report.affected,
  });
}

/** Keyset walk: FOR UPDATE SKIP LOCKED batches of keys after the last one, up to the frozen highest key. */
async function walkKeys(state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, stopReason: StopReason, resumeFrom: string[] | undefined): Promise<string | undefined> {
  const { planned } = input;
  const sizer = createBatchSizer({ targetMs: planned.rule.batch.targetMs, maxRows: planned.rule.batch.maxRows, fixed: options.batchSize });
  // A position left by another kind of walk (pages, partitions) means nothing here: start the phase over.
  let lastKey = resumeFrom?.some((part) => /^(page|partition):/.test(part)) ? undefined : resumeFrom;
  const startedAt = Date.now();
  for (;;) {
    const stopped = stopReason();
    if (stopped) return stopped;
    if (!state.checkpoint.highWater) return undefined;
    await waitForPace(state.connection, options, input.report.affected, startedAt);
    const stoppedWhileWaiting = stopReason();
    if (stoppedWhileWaiting) return stoppedWhileWaiting;
    const after = lastKey;
    let result: BatchResult | 'resumed';
    try {
      result = await runWithRetries(state, input, options, (connection, size) =>
        runBatch(connection, { ...batchContext(state, input, options), planned, highWater: state.checkpoint.highWater!, after, limit: size }), sizer);
    } catch (error) {
      if (!isValueFailure(error)) throw error;
      const isolated = await isolateKeyBatch(state, input, options, after, sizer);
      if (isolated !== 'resumed') {
        if (isolated.selected === 0) return undefined;
        lastKey = isolated.lastKey;
        continue;
      }
      result = isolated;
    }
    if (result === 'resumed') {
      if (state.checkpoint.phasePosition !== input.position) return undefined;
      lastKey = state.checkpoint.lastKey ?? undefined;
      continue;
    }
    if (result.selected === 0) return undefined;
    sizer.record(result.selected, result.ms);
    lastKey = result.lastKey;
    recordBatch(state, input, options, result);
  }
}

export interface PageRange {
  /** The rule as the statements should see it (a partition is named with the table's name as alias). */
  planned: PlannedRule;
  startPage: number;
  endPage: number;
  /** Position parts before `page:N`, e.g. the partition being walked. */
  prefix: string[];
  /** A batch size carried over from range to range (one worker of a split walk). */
  sizer?: BatchSizer;
}

/**
 * WAL a batch may write before its COMMIT: what that COMMIT must flush, and what a checkpoint
 * in progress (full-page images double the WAL of a page's first change after it) makes slow.
 * A batch's pages are capped by the WAL per page the walk's recent batches wrote.
 */
export const MAX_BATCH_WAL_BYTES = 16 * 1024 * 1024;

function createWalCap(): { readonly pages: number; record(pages: number, walBytes: number | undefined): void } {
  let perPage = 0;
  return {
    get pages() {
      return perPage > 0 ? Math.max(1, Math.floor(MAX_BATCH_WAL_BYTES / perPage)) : Number.MAX_SAFE_INTEGER;
    },
    record(pages, walBytes) {
      if (walBytes === undefined || pages <= 0 || walBytes <= 0) return;
      const measured = walBytes / pages;
      // Rises at once (a checkpoint began), falls slowly.
      perPage = measured > perPage ? measured : perPage * 0.7 + measured * 0.3;
    },
  };
}

/** The adaptive size of a walk by pages, in pages per batch. */
export function createPageSizer(input: PhaseWalkInput, options: ExecuteOptions): BatchSizer {
  const fixed = options.batchSize === undefined ? undefined : Math.max(1, Math.ceil(options.batchSize / 60));
  return createBatchSizer({ targetMs: input.planned.rule.batch.targetMs, maxRows: 1_000_000, fixed, initial: INITIAL_PAGES });
}

/** Walk by physical position: batches of pages up to the page count frozen at start. */
export async function walkPages(state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, stopReason: StopReason, range: PageRange): Promise<string | undefined> {
  const sizer = range.sizer ?? createPageSizer(input, options);
  const wal = createWalCap();
  let page = range.startPage;
  const startedAt = Date.now();
  for (;;) {
    const stopped = stopReason();
    if (stopped) return stopped;
    if (page >= range.endPage) return undefined;
    await waitForPace(state.connection, options, input.report.affected, startedAt);
    const stoppedWhileWaiting = stopReason();
    if (stoppedWhileWaiting) return stoppedWhileWaiting;
    const fromPage = page;
    let toPage = fromPage;
    let result: BatchResult | 'resumed';
    try {
      result = await runWithRetries(state, input, options, (connection, size, skipLocked) => {
        toPage = Math.min(fromPage + (options.batchSize === undefined ? Math.min(size, wal.pages) : size), range.endPage);
        return runPageBatch(connection, { ...batchContext(state, input, options), planned: range.planned, fromPage, toPage, skipLocked, prefix: range.prefix, ledgerTable: input.planned.table.qualified.replace(/"/g, '') });
      }, sizer);
    } catch (error) {
      if (!isValueFailure(error)) throw error;
      if ((await isolatePageBatch(state, input, options, range, fromPage, toPage, sizer)) !== 'resumed') {
        page = toPage;
        continue;
      }
      result = 'resumed';
    }
    if (result === 'resumed') {
      if (state.checkpoint.phasePosition !== input.position) return undefined;
      page = parsePagePosition(state.checkpoint.lastKey) ?? range.startPage;
      continue;
    }
    sizer.record(Math.max(result.selected, 1), result.ms);
    wal.record(result.selected, result.walBytes);
    page = parsePagePosition(result.lastKey) ?? range.endPage;
    recordBatch(state, input, options, result);
  }
}

/** A key batch failed on a value: split it, leave the offending rows unchanged and name them, apply the rest. */
async function isolateKeyBatch(state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, after: string[] | undefined, sizer: BatchSizer): Promise<'resumed' | { selected: number; lastKey: string[] | undefined }> {
  const { planned, window } = input;
  const timeouts = { lockTimeoutMs: options.lockTimeoutMs, statementTimeoutMs: options.statementTimeoutMs };
  const rows = await readBatchRows(state.connection, timeouts, planned, window, after, state.checkpoint.highWater!, sizer.size);
  const keyCount = planned.key.length;
  const outcome = await bisect(
    rows,
    async (part) => {
      const result = await runWithRetries(state, input, options, (connection) =>
        runBatch(connection, { ...batchContext(state, input, options), planned, highWater: state.checkpoint.highWater!, after, limit: part.length, rows: part }), sizer);
      if (result === 'resumed') return RESUMED;
      recordBatch(state, input, options, result);
    },
    async (row, error) => {
      const key = row.slice(0, keyCount);
      const column = await findFailingColumn(state.connection, timeouts, planned, window, { key });
      addFailedRow(input.report, planned, options.ledgerKey, { key }, column, error);
      options.logger.warn('row left unchanged: a value broke the strategy', { rule: planned.rule.id, phase: window.phase.after.text, column, error: describeError(error, { column: column ?? undefined }) });
    },
  );
  if (outcome === RESUMED) return 'resumed';
  return { selected: rows.length, lastKey: rows.length > 0 ? rows[rows.length - 1]!.slice(0, keyCount) : undefined };
}

/** A page batch failed on a value: halve the pages down to one, then split that page's due rows by position. */
async function isolatePageBatch(state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, range: PageRange, fromPage: number, toPage: number, sizer: BatchSizer): Promise<'resumed' | undefined> {
  const { window } = input;
  const planned = range.planned;
  const timeouts = { lockTimeoutMs: options.lockTimeoutMs, statementTimeoutMs: options.statementTimeoutMs };
  const ledgerTable = input.planned.table.qualified.replace(/"/g, '');
  const pageBatch = (first: number, last: number, ctids?: string[]) =>
    runWithRetries(state, input, options, (connection, _size, skipLocked) =>
      runPageBatch(connection, { ...batchContext(state, input, options), planned, fromPage: first, toPage: last, skipLocked, ctids, prefix: range.prefix, ledgerTable }), sizer);
  const pages = Array.from({ length: toPage - fromPage }, (_, index) => fromPage + index);
  const outcome = await bisect(
    pages,
    async (part) => {
      const result = await pageBatch(part[0]!, part[part.length - 1]! + 1);
      if (result === 'resumed') return RESUMED;
      recordBatch(state, input, options, result);
    },
    async (page) => {
      const rows = await readPageRows(state.connection, timeouts, planned, window, page);
      const inPage = await bisect(
        rows,
        async (part) => {
          const result = await pageBatch(page, page + 1, part.map((row) => row[0]!));
          if (result === 'resumed') return RESUMED;
          recordBatch(state, input, options, result);
        },
        async (row, error) => {
          const where = { ctid: row[0]!, ...(planned.key.length > 0 ? { key: row.slice(1) } : {}) };
          const column = await findFailingColumn(state.connection, timeouts, planned, window, { ctid: where.ctid });
          addFailedRow(input.report, planned, options.ledgerKey, where, column, error);
          options.logger.warn('row left unchanged: a value broke the strategy', { rule: planned.rule.id, phase: window.phase.after.text, column, error: describeError(error, { column: column ?? undefined }) });
        },
      );
      if (inPage === RESUMED) throw new ResumedSignal();
    },
  ).catch((error) => {
    if (error instanceof ResumedSignal) return RESUMED;
    throw error;
  });
  return outcome === RESUMED ? 'resumed' : undefined;
}

class ResumedSignal extends Error {}

export function addBatch(report: PhaseReport, result: BatchResult, table: string): void {
  if ((result.affected[table] ?? 0) > 0 || Object.keys(result.affected).length > 1) report.batches = (report.batches ?? 0) + 1;
  report.affected += result.affected[table] ?? 0;
  for (const [name, rows] of Object.entries(result.affected)) {
    if (name === table) continue;
    report.cascades ??= [];
    const entry = report.cascades.find((cascade) => cascade.table === name);
    if (entry) entry.rows += rows;
    else report.cascades.push({ table: name, by: 'rule', rows });
  }
}
