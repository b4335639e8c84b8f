import type { PlannedPhase, PlannedRule } from '../plan/types.js';
import { buildPageDeleteStatement, buildPageUpdateStatement } from '../sql/build-page-statements.js';
import { buildCheckpointUpsert, type Checkpoint } from '../state/checkpoints.js';
import { buildLedgerInsert } from '../state/ledger.js';
import { createFakeGenerator } from '../strategies/index.js';
import type { BatchResult } from './run-batch.js';
import type { Connection } from './types.js';
import { inBatchTransaction } from './batch-transaction.js';

export interface PageBatchInput {
  planned: PlannedRule;
  window: PlannedPhase;
  fromPage: number;
  toPage: number;
  /** After a lock timeout the range is redone skipping rows others hold (reported as deferred). */
  skipLocked: boolean;
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
  return inBatchTransaction<BatchResult>(connection, input, async () => {
    const statement =
      window.phase.action === 'delete'
        ? buildPageDeleteStatement(planned, window, input.fromPage, input.toPage, input.skipLocked)
        : buildPageUpdateStatement(planned, window, input.fromPage, input.toPage, input.skipLocked, {
            fakePools: await fakePools(window),
            secrets: secretsOf(window, input.readSecret),
            markValue: input.markValue,
          });
    const result = await connection.query(statement);
    const rows = result.rowCount ?? 0;
    const affected = { [input.ledgerTable ?? planned.table.qualified.replace(/"/g, '')]: rows };
    const lastKey = pagePosition(input.toPage, input.prefix);
    await connection.query(buildCheckpointUpsert(input.stateSchema, { ...input.checkpoint, lastKey }));
    let hash = input.prevHash;
    // A range with nothing due leaves no ledger row: the ledger records changes, not visits.
    if (rows > 0) {
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
        input.prevHash,
      );
      await connection.query(ledger.statement);
      hash = ledger.hash;
    }
    return { value: { selected: input.toPage - input.fromPage, affected, lastKey, hash, ms: performance.now() - started } };
  });
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
