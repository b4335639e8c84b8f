import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { BENCH_KEY, KEY_ENV, ruleFileYaml, type BenchCase } from './bench-cases.js';
import { secondsSince, walBytesBetween, walInsertLsn } from './measure.js';

export interface LetheRunInput {
  cli: string;
  dbUrl: string;
  client: pg.Client;
  benchCase: BenchCase;
  table: string;
  ruleId: string;
  now: Date;
  /** A fresh folder for this run's rule file, report, log and RSS file. */
  workDir: string;
  /** erase: the people, written to a subjects file. */
  subjects?: string[];
}

export interface LetheRun {
  seconds: number;
  walBytes: number;
  /** Rows affected (run) or candidates (plan), from the JSON report. */
  rows: number;
  /** From the CLI's first log line (rules loaded, before connecting) to its exit: the time without module loading. */
  secondsAfterStart: number;
  peakRssBytes: number | null;
  /** batch_ms of the run's ledger rows: batches that changed rows, timed by Lethe before its COMMIT. */
  batchMs: number[];
  /**
   * Time between consecutive `batch` log lines (written after each COMMIT): a whole batch
   * cycle, COMMIT included, also for ranges where nothing was due.
   */
  batchCycleMs: number[];
  /** `heldMs` of each batch log line: BEGIN to the end of COMMIT, how long its rows stayed locked. */
  lockHoldMs: number[];
  /** Why the run does not count, or undefined when it exited 0 with every rule done/planned. */
  error: string | undefined;
}

const TIME = '/usr/bin/time';
const REPORT_RSS = fileURLToPath(new URL('./report-rss.mjs', import.meta.url));
const running = new Set<ChildProcess>();

/**
 * Lethe through the same code path as a user: the built CLI as a child process, rule files in
 * a folder, the JSON report on stdout. Timed around the whole child, start-up included.
 */
export async function runLethe(input: LetheRunInput): Promise<LetheRun> {
  const rulesDir = join(input.workDir, 'rules');
  mkdirSync(rulesDir, { recursive: true });
  writeFileSync(join(rulesDir, 'bench.yaml'), ruleFileYaml(input.benchCase, input.table, input.ruleId));
  const rssFile = join(input.workDir, 'rss');
  const subjectsFile = join(input.workDir, 'subjects.txt');
  if (input.benchCase.command === 'erase') writeFileSync(subjectsFile, `${(input.subjects ?? []).join('\n')}\n`);
  const cliArgs = [
    resolve(input.cli),
    ...['--db', input.dbUrl, '--rules', rulesDir, '--log-format', 'json', '--no-progress', input.benchCase.command],
    ...(input.benchCase.command === 'plan' ? [] : ['--yes']),
    ...(input.benchCase.workers > 1 ? ['--concurrency', String(input.benchCase.workers)] : []),
    ...(input.benchCase.command === 'erase' ? ['--subjects-file', subjectsFile, '--request-id', input.ruleId] : ['--now', input.now.toISOString()]),
    '--format',
    'json',
  ];
  // GNU time reports the child's peak RSS in KiB; without it, a preload writes rusage on exit.
  const useTime = existsSync(TIME);
  const [command, args] = useTime
    ? [TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...cliArgs]]
    : [process.execPath, ['--import', REPORT_RSS, ...cliArgs]];

  const before = await walInsertLsn(input.client);
  const started = performance.now();
  const { code, stdout, firstLogAt } = await spawnCollecting(command, args, join(input.workDir, 'stderr.log'), {
    ...process.env,
    [KEY_ENV]: BENCH_KEY,
    LETHE_BENCH_RSS_FILE: rssFile,
  });
  const seconds = secondsSince(started);
  const secondsAfterStart = seconds - ((firstLogAt ?? started) - started) / 1000;
  const after = await walInsertLsn(input.client);
  writeFileSync(join(input.workDir, 'report.json'), stdout);

  const peakRssBytes = readRss(rssFile, useTime ? 1024 : 1);
  const batchMs = await readBatchDurations(input.client, input.ruleId);
  const batchCycleMs = readBatchCycles(join(input.workDir, 'stderr.log'));
  const lockHoldMs = readLockHolds(join(input.workDir, 'stderr.log'));
  const parsed = parseReport(stdout, input.benchCase.command);
  const error = code !== 0 ? `lethe exited ${code}: ${lastLines(join(input.workDir, 'stderr.log'))}` : parsed.error;
  const walBytes = await walBytesBetween(input.client, before, after);
  return { seconds, secondsAfterStart, walBytes, rows: parsed.rows, peakRssBytes, batchMs, batchCycleMs, lockHoldMs, error };
}

/** Ends the Lethe children still running (their whole process groups), for Ctrl-C. */
export function stopRunningChildren(): void {
  for (const child of running) {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  }
}

interface Collected {
  code: number;
  stdout: string;
  /** performance.now() when the first stderr bytes arrived. */
  firstLogAt: number | undefined;
}

function spawnCollecting(command: string, args: string[], stderrFile: string, env: NodeJS.ProcessEnv): Promise<Collected> {
  return new Promise((resolvePromise, reject) => {
    // Its own process group, so stopRunningChildren reaches the CLI under /usr/bin/time too.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
    running.add(child);
    const chunks: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
    const log = createWriteStream(stderrFile);
    let firstLogAt: number | undefined;
    child.stderr!.once('data', () => {
      firstLogAt = performance.now();
    });
    child.stderr!.pipe(log);
    child.on('error', (error) => {
      running.delete(child);
      reject(error);
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      const done = () => resolvePromise({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(chunks).toString('utf8'), firstLogAt });
      if (log.writableFinished) done();
      else log.once('finish', done);
    });
  });
}

interface ParsedReport {
  rows: number;
  error: string | undefined;
}

interface ReportShape {
  status?: string;
  rules?: { status: string; error?: { message: string }; phases: { affected: number; candidates: number }[] }[];
}

function parseReport(stdout: string, command: 'run' | 'plan' | 'erase'): ParsedReport {
  if (command === 'erase') return parseReceipt(stdout);
  let report: ReportShape;
  try {
    report = JSON.parse(stdout) as ReportShape;
  } catch {
    return { rows: 0, error: `no JSON report on stdout (${stdout.length} bytes)` };
  }
  const rule = report.rules?.[0];
  if (!rule) return { rows: 0, error: 'the report has no rule' };
  const rows = rule.phases.reduce((sum, phase) => sum + (command === 'plan' ? phase.candidates : phase.affected), 0);
  const expected = command === 'plan' ? 'planned' : 'done';
  const error = rule.status === expected ? undefined : `rule status ${rule.status}${rule.error ? `: ${rule.error.message}` : ''}`;
  return { rows, error };
}

/** An erasure's receipt: the rows its rules removed, and done. */
function parseReceipt(stdout: string): ParsedReport {
  try {
    const receipt = JSON.parse(stdout) as { status?: string; rules?: { rows: number }[] };
    const rows = (receipt.rules ?? []).reduce((sum, rule) => sum + rule.rows, 0);
    return { rows, error: receipt.status === 'done' ? undefined : `request status ${receipt.status}` };
  } catch {
    return { rows: 0, error: `no JSON receipt on stdout (${stdout.length} bytes)` };
  }
}

function readRss(file: string, unit: number): number | null {
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  // GNU time prefixes "Command exited with non-zero status N" when the child failed.
  const value = Number(lines[lines.length - 1]);
  return Number.isFinite(value) && value > 0 ? value * unit : null;
}

/** Every batch of the rule, from Lethe's own ledger (empty for a plan). */
async function readBatchDurations(client: pg.Client, ruleId: string): Promise<number[]> {
  const exists = await client.query<{ ledger: string | null }>(`SELECT to_regclass('lethe.ledger')::text AS ledger`);
  if (!exists.rows[0]?.ledger) return [];
  const result = await client.query<{ ms: number }>('SELECT batch_ms AS ms FROM lethe.ledger WHERE rule_id = $1 ORDER BY seq', [ruleId]);
  return result.rows.map((row) => Number(row.ms));
}

/** Intervals between the `batch` events of the CLI's JSON log lines (millisecond timestamps). */
function readBatchCycles(file: string): number[] {
  if (!existsSync(file)) return [];
  const times: number[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes('"batch"')) continue;
    try {
      const event = JSON.parse(line) as { event?: string; time?: string };
      if (event.event === 'batch' && event.time) times.push(Date.parse(event.time));
    } catch {
      // Not a log line of ours.
    }
  }
  return times.slice(1).map((time, index) => time - times[index]!);
}

function readLockHolds(file: string): number[] {
  if (!existsSync(file)) return [];
  const held: number[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes('"heldMs"')) continue;
    try {
      const event = JSON.parse(line) as { event?: string; heldMs?: number };
      if (event.event === 'batch' && typeof event.heldMs === 'number') held.push(event.heldMs);
    } catch {
      // Not a log line of ours.
    }
  }
  return held;
}

function lastLines(file: string): string {
  if (!existsSync(file)) return '(no stderr)';
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  return lines.slice(-3).join(' | ').slice(0, 1500);
}
