import { LetheError } from '../errors.js';
import { buildCheckpointUpsert } from '../state/checkpoints.js';
import { readLastLedgerHash } from '../state/ledger.js';
import { RANGES_MARKER, readRangeCheckpoints, splitPages, writeRangeCheckpoints, type PageRangeCheckpoint } from '../state/range-checkpoints.js';
import { tryLockRule, unlockRule } from './advisory-lock.js';
import { parsePagePosition } from './run-page-batch.js';
import type { ExecuteOptions } from './types.js';
import { createPageSizer, walkPages, type PhaseWalkInput, type PhaseWalkState, type StopReason } from './walk-phase.js';
import { rangeLockName } from './run-with-retries.js';

/** Below this many pages per worker (~15k device-log rows) a walk is not worth splitting. */
const MIN_PAGES_PER_RANGE = 256;

/** Ranges per worker: small enough that a worker whose ranges held little to do takes more. */
const RANGES_PER_WORKER = 8;

/**
 * --concurrency N on a walk by pages: the pages left are split into up to N disjoint ranges, one
 * worker each, on its own connection holding its own advisory lock (beside the rule's, which the
 * rule's connection keeps). Each batch writes its range's progress (lethe.range_checkpoints) and
 * its ledger row in its own transaction; the rule checkpoint says `ranges:N` until the phase is
 * done, so a rerun after a kill continues every range where it stopped. The workers share the
 * phase report, hence one rows-per-second budget, and each waits for the replicas as one walk does.
 * Returns 'not split' when the table is too small to split.
 */
export async function walkPageRanges(state: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, stopReason: StopReason, resumeFrom: string[] | undefined): Promise<string | undefined | 'not split'> {
  const ruleId = input.planned.rule.id;
  let ranges: PageRangeCheckpoint[];
  if (resumeFrom?.some((part) => part.startsWith(RANGES_MARKER))) {
    ranges = await readRangeCheckpoints(state.connection, options.stateSchema, ruleId, input.position);
    if (ranges.length === 0) throw new LetheError('CHECKPOINT_MISMATCH', `rule '${ruleId}': its checkpoint names page ranges that are not in the state schema`, { hint: 'rerun with --restart to start the rule afresh' });
    options.logger.info('resuming a walk split in page ranges', { rule: ruleId, ranges: ranges.map(describeRange) });
  } else {
    // With a fixed --batch-size, a range is at least four batches.
    const minimum = options.batchSize === undefined ? MIN_PAGES_PER_RANGE : Math.max(4, 4 * Math.ceil(options.batchSize / 60));
    ranges = splitPages(parsePagePosition(resumeFrom) ?? 0, state.checkpoint.highWaterPages ?? 0, options.concurrency * RANGES_PER_WORKER, minimum);
    if (ranges.length < 2) return 'not split';
    state.checkpoint = { ...state.checkpoint, phasePosition: input.position, lastKey: [`${RANGES_MARKER}${ranges.length}`] };
    await state.connection.query('BEGIN');
    try {
      await writeRangeCheckpoints(state.connection, options.stateSchema, ruleId, options.runId, input.position, ranges);
      await state.connection.query(buildCheckpointUpsert(options.stateSchema, state.checkpoint));
      await state.connection.query('COMMIT');
    } catch (error) {
      await state.connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    options.logger.info('walk split in page ranges', { rule: ruleId, ranges: ranges.map(describeRange) });
  }
  let failure: unknown;
  const stopAll: StopReason = () => (failure !== undefined ? 'another range of the walk failed' : stopReason());
  // Ranges are handed out as workers come free, so a worker whose ranges held little to do takes more.
  const queue = ranges.filter((range) => range.nextPage < range.toPage);
  const workers = Math.max(1, Math.min(options.concurrency, queue.length));
  const outcomes = await Promise.allSettled(
    Array.from({ length: workers }, () =>
      runWorker(state, input, options, stopAll, queue).catch((error: unknown) => {
        failure ??= error;
        throw error;
      }),
    ),
  );
  // The workers extended the rule's chain: the rule's own connection continues from its head.
  state.prevHash = await readLastLedgerHash(state.connection, options.stateSchema, ruleId);
  if (failure !== undefined) throw failure;
  for (const outcome of outcomes) if (outcome.status === 'fulfilled' && outcome.value) return outcome.value;
  return undefined;
}

/** One worker: its own connection and batch size; takes ranges off the queue until none is left. */
async function runWorker(main: PhaseWalkState, input: PhaseWalkInput, options: ExecuteOptions, stopReason: StopReason, queue: PageRangeCheckpoint[]): Promise<string | undefined> {
  const ruleId = input.planned.rule.id;
  const worker: PhaseWalkState = { connection: await options.connect(), checkpoint: { ...main.checkpoint, phasePosition: input.position }, prevHash: null };
  const sizer = createPageSizer(input, options);
  try {
    for (let range = queue.shift(); range; range = queue.shift()) {
      const lock = rangeLockName(ruleId, range.part);
      if (!(await tryLockRule(worker.connection, lock))) throw new LetheError('RUN_LOCKED', `rule '${ruleId}': another session holds the lock of page range ${range.part}`);
      worker.range = { part: range.part };
      worker.checkpoint = { ...worker.checkpoint, lastKey: [`page:${range.nextPage}`] };
      const stopped = await walkPages(worker, input, options, stopReason, { planned: input.planned, startPage: range.nextPage, endPage: range.toPage, prefix: [], sizer });
      if (worker.metLockedRows) main.metLockedRows = true;
      if (stopped) return stopped;
      await unlockRule(worker.connection, lock);
    }
    return undefined;
  } finally {
    // Ending the session releases any range lock still held.
    await worker.connection.end().catch(() => undefined);
  }
}

function describeRange(range: PageRangeCheckpoint): string {
  return `${range.part}: pages ${range.nextPage}-${range.toPage}`;
}
