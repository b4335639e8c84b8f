import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Knex } from 'knex';
import pg from 'pg';
import { seedBench3d } from '../../src/bench3d/seed-bench3d.js';
import { wrap, type SqlClient } from '../../src/db/sql-client.js';
import { hashLedgerEntry } from '../../src/state/ledger.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'lethe.js');
export const RULES_DIR = join(ROOT, 'rules');
/** The instant the Bench3D data is seeded around and every run pretends it is. */
export const BENCH_NOW = '2026-11-25T00:00:00.000Z';

/** A fresh database with Bench3D data, deterministic per seed and now. */
export async function createSeededDatabase(options: { scale?: number; seed?: number; now?: string } = {}): Promise<TestDatabase> {
  const database = await createTestDatabase();
  try {
    await seedBench3d(database.db, { scale: options.scale ?? 0.5, seed: options.seed ?? 7, now: new Date(options.now ?? BENCH_NOW) });
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}

/** One JSON log line from the CLI's stderr (`--log-format json`, the default without a terminal). */
export interface LogLine {
  event: string;
  [field: string]: unknown;
}

export interface LetheOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The built CLI as a child process, with its stderr log lines observable as they arrive. */
export interface LetheProcess {
  child: ChildProcess;
  /** Resolves with the n-th log line (1-based) matching the predicate; rejects if the process ends first. */
  waitForLine(predicate: (line: LogLine) => boolean, n?: number): Promise<LogLine>;
  exited: Promise<LetheOutcome>;
}

export function startLethe(args: string[], env: NodeJS.ProcessEnv = {}): LetheProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.TEST_DATABASE_URL;
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let pending = '';
  const lines: LogLine[] = [];
  const waiters: { predicate: (line: LogLine) => boolean; n: number; resolve: (line: LogLine) => void; reject: (error: Error) => void }[] = [];
  const settle = () => {
    for (const waiter of [...waiters]) {
      const matching = lines.filter(waiter.predicate);
      if (matching.length >= waiter.n) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(matching[waiter.n - 1]!);
      }
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    stderr += text;
    pending += text;
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const line of complete) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line
      }
    }
    settle();
  });
  const exited = new Promise<LetheOutcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`lethe exited (code ${code}, signal ${signal}) before the awaited log line; stderr:\n${stderr}`));
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    exited,
    waitForLine: (predicate, n = 1) =>
      new Promise<LogLine>((resolve, reject) => {
        waiters.push({ predicate, n, resolve, reject });
        settle();
        if (child.exitCode !== null || child.signalCode !== null) {
          const index = waiters.findIndex((waiter) => waiter.resolve === resolve);
          if (index >= 0) {
            waiters.splice(index, 1);
            reject(new Error(`lethe had already exited; stderr:\n${stderr}`));
          }
        }
      }),
  };
}

/** Runs the built CLI to its end. */
export function runLethe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<LetheOutcome> {
  return startLethe(args, env).exited;
}

export const isBatchLine = (line: LogLine): boolean => line.event === 'batch';

/** md5 over every row's full text in key order: equal checksums mean equal data. */
export async function tableChecksum(db: Knex, table: string): Promise<string> {
  const result = await db.raw<{ rows: { sum: string | null }[] }>(`SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY id), '')) AS sum FROM "${table}" t`);
  return result.rows[0]!.sum!;
}

/** id -> full row text. */
export async function rowTexts(db: Knex, table: string): Promise<Map<string, string>> {
  const result = await db.raw<{ rows: { id: string; row: string }[] }>(`SELECT id::text AS id, t::text AS row FROM "${table}" t ORDER BY t.id`);
  return new Map(result.rows.map((row) => [row.id, row.row]));
}

export async function idsOf(db: Knex, sql: string, bindings: readonly unknown[] = []): Promise<string[]> {
  const result = await db.raw<{ rows: { id: string }[] }>(sql, bindings as Knex.RawBinding[]);
  return result.rows.map((row) => String(row.id));
}

/**
 * A killed client's backend lingers until the server notices the closed
 * socket; its advisory locks go with it. Waits (polling the catalog, the only
 * way to observe it) until no `lethe run` session is left on this database.
 */
export async function waitForNoRunSessions(db: Knex, timeoutMs = 30_000, applicationPrefix = 'lethe run '): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await db.raw<{ rows: { n: number }[] }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND starts_with(application_name, ?)`,
      [applicationPrefix],
    );
    if (result.rows[0]!.n === 0) return;
    if (Date.now() > deadline) throw new Error('lethe run sessions still connected');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface LedgerRow {
  seq: number;
  runId: string;
  ruleId: string;
  phaseAfter: string;
  action: string;
  rowsAffected: Record<string, number>;
  keyFrom: string[];
  keyTo: string[];
  committedAt: Date;
}

export async function readLedger(db: Knex, ruleId?: string): Promise<LedgerRow[]> {
  const result = await db.raw<{
    rows: { seq: string; run_id: string; rule_id: string; phase_after: string; action: string; rows_affected: Record<string, number>; key_from: string[]; key_to: string[]; committed_at: Date }[];
  }>(
    // Ordered by the qualified column: a bare `seq` would sort the text alias ('10' before '2').
    `SELECT l.seq::text AS seq, l.run_id::text AS run_id, l.rule_id, l.phase_after, l.action, l.rows_affected, l.key_from, l.key_to, l.committed_at
       FROM lethe.ledger l ${ruleId ? 'WHERE l.rule_id = ?' : ''} ORDER BY l.seq`,
    ruleId ? [ruleId] : [],
  );
  return result.rows.map((row) => ({
    seq: Number(row.seq),
    runId: row.run_id,
    ruleId: row.rule_id,
    phaseAfter: row.phase_after,
    action: row.action,
    rowsAffected: row.rows_affected,
    keyFrom: row.key_from,
    keyTo: row.key_to,
    committedAt: new Date(row.committed_at),
  }));
}

/**
 * Where a ledger range starts or ends. A walk in key order records keys
 * (closed ranges: from and to were both done); a walk by physical position
 * records `page:N` (half-open ranges: pages from..to-1).
 */
export interface WalkPosition {
  byPages: boolean;
  value: bigint;
}

export function positionOf(key: string[]): WalkPosition {
  const page = /^page:(\d+)$/.exec(key[0] ?? '');
  if (page) return { byPages: true, value: BigInt(page[1]!) };
  if (key.length !== 1 || !/^-?\d+$/.test(key[0]!)) throw new Error(`unexpected ledger key ${JSON.stringify(key)}: only single integer keys and page positions are compared`);
  return { byPages: false, value: BigInt(key[0]!) };
}

/** True when a range starting at `from` begins strictly after everything a range ending at `to` covered. */
export function startsAfter(from: string[], to: string[]): boolean {
  const start = positionOf(from);
  const end = positionOf(to);
  if (start.byPages !== end.byPages) throw new Error(`cannot compare ${from} with ${to}`);
  return start.byPages ? start.value >= end.value : start.value > end.value;
}

/** Pairs of ledger batches of one rule and phase whose ranges overlap. Empty when no range was applied twice. */
export function overlappingRanges(rows: LedgerRow[]): [LedgerRow, LedgerRow][] {
  const overlaps: [LedgerRow, LedgerRow][] = [];
  const groups = new Map<string, LedgerRow[]>();
  for (const row of rows) {
    const group = `${row.ruleId}/${row.phaseAfter}/${positionOf(row.keyFrom).byPages}`;
    groups.set(group, [...(groups.get(group) ?? []), row]);
  }
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => {
      const x = positionOf(a.keyFrom).value;
      const y = positionOf(b.keyFrom).value;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    for (let i = 1; i < sorted.length; i++) if (!startsAfter(sorted[i]!.keyFrom, sorted[i - 1]!.keyTo)) overlaps.push([sorted[i - 1]!, sorted[i]!]);
  }
  return overlaps;
}

/** A dedicated session outside any pool (a lock holder, a verifier). */
export async function openSession(url: string, applicationName = 'lethe test'): Promise<{ client: pg.Client; sql: SqlClient; pid: number }> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  await client.connect();
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return { client, sql: wrap(client), pid };
}

export function parseReport(stdout: string): {
  status: string;
  rules: { id: string; status: string; lockedBy?: { pid: number; applicationName: string } | null; phases: { action: string; affected: number }[]; error?: { code: string } }[];
} {
  return JSON.parse(stdout);
}

/**
 * The ledger's hash chain walked here, in numeric seq order, per rule: the
 * first row whose prev_hash or hash does not match, or null. Independent of
 * verifyLedger's own query, so a test can tell the chain from its verifier.
 */
export async function firstBrokenLink(db: Knex): Promise<number | null> {
  const result = await db.raw<{
    rows: { seq: string; run_id: string; rule_id: string; rule_hash: string; phase_after: string; action: string; rows_affected: Record<string, number>; key_from: string[] | null; key_to: string[] | null; batch_ms: number; prev_hash: string | null; hash: string }[];
  }>(`SELECT l.seq::text AS seq, l.run_id::text AS run_id, l.rule_id, l.rule_hash, l.phase_after, l.action, l.rows_affected, l.key_from, l.key_to, l.batch_ms, l.prev_hash, l.hash
        FROM lethe.ledger l ORDER BY l.seq`);
  const last = new Map<string, string>();
  for (const row of result.rows) {
    const entry = {
      runId: row.run_id, ruleId: row.rule_id, ruleHash: row.rule_hash, phaseAfter: row.phase_after, action: row.action,
      rowsAffected: row.rows_affected, keyFrom: row.key_from, keyTo: row.key_to, batchMs: row.batch_ms,
    };
    const prev = last.get(row.rule_id) ?? null;
    if (row.prev_hash !== prev || hashLedgerEntry(entry, prev) !== row.hash) return Number(row.seq);
    last.set(row.rule_id, row.hash);
  }
  return null;
}
