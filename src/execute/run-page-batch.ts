import type { PlannedPhase, PlannedRule } from '../plan/types.js';
import { buildPageDeleteStatement, buildPageSourceStatement, buildPageUpdateStatement, type PageUpdateInputs } from '../sql/build-page-statements.js';
import { buildCheckpointUpsert, type Checkpoint } from '../state/checkpoints.js';
import { buildLedgerInsert, readLastLedgerHash } from '../state/ledger.js';
import { buildRangeProgressUpdate } from '../state/range-checkpoints.js';
import { lockKeyOf } from './advisory-lock.js';
import { createFakeGenerator, hashInNode } from '../strategies/index.js';
import type { BatchResult } from './run-batch.js';
import type { Connection } from './types.js';
import { inBatchTransaction, withHeldTime } from './batch-transaction.js';
import { enforceBudget } from './enforce-budget.js';

export interface PageBatchInput {
  planned: PlannedRule;
  window: PlannedPhase;
  fromPage: number;
  toPage: number;
  /** After a lock timeout the range is redone skipping rows others hold (reported as deferred). */
  skipLocked: boolean;
  /** Only these row positions of the range (while a batch that failed on a value is split). */
  ctids?: string[] | undefined;
  /** Position parts before `page:N` (the partition being walked). */
  prefix?: string[];
  /** The table rows are counted under in the ledger and report (a partition counts for its table). */
  ledgerTable?: string;
  checkpoint: Omit<Checkpoint, 'lastKey'>;
  prevHash: string | null;
  ruleHash: string;
  stateSchema: string;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  readSecret(name: string): string | undefined;
  markValue: Date;
  /**
   * Set for one worker's range of a split walk (--concurrency): its progress goes to its own
   * range checkpoint, and the rule's ledger chain is extended under a transaction lock, the
   * previous hash read inside the transaction (workers of one rule append to one chain).
   */
  range?: { part: number } | undefined;
  /** Rows this batch may still change (an erasure's approved counts); beyond them it rolls back. */
  budget?: Record<string, number> | undefined;
}

/** Enough distinct random values that neighbours rarely share one; never derived from the originals. */
const FAKE_POOL_SIZE = 1000;

export function pagePosition(page: number, prefix: string[] = []): string[] {
  return [...prefix, `page:${page}`];
}

/** The page of a position written by a walk by physical position, or undefined for a key. */
export function parsePagePosition(position: string[] | null | undefined): number | undefined {
  const part = position?.find((item) => item.startsWith('page:'));
  const match = /^page:(\d+)$/.exec(part ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * One short transaction over a range of pages: one statement applies the phase
 * to the due rows there, then the checkpoint and the ledger row, then commit.
 */
export async function runPageBatch(connection: Connection, input: PageBatchInput): Promise<BatchResult> {
  const started = performance.now();
  const { planned, window } = input;
  return withHeldTime(started, inBatchTransaction<BatchResult>(connection, input, async () => {
    const walStart = await connection.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
    const rows = window.phase.action === 'delete' ? await deletePageRows(connection, input) : await updatePageRows(connection, input);
    const wal = await connection.query<{ bytes: number }>('SELECT (pg_current_wal_insert_lsn() - $1::pg_lsn)::float8 AS bytes', [walStart.rows[0]!.lsn]);
    const affected = { [input.ledgerTable ?? planned.table.qualified.replace(/"/g, '')]: rows };
    if (input.budget) enforceBudget(planned.rule.id, affected, input.budget);
    // Rows of one page done a few at a time (a failing batch being split) leave the page to visit again on a resume.
    const lastKey = pagePosition(input.ctids ? input.fromPage : input.toPage, input.prefix);
    const ruleId = planned.rule.id;
    if (input.range) await connection.query(buildRangeProgressUpdate(input.stateSchema, ruleId, input.range.part, input.ctids ? input.fromPage : input.toPage));
    else await connection.query(buildCheckpointUpsert(input.stateSchema, { ...input.checkpoint, lastKey }));
    let hash = input.prevHash;
    // A range with nothing due leaves no ledger row: the ledger records changes, not visits.
    if (rows > 0) {
      let prevHash = input.prevHash;
      if (input.range) {
        // Held to COMMIT: the next worker's batch reads this row as its previous one.
        await connection.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKeyOf(`${ruleId}#ledger`).toString()]);
        prevHash = await readLastLedgerHash(connection, input.stateSchema, ruleId);
      }
      const ledger = buildLedgerInsert(
        input.stateSchema,
        {
          runId: input.checkpoint.runId,
          ruleId: planned.rule.id,
          ruleHash: input.ruleHash,
          phaseAfter: window.phase.after.text,
          action: window.phase.action,
          rowsAffected: affected,
          keyFrom: pagePosition(input.fromPage, input.prefix),
          keyTo: lastKey,
          batchMs: performance.now() - started,
        },
        prevHash,
      );
      await connection.query(ledger.statement);
      hash = ledger.hash;
    }
    return { value: { selected: input.toPage - input.fromPage, affected, lastKey, hash, ms: performance.now() - started, walBytes: Number(wal.rows[0]?.bytes ?? 0) } };
  }));
}

async function deletePageRows(connection: Connection, input: PageBatchInput): Promise<number> {
  const result = await connection.query(buildPageDeleteStatement(input.planned, input.window, input.fromPage, input.toPage, input.skipLocked, input.ctids));
  return result.rowCount ?? 0;
}

/**
 * One statement when SQL computes every value; with pseudonyms, the due rows
 * are locked and read first, hashed here (the key never reaches the server),
 * and written back set-based by row position.
 */
async function updatePageRows(connection: Connection, input: PageBatchInput): Promise<number> {
  const { planned, window } = input;
  const inputs: PageUpdateInputs = { fakePools: await fakePools(window), ctids: input.ctids, markValue: input.markValue };
  const hashed = window.changes.filter((change) => change.strategy.kind === 'hash');
  if (hashed.length > 0) {
    const source = await connection.query(
      buildPageSourceStatement(planned, window, { fromPage: input.fromPage, toPage: input.toPage, skipLocked: input.skipLocked, ctids: input.ctids }, hashed.map((change) => change.column)),
    );
    const rows = source.rows as unknown as (string | null)[][];
    if (rows.length === 0) return 0;
    const secrets = secretsOf(window, input.readSecret);
    const columns = new Map(
      hashed.map((change, index) => {
        const secret = change.strategy.kind === 'hash' ? secrets.get(change.strategy.secretEnv)! : '';
        return [change.column, rows.map((row) => hashInNode(row[index + 1] ?? null, change.info, secret))] as const;
      }),
    );
    inputs.nodeValues = { ctids: rows.map((row) => row[0]!), columns };
  }
  const result = await connection.query(buildPageUpdateStatement(planned, window, input.fromPage, input.toPage, input.skipLocked, inputs));
  return result.rowCount ?? 0;
}

async function fakePools(window: PlannedPhase): Promise<Map<string, string[]>> {
  const pools = new Map<string, string[]>();
  if (!window.changes.some((change) => change.strategy.kind === 'fake')) return pools;
  const generate = await createFakeGenerator();
  for (const change of window.changes) {
    if (change.strategy.kind !== 'fake') continue;
    const strategy = change.strategy;
    pools.set(change.column, Array.from({ length: FAKE_POOL_SIZE }, () => generate(strategy, change.info)));
  }
  return pools;
}

export function secretsOf(window: PlannedPhase, readSecret: (name: string) => string | undefined): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const change of window.changes) {
    if (change.strategy.kind !== 'hash') continue;
    const secret = readSecret(change.strategy.secretEnv);
    if (secret !== undefined) secrets.set(change.strategy.secretEnv, secret);
  }
  return secrets;
}
