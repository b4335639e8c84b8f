import type { SqlClient } from '../db/sql-client.js';
import type { Logger } from '../log/logger.js';
import type { LagTracker } from './replica-lag.js';

/** A dedicated session: the advisory lock lives on it, so it is never shared. */
export interface Connection extends SqlClient {
  end(): Promise<void>;
  readonly pid: number;
}

export interface ExecuteOptions {
  runId: string;
  stateSchema: string;
  /** Fixed batch size (--batch-size N); adaptive when undefined. */
  batchSize: number | undefined;
  maxRowsPerSecond: number | undefined;
  maxReplicaLagMs: number | undefined;
  /** Wall-clock ms (Date.now) after which no new batch starts (--max-runtime). */
  deadline: number | undefined;
  concurrency: number;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  maxRetries: number;
  /** --restart: discard each rule's unfinished run and start afresh at this run's now. */
  restart?: boolean;
  signal: AbortSignal;
  logger: Logger;
  readSecret(name: string): string | undefined;
  /** The database's ledger key (lethe.settings): digests of non-surrogate keys in the ledger and reports. */
  ledgerKey: string;
  /** Count what still matches after each phase (default true): a run reports it; an erasure counts from its ledger. */
  countRemaining?: boolean;
  /** Where a rule's checkpoint is kept (default: its id); an erasure keeps its own beside a run's. */
  checkpointIdOf?(ruleId: string): string;
  connect(): Promise<Connection>;
  sleep(ms: number): Promise<void>;
  onBatch?(event: BatchEvent): void;
  /** Shared by every rule of the run: the standbys' replay measured against one history of WAL positions. */
  replicaLag?: LagTracker;
  /** A batch waits because a standby replays further behind than --max-replica-lag. */
  onReplicaWait?(event: ReplicaWaitEvent): void;
}

export interface ReplicaWaitEvent {
  standby: string;
  lagMs: number;
  behindBytes: number;
  maxMs: number;
  /** How long this batch has waited so far. */
  waitedMs: number;
}

export interface BatchEvent {
  ruleId: string;
  phase: string;
  action: string;
  rows: number;
  ms: number;
  /** From BEGIN to the end of COMMIT: how long the batch's rows stayed locked. */
  heldMs?: number;
  totalRows: number;
}
