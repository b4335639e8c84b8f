/**
 * `npm run bench`: Lethe against the bare-SQL limit, case by case, on fresh copies of one
 * generated device-log table. Results on stdout (table or --format json), progress on stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createBenchDatabase, type BenchDatabase } from './bench-database.js';
import { BENCH_CASES } from './bench-cases.js';
import { parseBenchOptions, UsageError, type BenchOptions } from './bench-options.js';
import { loadTemplate } from './load-template.js';
import { loadAverage1m, secondsSince } from './measure.js';
import { describeCliStart, measureCliStart } from './measure-cli-start.js';
import { renderJson, renderTable } from './render-results.js';
import { runCase } from './run-case.js';
import type { CaseResult } from './summarize-case.js';
import { stopRunningChildren } from './run-lethe.js';

/** Fixed, so cutoffs and data line up whatever the day: Lethe gets it as --now. */
const NOW = new Date('2026-11-25T00:00:00.000Z');
const CUTOFF = new Date(NOW.getTime() - 180 * 86_400_000).toISOString();

/** Set by Ctrl-C / SIGTERM: the handler drops the database and exits; nothing else is reported. */
let interrupted = false;

const log = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
  const workRoot = mkdtempSync(join(tmpdir(), 'lethe-bench-'));
  let database: BenchDatabase | undefined;
  let cleaned = false;
  const cleanUp = async () => {
    if (cleaned) return;
    cleaned = true;
    stopRunningChildren();
    await database?.drop().catch((error: unknown) => log(`could not drop ${database?.name}: ${(error as Error).message}`));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      log(`${signal}: stopping, dropping the bench database`);
      void cleanUp().finally(() => {
        rmSync(workRoot, { recursive: true, force: true });
        process.exit(signal === 'SIGINT' ? 130 : 143);
      });
    });
  }

  const results: CaseResult[] = [];
  try {
    database = await createBenchDatabase(options.serverUrl);
    const client = database.client;
    const server = await client.query<{ server_version: string }>('SHOW server_version');
    log(`database ${database.name}; PostgreSQL ${server.rows[0]!.server_version}; ${availableParallelism()} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load ${loadAverage1m()}`);
    await client.query('CREATE EXTENSION IF NOT EXISTS pgcrypto');
    log(`loading ${options.rows} device-log rows into the template`);
    const loadStarted = performance.now();
    await loadTemplate(client, options.rows, NOW);
    log(`template loaded in ${secondsSince(loadStarted).toFixed(1)} s`);
    const cliStart = measureCliStart(options.cli);
    log(describeCliStart(cliStart));
    const context = { client, dbUrl: database.url, cli: options.cli, now: NOW, cutoff: CUTOFF, repeat: options.repeat, workRoot, cliStart, log };
    for (const name of options.cases) {
      results.push(await runCase(context, BENCH_CASES[name]));
      if (interrupted) break;
    }
  } finally {
    await cleanUp();
  }
  // The signal handler exits once the database is dropped; print nothing half-measured.
  if (interrupted) return new Promise<number>(() => undefined);
  process.stdout.write(options.format === 'json' ? renderJson(results) : renderTable(results));
  const failed = results.some((result) => result.status === 'failed');
  if (failed) log(`some cases failed; Lethe's reports and logs are kept in ${workRoot}`);
  else if (options.keep) log(`Lethe's rule files, reports and logs are in ${workRoot}`);
  else rmSync(workRoot, { recursive: true, force: true });
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (interrupted) return;
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
